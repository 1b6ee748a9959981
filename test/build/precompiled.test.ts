// Code the build generates in place of a source module (scripts/build-plugins.mjs PRECOMPILED) must
// behave like that module: the standalone ajv validator gives the same verdicts and the same errors
// as the one ajv compiles at runtime from the sources, on the paper's specs and on corrupted copies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { AJV_OPTIONS as BUILD_OPTIONS, precompiledPlugin, splitSpecSchema as buildSplit } from '../../scripts/build-plugins.mjs';
import { AJV_OPTIONS, specValidator, specValidators, splitSpecSchema, type ValidateFn } from '../../compiler/spec-validator.ts';
import schema from '../../compiler/spec.schema.json' with { type: 'json' };
import { compileFile } from '../../compiler/index.ts';
import { nodeHost } from '../../runtime/host.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('the build generates the validator with the options and the split schemas the sources compile it with', () => {
  assert.deepEqual(BUILD_OPTIONS, AJV_OPTIONS);
  assert.deepEqual(buildSplit(schema), splitSpecSchema(schema as never));
});

test('the standalone spec validator agrees with the runtime-compiled one, errors included', async () => {
  const dir = mkdtempSync(join(root, 'build.test-'));
  try {
    const outfile = join(dir, 'spec-validator.mjs');
    await esbuild.build({
      absWorkingDir: root, entryPoints: [join(root, 'compiler/spec-validator.ts')], outfile, bundle: true,
      format: 'esm', platform: 'node', packages: 'external', logLevel: 'error', plugins: [precompiledPlugin(root)],
    });
    const mod = await import(pathToFileURL(outfile).href);
    const standalone = mod.specValidator() as ValidateFn;
    const compiled = specValidator();
    // The per-field validators validate.ts uses: the same keys, each agreeing with its source twin below.
    const parts = mod.specValidators() as ReturnType<typeof specValidators>;
    assert.deepEqual(parts.keys, specValidators().keys);
    assert.deepEqual(Object.keys(parts.sections), Object.keys(specValidators().sections));
    assert.notEqual(standalone, compiled);
    const specs: unknown[] = [];
    for (const f of ['experiments/B5.lssd', 'experiments/quickstart.lssd', 'experiments/A4.lssd']) {
      specs.push(...compileFile(f, nodeHost()).value!.experiments);
    }
    // Corrupt every leaf of one spec in turn (wrong type, out of range), and drop each top-level key.
    const base = JSON.stringify(specs[0]);
    const leaves: string[][] = [];
    (function walk(v: unknown, path: string[]) {
      if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
      else leaves.push(path);
    })(specs[0], []);
    for (const path of leaves) {
      for (const bad of [-3, 'x', null, true, [], 1.5]) {
        const s = JSON.parse(base); let o = s;
        for (const k of path.slice(0, -1)) o = o[k];
        o[path[path.length - 1]] = bad;
        specs.push(s);
      }
    }
    for (const k of Object.keys(JSON.parse(base))) { const s = JSON.parse(base); delete s[k]; specs.push(s); }
    let invalid = 0;
    for (const s of specs) {
      const a = compiled(s); const errorsA = structuredClone(compiled.errors ?? null);
      const b = standalone(s); const errorsB = structuredClone(standalone.errors ?? null);
      assert.equal(b, a, JSON.stringify(s));
      assert.deepEqual(errorsB, errorsA);
      if (!a) invalid++;
      const o = s as Record<string, unknown>;
      for (const k of parts.keys) {
        if (o[k] === undefined) continue;
        assert.equal(parts.sections[k](o[k]), specValidators().sections[k](o[k]), k);
        assert.deepEqual(structuredClone(parts.sections[k].errors ?? null), structuredClone(specValidators().sections[k].errors ?? null), k);
      }
      for (const p of Array.isArray(o.probes) ? o.probes : []) assert.equal(parts.probe(p), specValidators().probe(p));
    }
    assert.ok(invalid > leaves.length, `only ${invalid} of ${specs.length} corrupted specs were invalid`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the stdlib ASTs the build ships (compiler/preparsed.ts) equal what the parser makes of the same text', async () => {
  const { NAME_MARK: buildMark, validateGrammar } = await import('../../scripts/build-plugins.mjs');
  const { NAME_MARK, PREPARSED, preparsed } = await import('../../compiler/preparsed.ts');
  const { parse, plainSpans } = await import('../../grammar/index.ts');
  assert.equal(buildMark, NAME_MARK);
  assert.equal(PREPARSED.size, 0, 'the sources parse everything');
  const dir = mkdtempSync(join(root, 'build.test-'));
  try {
    await validateGrammar(root, dir);
    const outfile = join(dir, 'preparsed.mjs');
    await esbuild.build({
      absWorkingDir: root, entryPoints: [join(root, 'compiler/preparsed.ts')], outfile, bundle: true,
      format: 'esm', platform: 'node', packages: 'external', logLevel: 'error', plugins: [precompiledPlugin(root)],
    });
    const built = await import(pathToFileURL(outfile).href);
    const files = readdirSync(join(root, 'stdlib')).filter((f) => f.endsWith('.lssd'));
    assert.equal(built.PREPARSED.size, files.length);
    for (const f of files) {
      const text = readFileSync(join(root, 'stdlib', f), 'utf8');
      for (const name of [`stdlib/${f}`, `../../x y/"${f}"`]) {
        const source = { name, text };
        const got = built.preparsed(source);
        const want = parse(source);
        assert.deepEqual(want.diagnostics, []);
        // The parser's spans are SourceSpan objects (offsets), the rebuilt ones plain `{ file, start, end }`.
        assert.deepStrictEqual(got, plainSpans(want.value), f);
        assert.equal(got?.source, source);
        assert.equal(JSON.stringify(got), JSON.stringify(want.value), `${f}: same keys in the same order`);
      }
      assert.equal(built.preparsed({ name: f, text: text + ' ' }), undefined, 'an edited text is parsed, not looked up');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
