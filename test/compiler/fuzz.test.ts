// Robustness property: thousands of random mutations of the experiment and stdlib files never make
// the compiler throw — every outcome is diagnostics (well-formed, with in-bounds spans) — and every
// mutant that still parses survives a fmt round trip. Seeded, so a failure is reproducible.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFile } from '../../compiler/index.ts';
import type { CompilerHost } from '../../compiler/host.ts';
import { renderDiagnostics, diagnosticsToJson } from '../../compiler/render.ts';
import { format } from '../../compiler/fmt.ts';
import { parse } from '../../grammar/index.ts';
import { nodeHost } from '../../runtime/host.ts';
import { stripAst } from './ast-util.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const base = nodeHost({ cwd: root });
const MUTANTS = Number(process.env.LSSD_FUZZ_N ?? 2500);

function rng(seed: number) {
  return () => { seed |= 0; seed = (seed + 0x6d2b79f5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

const VOCAB = ['{', '}', '[', ']', '(', ')', '=', '..', ',', ';', '"', '1/0', '1/8', '-', '->', 'except', 'init from', 'extends',
  'none', 'true', '12 epochs', '300 steps', '3s', '48kHz', '50%', '4.6M shots', '12 per_device', 'experiment', 'preset', 'grid',
  'axis', 'when', 'zip', 'cell(x = 1)', '\n', '///', '// c', '#', 'all', 'EN', 'XX', '1e999', '0.0.0', '@', 'é', '\u0000',
  'data', 'views.video', 'model.video', 'loss.lambda_a', 'dubs.policy', 'fixed(ES)', 'random()', 'A1', 'A2', 'cpu_small',
  'paper_main', 'mvit_s', 'esc50', 'synth_scene', 'init from A4', 'init from random', 'import "paper"', 'import "./A1.lssd"'];

function mutate(text: string, r: () => number): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const at = () => Math.floor(r() * (text.length + 1));
  const lines = () => text.split('\n');
  switch (Math.floor(r() * 8)) {
    case 0: { const i = at(); return text.slice(0, i) + text.slice(i + 1 + Math.floor(r() * 20)); }
    case 1: case 2: { const i = at(); return text.slice(0, i) + pick(VOCAB) + (r() < 0.5 ? ' ' : '') + text.slice(i); }
    case 3: { const ls = lines(); const i = Math.floor(r() * ls.length); ls.splice(i, 0, ls[i]); return ls.join('\n'); }
    case 4: { const ls = lines(); const i = Math.floor(r() * ls.length); const j = Math.floor(r() * ls.length); [ls[i], ls[j]] = [ls[j], ls[i]]; return ls.join('\n'); }
    case 5: return text.replace(/\d+(\.\d+)?/g, (m) => (r() < 0.15 ? pick(['0', '-1', '1e9', '0.5', '26', '3', '100000000']) : m));
    case 6: return text.slice(0, at());
    default: return text.replace(/\b[a-z_]{3,}\b/g, (m) => (r() < 0.05 ? pick(['experiment', 'lambda_v', 'dubs', 'video', 'data', 'mvit_b', 'cpu_small', 'none', 'any']) : m));
  }
}

/** Targets: [entry to compile, file to mutate]. */
const targets: [string, string][] = [];
for (const f of readdirSync(join(root, 'experiments')).filter((x) => x.endsWith('.lssd'))) targets.push([`experiments/${f}`, `experiments/${f}`]);
for (const f of readdirSync(join(root, 'experiments/controlled')).filter((x) => x.endsWith('.lssd'))) targets.push([`experiments/controlled/${f}`, `experiments/controlled/${f}`]);
for (const sub of ['tiny']) {
  const d = join(root, 'experiments', sub);
  try { for (const f of readdirSync(d).filter((x) => x.endsWith('.lssd'))) targets.push([`experiments/${sub}/${f}`, `experiments/${sub}/${f}`]); } catch { /* optional */ }
}
targets.push(['test/cases/check/grid-cells.lssd', 'test/cases/check/grid-cells.lssd']);
for (const s of ['cpu', 'backbones', 'tasks']) targets.push(['experiments/quickstart.lssd', `stdlib/${s}.lssd`]);
targets.push(['experiments/A4.lssd', 'stdlib/paper.lssd'], ['experiments/controlled/AUD.lssd', 'stdlib/controlled.lssd']);

test(`${MUTANTS} random mutations never crash the compiler`, () => {
  const r = rng(20261124);
  const originals = new Map(targets.map(([, m]) => [m, readFileSync(join(root, m), 'utf8')]));
  let withErrors = 0; let clean = 0;
  for (let n = 0; n < MUTANTS; n++) {
    const [entry, victim] = targets[Math.floor(r() * targets.length)];
    let text = originals.get(victim)!;
    const k = 1 + Math.floor(r() * 3);
    for (let i = 0; i < k; i++) text = mutate(text, r);
    const victimPath = victim.startsWith('stdlib/') ? join(base.stdlibDir, victim.slice(7)) : victim;
    const host: CompilerHost = {
      stdlibDir: base.stdlibDir,
      readFile: (p) => (p === victim || p === victimPath ? text : base.readFile(p)),
      resolveImport: (s, from) => base.resolveImport(s, from),
    };
    let out;
    try {
      out = compileFile(entry, host);
    } catch (e) {
      assert.fail(`mutant #${n} of ${victim} crashed the compiler: ${(e as Error).stack}\n--- mutant ---\n${text}`);
    }
    for (const d of out.diagnostics) {
      assert.match(d.code, /^LSSD\d{4}$/, `mutant #${n}: bad code ${d.code}`);
      assert.ok(['error', 'warning', 'info'].includes(d.severity));
      assert.ok(typeof d.message === 'string' && d.message.length > 0);
      if (d.span) {
        const src = out.value?.sources.get(d.span.file);
        assert.ok(src, `mutant #${n}: diagnostic in unknown file ${d.span.file}`);
        assert.ok(d.span.start.offset >= 0 && d.span.end.offset <= src.text.length && d.span.start.offset <= d.span.end.offset,
          `mutant #${n}: span out of bounds in ${d.span.file}: ${d.message}`);
      }
    }
    renderDiagnostics(out.diagnostics, out.value?.sources ?? new Map());
    diagnosticsToJson(out.diagnostics);
    if (out.diagnostics.some((d) => d.severity === 'error')) withErrors++;
    const p = parse({ name: victim, text });
    if (!p.diagnostics.length) {
      clean++;
      const f = format(p.value!);
      const again = parse({ name: victim, text: f });
      assert.deepEqual(again.diagnostics, [], `mutant #${n}: fmt output does not parse\n${f}`);
      assert.deepEqual(stripAst(again.value!), stripAst(p.value!), `mutant #${n}: fmt changed the AST`);
      assert.equal(format(again.value!), f, `mutant #${n}: fmt not idempotent`);
    }
  }
  // The mutations must actually exercise the error paths and the clean path.
  assert.ok(withErrors > MUTANTS / 4, `only ${withErrors} mutants had errors`);
  assert.ok(clean > MUTANTS / 20, `only ${clean} mutants parsed`);
});
