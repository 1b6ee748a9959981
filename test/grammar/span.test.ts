// Spans as the parser makes them (grammar/span.ts SourceSpan): offsets, line/column computed when read,
// the plain `{ file, start, end }` shape in JSON; and no source derives a span by spreading one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, plainSpans, SourceSpan } from '../../grammar/index.ts';
import type { BlockDecl, Field } from '../../grammar/ast.ts';

const root = new URL('../..', import.meta.url).pathname;

test('a span reads as file, start and end with 1-based line and column, and is that shape in JSON', () => {
  const text = 'preset p {\n  k = 12 epochs\n\n  s = "x"\n}\n';
  const f = parse({ name: 'a/t.lssd', text }).value!;
  const [k, s] = (f.decls[0] as BlockDecl).body.entries as Field[];
  assert.ok(k.value.span instanceof SourceSpan);
  assert.deepEqual({ file: k.value.span.file, start: k.value.span.start, end: k.value.span.end },
    { file: 'a/t.lssd', start: { offset: 17, line: 2, column: 7 }, end: { offset: 26, line: 2, column: 16 } });
  assert.equal(text.slice(k.value.span.start.offset, k.value.span.end.offset), '12 epochs');
  assert.deepEqual(s.span.start, { offset: 30, line: 4, column: 3 });
  // Read out of order (the line cache must not answer for the wrong line).
  assert.deepEqual(f.decls[0].span.end, { offset: text.length - 1, line: 5, column: 2 });
  assert.deepEqual(f.decls[0].span.start, { offset: 0, line: 1, column: 1 });
  assert.deepEqual(JSON.parse(JSON.stringify(s.span)), { file: 'a/t.lssd', start: { offset: 30, line: 4, column: 3 }, end: { offset: 37, line: 4, column: 10 } });
  assert.equal(JSON.stringify(f), JSON.stringify(plainSpans(f)));
});

test('deep equality of spans compares their file and offsets', () => {
  const a = parse({ name: 't.lssd', text: 'preset p { k = 1 }' }).value!;
  assert.deepStrictEqual(a, parse({ name: 't.lssd', text: 'preset p { k = 1 }' }).value!);
  assert.notDeepStrictEqual(a.decls[0].span, parse({ name: 't.lssd', text: 'preset p { k = 1  }' }).value!.decls[0].span);
  assert.notDeepStrictEqual(a.decls[0].span, parse({ name: 'u.lssd', text: 'preset p { k = 1 }' }).value!.decls[0].span);
});

// `{ ...span, end }` copies file and the two offsets only: the result has no `start`.
test('no source derives a span by spreading one (`{ ...x.span, end: … }`)', () => {
  const spread = /\{\s*\.\.\.[\w.!?[\]]*(?:span|Span|Spans\[[^\]]*\]|\.s)\s*,\s*(?:start|end|file)\s*:/;
  const hits: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) { if (name !== 'node_modules' && name !== 'fixtures') walk(p); continue; }
      if (!/\.tsx?$/.test(name) || p === new URL(import.meta.url).pathname) continue; // this file names the pattern
      readFileSync(p, 'utf8').split('\n').forEach((line, i) => { if (spread.test(line)) hits.push(`${relative(root, p)}:${i + 1}: ${line.trim()}`); });
    }
  };
  for (const d of ['grammar', 'compiler', 'cli', 'lsp', 'runtime', 'bench', 'test']) walk(join(root, d));
  assert.deepEqual(hits, [], 'write { file: s.file, start: s.start, end: … } instead');
});
