// One catalog of diagnostic codes (STYLE.md "Diagnostics are a product"): every LSSDnnnn the source
// mentions is catalogued (compiler/messages.ts with compiler/messages-runtime.ts, and the syntax codes
// of grammar/syntax-codes.ts it re-exports), no code is catalogued twice, and outside the catalog files
// code strings never appear as literals: call sites use the typed constants. Tests, docs (*.md) and
// golden files are free to quote codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CATALOG } from '../../compiler/messages.ts';

const root = new URL('../..', import.meta.url).pathname;
/** Where codes are defined. */
const CATALOG_FILES = new Set(['compiler/messages.ts', 'compiler/messages-runtime.ts', 'grammar/syntax-codes.ts']);
const SKIP_DIRS = new Set(['node_modules', '.git', '.lssd', 'test', 'docs', 'runs', 'data']);
// build/ (and build.tmp-*, and test/build's build.test-* made while this runs) hold the compiled CLI:
// bundles of the very sources scanned here, catalog included.
const isBuildDir = (name: string) => name === 'build' || name.startsWith('build.');
const SOURCE = /\.(ts|tsx|mjs|cjs|js|lssd|hbs|json)$/;

function sourceFiles(dir = root, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) { if (!SKIP_DIRS.has(name) && !isBuildDir(name) && !name.startsWith('.')) sourceFiles(p, out); }
    else if (SOURCE.test(name) && !/^package(-lock)?\.json$/.test(name) && st.size < 2_000_000) out.push(relative(root, p));
  }
  return out;
}

/** The text with line and block comments blanked (comments may name codes: they are documentation). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, '')).replace(/(^|[\s;,)}])\/\/.*$/gm, '$1');
}

const files = sourceFiles();
const uses = new Map<string, string[]>();
for (const f of files) {
  for (const m of readFileSync(join(root, f), 'utf8').matchAll(/LSSD\d{4}/g)) {
    uses.set(m[0], [...new Set([...(uses.get(m[0]) ?? []), f])]);
  }
}

test('the scan sees the source tree', () => {
  assert.ok(files.includes('compiler/lower.ts') && files.includes('runtime/train/errors.ts'), `scanned ${files.length} files`);
  assert.ok(files.length > 100);
});

test('every code the source uses is catalogued', () => {
  const known = new Set(CATALOG.map((m) => m.code));
  const unknown = [...uses].filter(([code]) => !known.has(code)).map(([code, where]) => `${code} (${where.join(', ')})`);
  assert.deepEqual(unknown, []);
});

test('no code is catalogued twice', () => {
  const seen = new Map<string, number>();
  for (const m of CATALOG) seen.set(m.code, (seen.get(m.code) ?? 0) + 1);
  assert.deepEqual([...seen].filter(([, n]) => n > 1).map(([c]) => c), []);
  // …nor defined as a literal in two catalog files.
  const definedIn = new Map<string, string[]>();
  for (const f of CATALOG_FILES) {
    for (const m of withoutComments(readFileSync(join(root, f), 'utf8')).matchAll(/['"`](LSSD\d{4})['"`]/g)) {
      definedIn.set(m[1], [...(definedIn.get(m[1]) ?? []), f]);
    }
  }
  assert.deepEqual([...definedIn].filter(([, w]) => w.length > 1).map(([c, w]) => `${c} (${w.join(', ')})`), []);
});

test('outside the catalog, code strings are never literals (call sites use the typed constants)', () => {
  const literals: string[] = [];
  for (const f of files) {
    if (CATALOG_FILES.has(f)) continue;
    const lines = withoutComments(readFileSync(join(root, f), 'utf8')).split('\n');
    lines.forEach((line, i) => {
      for (const m of line.matchAll(/['"`](LSSD\d{4})['"`]/g)) literals.push(`${f}:${i + 1} ${m[1]}`);
    });
  }
  assert.deepEqual(literals, []);
});
