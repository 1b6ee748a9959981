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
  // A copy on write: the resolver's sections may be shared and frozen (compiler/spec.ts SHARED_SECTIONS).
  r.spec.data = { ...r.spec.data, batch: { ...r.spec.data.batch, per_device: -3 } };
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

// The validators are split per top-level field (compiler/spec-validator.ts); validateSpec checks field by
// field and each shared probe once. Both must give exactly the verdicts and errors of the schema as one.
test('the split validators agree with spec.schema.json compiled whole, and the field-by-field verdict with both', async () => {
  const { default: AjvModule } = await import('ajv');
  const { default: schema } = await import('../../compiler/spec.schema.json', { with: { type: 'json' } });
  const { specValidator } = await import('../../compiler/spec-validator.ts');
  const Ajv = (AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule;
  const whole = new (Ajv as any)({ allErrors: true, strict: false }).compile(schema);
  const split = specValidator();
  const base = compileFile('experiments/A4.lssd', nodeHost()).value!.experiments[0];
  const text = JSON.stringify(base);
  const leaves: string[][] = [];
  (function walk(v: unknown, path: string[]) {
    if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    else leaves.push(path);
  })(base, []);
  const specs: Record<string, unknown>[] = [];
  for (const path of leaves) {
    for (const bad of [-3, 'x', null, true, [], {}, 1.5, NaN, undefined]) {
      const s = JSON.parse(text); let o = s;
      for (const k of path.slice(0, -1)) o = o[k];
      o[path[path.length - 1]] = bad;
      specs.push(s);
    }
    const s = JSON.parse(text); let o = s;
    for (const k of path.slice(0, -1)) o = o[k];
    delete o[path[path.length - 1]]; o.not_a_field = 1;
    specs.push(s);
  }
  for (const k of Object.keys(base)) { const s = JSON.parse(text); delete s[k]; specs.push(s); }
  specs.push({ ...JSON.parse(text), extra: 1 }, JSON.parse(text));
  const strip = (es: { instancePath: string; message?: string; params?: unknown; keyword?: string }[] | null | undefined) =>
    (es ?? []).map((e) => ({ instancePath: e.instancePath, message: e.message, params: e.params, keyword: e.keyword }));
  const decl = { name: { span: undefined } } as unknown as BlockDecl;
  let invalid = 0;
  for (const s of specs) {
    const want = whole(s);
    assert.equal(split(s), want, JSON.stringify(s));
    assert.deepEqual(strip(split.errors), strip(whole.errors));
    const ds = validateSpec({ spec: s, fields: new Map(), decl } as never);
    assert.equal(ds.length === 0, want, JSON.stringify(s));
    if (!want) invalid++;
  }
  assert.ok(invalid > leaves.length * 5, `only ${invalid} of ${specs.length} corrupted specs were invalid`);
});
