// Schema validation: resolved specs pass the JSON Schema; a corrupted one yields LSSD3001 at the
// source span of the field that produced the bad value (never raw ajv output).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFile } from '../../compiler/index.ts';
import { Resolver } from '../../compiler/resolve.ts';
import { loadProgram } from '../../compiler/resolve-load.ts';
import { surfacePathOf, validateSpec } from '../../compiler/validate.ts';
import type { BlockDecl } from '../../grammar/ast.ts';
import type { CompilerHost } from '../../compiler/host.ts';
import { nodeHost } from '../../runtime/host.ts';

const memHost = (files: Record<string, string>): CompilerHost => {
  const base = nodeHost();
  return {
    stdlibDir: base.stdlibDir,
    readFile: (p) => files[p] ?? base.readFile(p),
    resolveImport: (s, from) => (files[s.replace(/^\.\//, '')] !== undefined ? s.replace(/^\.\//, '') : base.resolveImport(s, from)),
  };
};

test('every resolved paper spec validates', () => {
  const r = compileFile('experiments/B5.lssd', nodeHost());
  assert.equal(r.diagnostics.length, 0);
});

test('a schema violation is mapped back to the source span', () => {
  const host = memHost({ 'x.lssd': 'import "cpu"\nexperiment x extends cpu_small {\n  data.batch.per_device = 16\n}\n' });
  const ds: never[] = [];
  const loaded = loadProgram('x.lssd', host, ds);
  const resolver = new Resolver(loaded, ds);
  const r = resolver.experiment(loaded.symbols.get('x')!.decl as BlockDecl, 'x.lssd')!;
  assert.deepEqual(validateSpec(r), []);
  (r.spec.data.batch as { per_device: number }).per_device = -3;
  const d = validateSpec(r);
  assert.equal(d.length, 1);
  assert.equal(d[0].code, 'LSSD3001');
  assert.equal(d[0].span?.file, 'x.lssd');
  assert.equal(d[0].span?.start.line, 3);
  assert.match(d[0].message, /data\.batch\.per_device/);
});

test('instancePath → surface path', () => {
  assert.deepEqual(surfacePathOf('/data/filters/dubs/min'), { surface: 'data.titles.dubs', index: undefined });
  assert.deepEqual(surfacePathOf('/data/shots/max_length'), { surface: 'data.shots.length', index: undefined });
  assert.deepEqual(surfacePathOf('/probes/3/metric'), { surface: 'probes', index: 3 });
  assert.deepEqual(surfacePathOf('/dubs/languages/0'), { surface: 'dubs.policy', index: 0 });
});
