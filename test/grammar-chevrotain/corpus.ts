// Inputs for the differential test: every .lssd in the repository's sources, the ```lssd blocks of
// docs/, a few hand-written samples of rare syntax, and seeded random mutations of all of them.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Source } from '../../grammar/ast.ts';
import { lexSource } from '../../grammar/tokens.ts';

const root = new URL('../..', import.meta.url).pathname;

function walk(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (name !== 'node_modules' && !name.startsWith('.')) walk(p, out); }
    else out.push(p);
  }
}

/** Rare corners of the syntax that the shipped files may not exercise. */
export const SAMPLES: string[] = [
  `/// doc one
/// doc two
experiment A extends b, c {
  x = 3s .. 12s; y = 1 ..
  z = 1..3  w = 256px .. 320px
  budget = 4.6M shots  frac = 1/8  per = 12 per_device  pct = 50%  e = -3e-4  big = 1_000
  langs = all except [EN]
  nested = all except [EN] except [FR]
  opt = adamw(lr = 3e-4, weight_decay = 5e-2)
  pol = round_robin(ES, FR, JA)
  empty = f()  list = []  trail = [a, b,]
  s = "esc\\"aped\\n\\t\\\\"  b = true  n = none  f = false
  ref = A2.final
  init from A2.final
  a.b.c { d = 1 }
  q { r { t = [1, [2, 3]] } }
}
# hash comment
grid g extends A1 {
  base = A1
  axis dubs = [off as "✗", any as "✓"] -> dubs.policy
  axis lambda_a = [0, 0.2] -> loss.lambda_a
  axis plain = [1, 2]
  zip(dubs, lambda_a)
  exclude { dubs = off, lambda_a = 0.2 }
  name = "A{dubs}{lambda_a}"
  when { lambda_a = 0.2 } { init from cell(lambda_a = 0) }
  cell { x = 1 }
}
import "paper"
`,
  `preset p { a = 1 } /// trailing doc
/// stray at top
import "x"
task t {
  /// stray in block
  k = 12 epochs // trailing
  ;;, m = 2
}`,
  `experiment unclosed {
  a = 1
experiment next { b = 2 }
backbone x { y { z = 1
`,
  // Nesting limits (200 levels of values and blocks): an error, never a stack overflow.
  `preset deep {\n  a = ${'['.repeat(210)}${']'.repeat(210)}\n  b = ${'f('.repeat(120)}\n  ${'c { '.repeat(205)}${'}'.repeat(205)}\n  d = 1\n}\n`,
];

export function corpus(): Source[] {
  const files: string[] = [];
  for (const d of ['stdlib', 'experiments', 'test/cases', 'templates']) walk(join(root, d), files);
  const out: Source[] = [];
  for (const f of files) if (f.endsWith('.lssd')) out.push({ name: relative(root, f), text: readFileSync(f, 'utf8') });
  const docs: string[] = [];
  walk(join(root, 'docs'), docs);
  for (const f of docs.filter((x) => x.endsWith('.md'))) {
    const blocks = readFileSync(f, 'utf8').split('```lssd').slice(1).map((b) => b.split('```')[0]);
    blocks.forEach((text, i) => out.push({ name: `${relative(root, f)}#${i + 1}`, text }));
  }
  SAMPLES.forEach((text, i) => out.push({ name: `sample-${i + 1}.lssd`, text }));
  return out;
}

/** mulberry32: small, fast, seeded (the same generator the trainer uses for initialisation). */
export { mulberry32 as rng } from '../../runtime/train/rng.ts';

const CHARS = ['{', '}', '[', ']', '(', ')', '=', ',', ';', '.', '..', '"', '/', '#', '@', '-', '->', '+', ' ', '\n', 'x', '1', '%', '\\', '\u00a0'];
const SNIPPETS = [
  'experiment', 'grid', 'task', 'import', 'extends', 'init from', 'axis', 'zip(', 'exclude', 'when {', 'as', 'except',
  '..', '1 ..', '3s', '4.6M', 'shots', 'epochs', '1/8', '1/0', '1e999', '///', '/// doc\n', '// c\n', '"s"', 'true',
  'none', 'f(a = 1)', 'f(a = 1, 2)', '[', ']', '{', '}', '->', 'x.y', '= 1', '\n}', '\nexperiment A {', 'cell(',
];

/** One random edit of `text` (token-, character- or snippet-level). */
export function mutate(text: string, r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const toks = lexSource({ name: 'm', text }).tokens;
  const at = Math.floor(r() * (text.length + 1));
  const op = Math.floor(r() * 8);
  if (toks.length > 1 && op < 4) {
    const i = Math.floor(r() * toks.length);
    const t = toks[i];
    const s = t.startOffset; const e = s + t.image.length;
    if (op === 0) return text.slice(0, s) + text.slice(e); // delete a token
    if (op === 1) return text.slice(0, e) + ' ' + t.image + text.slice(e); // duplicate it
    if (op === 2 && i + 1 < toks.length) { // swap with the next token
      const u = toks[i + 1]; const us = u.startOffset; const ue = us + u.image.length;
      return text.slice(0, s) + u.image + text.slice(e, us) + t.image + text.slice(ue);
    }
    const o = pick(toks); // replace with another token of the file
    return text.slice(0, s) + o.image + text.slice(e);
  }
  if (op === 4) return text.slice(0, at) + pick(CHARS) + text.slice(at);
  if (op === 5) return text.slice(0, at) + text.slice(at + 1);
  if (op === 6) return text.slice(0, at) + ' ' + pick(SNIPPETS) + ' ' + text.slice(at);
  return text.slice(0, at); // truncate
}
