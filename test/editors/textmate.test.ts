// The TextMate grammar (editors/vscode/syntaxes/lssd.tmLanguage.json) against the parser: every stdlib
// and experiment file is tokenised with vscode-textmate + vscode-oniguruma (the engine VS Code uses),
// and every declaration keyword and name, comment, string, number and unit the parser finds must
// carry its scope.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import vsctm from 'vscode-textmate';
import oniguruma from 'vscode-oniguruma';
import { parse } from '../../grammar/index.ts';
import type { Span, Value } from '../../grammar/ast.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

async function loadGrammar(): Promise<vsctm.IGrammar> {
  const wasm = readFileSync(join(require.resolve('vscode-oniguruma'), '..', 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p), createOnigString: (s: string) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope: string) => {
      if (scope !== 'source.lssd') return null;
      const path = join(root, 'editors/vscode/syntaxes/lssd.tmLanguage.json');
      return vsctm.parseRawGrammar(readFileSync(path, 'utf8'), path);
    },
  });
  const g = await registry.loadGrammar('source.lssd');
  assert.ok(g, 'grammar loads');
  return g;
}

/** Scopes of every character, by line (0-based) and column (0-based). */
function scopesOf(g: vsctm.IGrammar, text: string): string[][][] {
  let state = vsctm.INITIAL;
  return text.split('\n').map((line) => {
    const r = g.tokenizeLine(line, state);
    state = r.ruleStack;
    const cols: string[][] = [];
    for (const t of r.tokens) for (let i = t.startIndex; i < Math.min(t.endIndex, line.length); i++) cols[i] = t.scopes;
    return cols;
  });
}

function lssdFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const n of readdirSync(join(root, dir)).sort()) {
      const p = `${dir}/${n}`;
      if (statSync(join(root, p)).isDirectory()) walk(p); else if (n.endsWith('.lssd')) out.push(p);
    }
  };
  walk('stdlib'); walk('experiments');
  return out;
}

test('the grammar gives keywords, names, comments, strings, numbers and units their scopes in every stdlib and experiment file', async () => {
  const g = await loadGrammar();
  const files = lssdFiles();
  assert.ok(files.length >= 15, `found ${files.length} files`);
  const counts = { decl: 0, comment: 0, string: 0, number: 0, unit: 0, extends: 0, import: 0 };
  for (const f of files) {
    const text = readFileSync(join(root, f), 'utf8');
    const ast = parse({ name: f, text });
    assert.deepEqual(ast.diagnostics, [], f);
    const file = ast.value!;
    const scopes = scopesOf(g, text);
    const at = (s: Span, delta = 0) => scopes[s.start.line - 1]?.[s.start.column - 1 + delta] ?? [];
    const expect = (s: Span, scope: RegExp, what: string, delta = 0) => {
      const got = at(s, delta);
      assert.ok(got.some((x) => scope.test(x)), `${f}:${s.start.line}:${s.start.column + delta} ${what}: expected ${scope}, got [${got.join(' ')}]`);
    };
    for (const imp of file.imports) { expect(imp.span, /^keyword\.control\.import\.lssd$/, 'import'); expect(imp.path.span, /^string\.quoted\.double\.lssd$/, 'import path'); counts.import++; }
    for (const d of file.decls) {
      // The keyword starts the declaration's span unless a `///` doc comment is part of it.
      const line = text.split('\n')[d.name.span.start.line - 1];
      const kw = line.lastIndexOf(d.declKind, d.name.span.start.column - 1);
      assert.ok(kw >= 0, `${f}: keyword of ${d.name.name}`);
      const kwScopes = scopes[d.name.span.start.line - 1][kw] ?? [];
      assert.ok(kwScopes.includes(`storage.type.${d.declKind}.lssd`), `${f}: '${d.declKind}' keyword scope, got [${kwScopes.join(' ')}]`);
      expect(d.name.span, /^entity\.name\.type\.lssd$/, `name of ${d.name.name}`);
      for (const e of d.extends) { expect(e.span, /^entity\.other\.inherited-class\.lssd$/, `extends ${e.name}`); counts.extends++; }
      counts.decl++;
    }
    for (const c of file.comments) {
      expect(c.span, /^comment\.line\./, 'comment');
      expect(c.span, /^comment\.line\./, 'comment end', c.text.length - 1);
      counts.comment++;
    }
    const values: Value[] = [];
    const collect = (v: Value) => {
      values.push(v);
      if (v.kind === 'List') v.items.forEach(collect);
      else if (v.kind === 'Call') { v.args.forEach(collect); v.named.forEach((n) => collect(n.value)); }
      else if (v.kind === 'Range') { collect(v.lo); if (v.hi) collect(v.hi); }
      else if (v.kind === 'Except') { collect(v.base); collect(v.removed); }
    };
    const walk = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      if (Array.isArray(node)) { node.forEach(walk); return; }
      const n = node as { kind?: string; value?: Value; target?: Value };
      if (n.kind === 'Field' && n.value) { collect(n.value); }
      for (const [k, v] of Object.entries(node)) if (k !== 'span' && k !== 'source') walk(v);
    };
    walk(file.decls);
    for (const v of values) {
      if (v.kind === 'String') { expect(v.span, /^string\.quoted\.double\.lssd$/, `string ${v.value}`); counts.string++; }
      if (v.kind === 'Number') { expect(v.span, /^constant\.numeric\./, `number ${v.text}`); counts.number++; }
      if (v.kind === 'Quantity') {
        expect(v.span, /^constant\.numeric\.lssd$/, `number of ${v.text}`);
        expect(v.span, /^keyword\.other\.unit\.lssd$/, `unit of ${v.text}`, v.text.length - 1);
        counts.number++; counts.unit++;
      }
    }
  }
  for (const [k, n] of Object.entries(counts)) assert.ok(n > 0, `some ${k} checked`);
});

