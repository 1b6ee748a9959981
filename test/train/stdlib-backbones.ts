// Every backbone declared in stdlib/backbones.lssd, as the compiler resolves it: a temporary file puts
// each one into an experiment over the CPU preset (experiments name only some of them).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFile } from '../../compiler/index.ts';
import type { BackboneSpec } from '../../compiler/spec.ts';
import { nodeHost } from '../../runtime/host.ts';

const root = new URL('../..', import.meta.url).pathname;
let cached: Map<string, BackboneSpec> | null = null;

export function stdlibBackbones(): Map<string, BackboneSpec> {
  if (cached) return cached;
  const text = readFileSync(join(root, 'stdlib/backbones.lssd'), 'utf8');
  const decls = [...text.matchAll(/^backbone (\w+) \{\s*\n\s*modality = (video|audio)/gm)].map((m) => ({ name: m[1], modality: m[2] }));
  const dir = mkdtempSync(join(tmpdir(), 'lssd-backbones-'));
  const lines = ['import "cpu"', ...decls.map((d, i) => `experiment bb${i} extends cpu_small { model.${d.modality} = ${d.name} }`)];
  writeFileSync(join(dir, 'all.lssd'), lines.join('\n') + '\n');
  const o = compileFile(join(dir, 'all.lssd'), nodeHost());
  if (!o.value) throw new Error(`stdlib backbones do not compile: ${o.diagnostics.map((d) => d.message).join('; ')}`);
  const out = (cached = new Map());
  for (const s of o.value.experiments) for (const b of [s.model.video, s.model.audio]) if (b) out.set(b.name, b);
  for (const d of decls) if (!out.has(d.name)) throw new Error(`backbone ${d.name} not resolved`);
  return out;
}
