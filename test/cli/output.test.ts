// Output bounded and safe: diagnostics capped per file ("… N more"), long lines cut around the caret,
// control characters escaped in excerpts and messages, carets by display width under CJK and emoji.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderDiagnostics, displayWidth, cleanText } from '../../compiler/render.ts';
import { compileFile } from '../../compiler/index.ts';
import { nodeHost } from '../../runtime/host.ts';
import { parse } from '../../grammar/index.ts';
import { lssdcAll } from './helpers.ts';

const compile = (text: string) => {
  const d = mkdtempSync(join(tmpdir(), 'lssd-out-'));
  const f = join(d, 'f.lssd');
  writeFileSync(f, text);
  const r = compileFile(f, nodeHost({ cwd: d }));
  return { r, f, out: renderDiagnostics(r.diagnostics, r.value?.sources ?? new Map(), {}) };
};

test('carets count display columns: CJK and emoji before the error are two columns each', () => {
  const { out } = compile('import "cpu"\n/// x\nexperiment x extends cpu_small {\n  label = "日本語😀" model.vidoe = 1\n}\n');
  const lines = out.split('\n');
  const i = lines.findIndex((l) => l.includes('model.vidoe'));
  assert.ok(i >= 0, out);
  assert.match(out, /:4:25: /, 'the location column stays in UTF-16 units (editors)');
  const code = lines[i].slice(lines[i].indexOf('| ') + 2);
  const caret = lines[i + 1].slice(lines[i + 1].indexOf('| ') + 2);
  const col = caret.indexOf('^');
  assert.equal(displayWidth(code.slice(0, code.indexOf('vidoe'))), col, `caret under 'vidoe' (27 columns in; 24 UTF-16 units):\n${lines[i]}\n${lines[i + 1]}`);
});

test('an ESC in a label or message never reaches the terminal raw', () => {
  assert.equal(cleanText('a\x1b[2Jb\x07\u202e'), 'a␛[2Jb\\x07\\u{202e}');
  const { out } = compile('import "cpu"\n/// x\nexperiment x extends cpu_small {\n  label = "\x1b[2J" bogus = 1\n}\n');
  assert.doesNotMatch(out, /\x1b/);
  assert.match(out, /␛\[2J/);
});

test('a 1 MB line gives a bounded excerpt around the caret; many errors are capped per file', () => {
  const long = 'import "cpu"\n/// x\nexperiment x extends cpu_small {\n  label = "' + 'a'.repeat(1 << 20) + '" bogus = 1\n}\n';
  const { out } = compile(long);
  assert.ok(out.length < 4000, `bounded: ${out.length} chars`);
  assert.match(out, /…a+" bogus = 1/);
  const many = 'import "cpu"\n' + Array.from({ length: 60 }, (_, i) => `experiment e${i} extends nope${i} { }\n`).join('');
  const r = compile(many);
  assert.ok(r.r.diagnostics.length >= 60);
  const shown = (r.out.match(/error LSSD/g) ?? []).length;
  assert.equal(shown, 20);
  assert.match(r.out, new RegExp(`… ${r.r.diagnostics.length - 20} more diagnostics in .*f\\.lssd \\(20 shown; --json lists all\\)`));
});

test('a message quoting a 200 KB name or string is cut in the middle (found by bench/fuzz.ts)', () => {
  const name = 'x'.repeat(200_000);
  const { out } = compile(`import "cpu"\n/// x\nexperiment x extends cpu_small {\n  ${name} = 1\n  dubs.policy = fixed(${name})\n}\n`);
  assert.ok(out.length < 8000, `bounded: ${out.length} chars`);
  for (const l of out.split('\n')) assert.ok(l.length <= 600, `a line of ${l.length} characters`);
  assert.match(out, /x+…x+/);
});

test('a file of 2 MB of junk: the parser keeps 500 syntax errors and counts the rest in LSSD1023 (a fuzz case that overflowed the stack)', () => {
  const junk = '}\n' + '@ ] = ,\n'.repeat(250_000);
  const r = parse({ name: 'f.lssd', text: junk });
  assert.equal(r.diagnostics.length, 501);
  assert.equal(r.diagnostics[500].code, 'LSSD1023');
  assert.match(r.diagnostics[500].message, /^\d+ more syntax errors in this file not reported \(500 kept\)$/);
  const { out } = compile('import "cpu"\n' + junk);
  assert.ok(out.length < 20_000, `${out.length} chars`);
});

test('4 KB of random bytes: a short named diagnostic, no control bytes on the terminal', () => {
  let x = 12345;
  const bytes = Buffer.from(Array.from({ length: 4096 }, () => { x = (x * 1103515245 + 12345) >>> 0; return x >>> 24; }));
  const d = mkdtempSync(join(tmpdir(), 'lssd-rand-'));
  writeFileSync(join(d, 'r.lssd'), bytes);
  const [r] = lssdcAll([['check', join(d, 'r.lssd')]]);
  assert.equal(r.code, 1);
  assert.ok(r.err.length < 2000, `${r.err.length} bytes of output`);
  assert.doesNotMatch(r.err, /[\x00-\x08\x0b-\x1f\x7f]/);
});

test('an ESC in a label is escaped in the results table and the plain run log', async () => {
  const { formatResultsTable } = await import('../../runtime/orchestrate/results.ts');
  const { createPlainRenderer } = await import('../../runtime/ui/plain.ts');
  const table = formatResultsTable({ columns: [], rows: [{ name: 'x', label: 'evil\x1b[2J', values: [] }] } as never);
  assert.doesNotMatch(table, /\x1b/);
  assert.match(table, /evil␛\[2J/);
  let log = '';
  const r = createPlainRenderer({ out: { write: (s: string) => { log += s; } }, err: { write: (s: string) => { log += s; } } });
  r.onEvent({ type: 'warning', message: 'label \x1b]0;pwned\x07' } as never);
  assert.doesNotMatch(log, /[\x1b\x07]/);
  assert.match(log, /␛\]0;pwned\\x07\n$/);
});

test('a comment of 400 k spaces then text parses in linear time (a fuzz case: /\\s+$/ on comments was quadratic, 40 k spaces took 15 s)', { timeout: 60_000 }, () => {
  const text = `// ${' '.repeat(400_000)}x\n/// ${' '.repeat(400_000)}y\nexperiment a { }\n`;
  const r = parse({ name: 'c.lssd', text });
  assert.equal(r.value!.comments[0].text, `// ${' '.repeat(400_000)}x`);
  assert.equal(r.value!.decls[0].doc, `${' '.repeat(400_000)}y`);
});

test('a newline or tab in a file name is escaped in the location: it cannot forge a diagnostic line (found trying the CLI)', () => {
  const name = 'a\nb.lssd:1:1: error LSSD1001: forged\tx.lssd';
  const src = { name, text: 'experiment x {\n  = 1\n}\n' };
  const p = parse(src);
  assert.ok(p.diagnostics.length > 0);
  const out = renderDiagnostics(p.diagnostics, [src], { color: false });
  const heads = out.split('\n').filter((l) => /error LSSD\d{4}/.test(l));
  assert.equal(heads.length, p.diagnostics.length, out);
  assert.ok(heads.every((l) => l.startsWith('a\\nb.lssd:1:1: error LSSD1001: forged\\tx.lssd:')), out);
});
