// Code the build generates in place of a source module (scripts/build-plugins.mjs PRECOMPILED) must
// behave like that module: the standalone ajv validator gives the same verdicts and the same errors
// as the one ajv compiles at runtime from the sources, on the paper's specs and on corrupted copies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { AJV_OPTIONS as BUILD_OPTIONS, precompiledPlugin } from '../../scripts/build-plugins.mjs';
import { AJV_OPTIONS, specValidator, type ValidateFn } from '../../compiler/spec-validator.ts';
import { compileFile } from '../../compiler/index.ts';
import { nodeHost } from '../../runtime/host.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('the build generates the validator with the options the sources compile it with', () => {
  assert.deepEqual(BUILD_OPTIONS, AJV_OPTIONS);
});

test('the standalone spec validator agrees with the runtime-compiled one, errors included', async () => {
  const dir = mkdtempSync(join(root, 'build.test-'));
  try {
    const outfile = join(dir, 'spec-validator.mjs');
    await esbuild.build({
      absWorkingDir: root, entryPoints: [join(root, 'compiler/spec-validator.ts')], outfile, bundle: true,
      format: 'esm', platform: 'node', packages: 'external', logLevel: 'error', plugins: [precompiledPlugin(root)],
    });
    const standalone = (await import(pathToFileURL(outfile).href)).specValidator() as ValidateFn;
    const compiled = specValidator();
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
    }
    assert.ok(invalid > leaves.length, `only ${invalid} of ${specs.length} corrupted specs were invalid`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