test('scopes on a sample: keywords, init from, language codes, units after a space, escapes, unterminated strings', async () => {
  const g = await loadGrammar();
  const text = [
    'experiment A4 extends A2, base { // trailing',
    '  init from A2.final',
    '  data.titles { original_language = all except [EN]  dubs = 1 .. }',
    '  optim.duration = 12 epochs',
    '  data.budget = 4.6M shots',
    '  label = "say \\"hi\\""',
    '  description = "open',
    '  loss.lambda_a = 0.2',
    '}',
  ].join('\n');
  const s = scopesOf(g, text);
  const lines = text.split('\n');
  const scope = (line: number, word: string, nth = 0) => {
    let i = -1; for (let k = 0; k <= nth; k++) i = lines[line].indexOf(word, i + 1);
    return s[line][i] ?? [];
  };
  assert.ok(scope(0, 'experiment').includes('storage.type.experiment.lssd'));
  assert.ok(scope(0, 'base').includes('entity.other.inherited-class.lssd'));
  assert.ok(scope(0, '//').includes('comment.line.double-slash.lssd'));
  assert.ok(scope(1, 'init').includes('keyword.other.init.lssd'));
  assert.ok(scope(1, 'A2').includes('entity.name.type.lssd'));
  assert.ok(scope(1, 'final').includes('variable.other.checkpoint.lssd'));
  assert.ok(scope(2, 'original_language').includes('variable.other.property.lssd'));
  assert.ok(scope(2, 'except').includes('keyword.other.except.lssd'));
  assert.ok(scope(2, 'EN').includes('constant.other.language.lssd'));
  assert.ok(scope(2, '..').includes('keyword.operator.range.lssd'));
  assert.ok(scope(3, 'epochs').includes('keyword.other.unit.lssd'));
  assert.ok(scope(4, 'M').includes('constant.numeric.suffix.lssd'));
  assert.ok(scope(4, 'shots').includes('keyword.other.unit.lssd'));
  assert.ok(scope(5, '\\"').includes('constant.character.escape.lssd'));
  // An unterminated string ends at the end of its line; the next line is ordinary again.
  assert.ok(scope(7, 'loss').includes('variable.other.property.lssd'));
  assert.ok(!scope(7, 'loss').some((x) => x.startsWith('string')));
});
