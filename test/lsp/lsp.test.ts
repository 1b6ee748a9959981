// `lssdc lsp` end to end: a child process driven by a real LSP client over stdio, on the repo's
// experiment files (opened from disk, then edited without saving).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CodeActionRequest, CompletionRequest, DefinitionRequest, DocumentFormattingRequest, DocumentSymbolRequest, HoverRequest,
  PrepareRenameRequest, ReferencesRequest, RenameRequest,
  type CompletionItem, type CompletionList, type Diagnostic, type DocumentSymbol, type Location, type MarkupContent,
} from 'vscode-languageserver-protocol/node.js';
import { parse } from '../../grammar/index.ts';
import { format } from '../../compiler/fmt.ts';
import { diskText, startClient, uriOf, type Client } from './client.ts';

let c: Client;
before(async () => { c = await startClient(); });
after(async () => { await c.close(); });

/** Line/character of the `nth` occurrence of `needle` in `text` (plus `delta` characters). */
function pos(text: string, needle: string, delta = 0, nth = 0): { line: number; character: number } {
  let i = -1;
  for (let k = 0; k <= nth; k++) { i = text.indexOf(needle, i + 1); assert.ok(i >= 0, `'${needle}' in text`); }
  const before = text.slice(0, i + delta).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}
const labels = (r: CompletionItem[] | CompletionList | null): string[] => (Array.isArray(r) ? r : r?.items ?? []).map((i) => i.label);

const A1 = uriOf('experiments/A1.lssd'); const A2 = uriOf('experiments/A2.lssd'); const A4 = uriOf('experiments/A4.lssd');
const a1 = diskText('experiments/A1.lssd'); const a2 = diskText('experiments/A2.lssd'); const a4 = diskText('experiments/A4.lssd');

test('a clean experiment file gets no diagnostics; a typo gets the compiler\'s diagnostic, hint and quick fix', async () => {
  c.open(A4, a4);
  assert.deepEqual(await c.diagnostics(A4), []);
  const bad = a4.replace('loss.lambda_a = 0.2', 'loss.lamda_a = 0.2');
  c.change(A4, bad);
  const ds = await c.diagnostics(A4, (d) => d.length > 0);
  assert.equal(ds.length, 1);
  assert.equal(ds[0].code, 'LSSD2001');
  assert.equal(ds[0].source, 'lssd');
  assert.equal(ds[0].message, "`loss` has no field `lamda_a`\nhint: did you mean 'lambda_a'?");
  assert.deepEqual(ds[0].range.start, pos(bad, 'lamda_a'));
  const actions = await c.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri: A4 }, range: ds[0].range, context: { diagnostics: ds } });
  assert.equal(actions?.length, 1);
  const a = actions![0] as { title: string; edit: { changes: Record<string, { newText: string }[]> } };
  assert.equal(a.title, "Change to 'lambda_a'");
  assert.deepEqual(a.edit.changes[A4].map((e) => e.newText), ['lambda_a']);
  c.change(A4, a4);
  assert.deepEqual(await c.diagnostics(A4, (d) => d.length === 0), []);
});

test('cross-file: an unsaved edit to a parent breaks the open child (extends and init from resolve through the overlay)', async () => {
  c.open(A2, a2);
  assert.deepEqual(await c.diagnostics(A2), []);
  c.change(A2, a2.replace('experiment A2 extends A1', 'experiment A2b extends A1'));
  const ds = await c.diagnostics(A4, (d) => d.some((x) => x.code === 'LSSD2004'));
  const unknown = ds.filter((d) => d.code === 'LSSD2004');
  assert.ok(unknown.some((d) => d.message.startsWith("unknown experiment 'A2'") && d.range.start.line === pos(a4, 'init from A2').line), JSON.stringify(ds));
  assert.ok(unknown.some((d) => d.range.start.line === pos(a4, 'extends A2').line), JSON.stringify(ds));
  c.change(A2, a2);
  assert.deepEqual(await c.diagnostics(A4, (d) => d.length === 0), []);
});

test('a diagnostic in an imported file is published for that file, with related spans', async () => {
  // A second `A1` in the (unsaved) A2.lssd: A2.lssd is loaded first, so the declaration in A1.lssd,
  // which A2.lssd imports, is the duplicate; its related span points back into A2.lssd.
  const dup = `${a2}\nexperiment A1 extends paper_main { }\n`;
  c.change(A2, dup);
  const ds = await c.diagnostics(A1, (d) => d.some((x) => x.code === 'LSSD2003'));
  const d = ds.find((x) => x.code === 'LSSD2003')!;
  assert.deepEqual(d.range.start, pos(a1, 'A1 extends'));
  assert.equal(d.relatedInformation?.[0].location.uri, A2);
  assert.match(d.relatedInformation![0].message, /first declared here/);
  c.change(A2, a2);
  assert.deepEqual(await c.diagnostics(A1, (x) => x.length === 0), []);
});

test('hover: a field\'s type, default, units and doc; an experiment\'s resolved summary and lineage', async () => {
  const h = await c.conn.sendRequest(HoverRequest.type, { textDocument: { uri: A4 }, position: pos(a4, 'lambda_a', 2) });
  const md = (h!.contents as MarkupContent).value;
  assert.match(md, /`loss\.lambda_a`/);
  assert.match(md, /Weight of the within-modal audio term/);
  assert.match(md, /default: `0`/);
  const e = await c.conn.sendRequest(HoverRequest.type, { textDocument: { uri: A4 }, position: pos(a4, 'A4 extends', 1) });
  const s = (e!.contents as MarkupContent).value;
  assert.match(s, /experiment A4\*\* extends A2/);
  assert.match(s, /lineage: A4 ← A2 ← random init/);
  assert.match(s, /backbones: video `mvit_s`, audio `mvit_s_audio`/);
  assert.match(s, /λa = 0\.2/);
  const q = await c.conn.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf('experiments/quickstart.lssd') }, position: pos(diskText('experiments/quickstart.lssd'), 'policy', 1) });
  assert.match((q!.contents as MarkupContent).value, /dubs\.policy.*dub policy/s);
});

const SCRATCH = uriOf('experiments/lsp-scratch-not-on-disk.lssd');

test('completion: field paths in context, enum values, units, backbones by modality, names after extends / init from / probes', async () => {
  const text = [
    'import "./A2.lssd"', '',
    'experiment scratch extends A2 {',
    '  data.ba',
    '  dubs.policy = ',
    '  views.audio { sample_rate = 48 }',
    '  model.audio = ',
    '  data.titles { original_language = [E] }',
    '  optim.duration = 12 ',
    '  init from ',
    '  probes = [es]',
    '  da',
    '  views.video.flip = ',
    '  dubs { policy = fixed() }',
    '}', '',
    'experiment other extends ',
  ].join('\n');
  c.open(SCRATCH, text);
  const at = async (needle: string, delta: number) => labels(await c.conn.sendRequest(CompletionRequest.type, { textDocument: { uri: SCRATCH }, position: pos(text, needle, delta) }));
  const batch = await at('data.ba', 7);
  assert.ok(batch.includes('batch') && batch.includes('budget') && !batch.includes('policy'), batch.join());
  const policy = await at('policy = ', 9);
  for (const p of ['off', 'any', 'fixed(…)', 'random(…)', 'round_robin(…)']) assert.ok(policy.includes(p), policy.join());
  assert.deepEqual(await at('= 48', 4), ['Hz', 'kHz']);
  const audio = await at('model.audio = ', 14);
  assert.ok(audio.includes('mvit_s_audio') && !audio.includes('mvit_s'), audio.join());
  const langs = await at('[E]', 2);
  assert.deepEqual(langs.slice(0, 7), ['EN', 'ES', 'FR', 'JA', 'DE', 'IT', 'KO']);
  assert.deepEqual(await at('= 12 ', 5), ['epochs', 'steps']);
  const init = await at('init from ', 10);
  assert.ok(init.includes('A2') && init.includes('A1') && init.includes('random') && !init.includes('scratch'), init.join());
  const probes = await at('[es', 3);
  assert.ok(probes.includes('esc50') && probes.includes('fsd50k'), probes.join());
  const top = await at('  da\n', 4);
  assert.ok(top.includes('data') && top.includes('dubs') && top.includes('init from'), top.join());
  assert.deepEqual(await at('flip = ', 7), ['true', 'false']);
  assert.deepEqual((await at('fixed(', 6)).slice(0, 3), ['EN', 'ES', 'FR']);
  const ext = await at('other extends ', 14);
  assert.ok(ext.includes('A2') && ext.includes('paper_main') && ext.includes('scratch'), ext.join());
});

test('definition and references: experiments across files, imports, backbones', async () => {
  const d = await c.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri: A4 }, position: pos(a4, 'extends A2', 9) }) as Location;
  assert.equal(d.uri, A2);
  assert.deepEqual(d.range.start, pos(a2, 'A2 extends'));
  const imp = await c.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri: A4 }, position: pos(a4, './A2', 2) }) as Location;
  assert.equal(imp.uri, A2);
  const bb = await c.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri: SCRATCH }, position: { line: 0, character: 0 } });
  assert.equal(bb, null);
  const refs = await c.conn.sendRequest(ReferencesRequest.type, { textDocument: { uri: A2 }, position: pos(a2, 'A2 extends'), context: { includeDeclaration: true } });
  const where = refs!.map((r) => `${r.uri.slice(r.uri.lastIndexOf('/') + 1)}:${r.range.start.line}`).sort();
  assert.deepEqual(where, ['A2.lssd:3', 'A4.lssd:3', 'A4.lssd:5', 'lsp-scratch-not-on-disk.lssd:2']);
  const paper = diskText('stdlib/paper.lssd');
  const mvit = await c.conn.sendRequest(ReferencesRequest.type, { textDocument: { uri: uriOf('stdlib/paper.lssd') }, position: pos(paper, 'mvit_s_audio'), context: { includeDeclaration: false } });
  assert.ok(mvit!.some((r) => r.uri.endsWith('stdlib/paper.lssd')), JSON.stringify(mvit));
  const importRefs = await c.conn.sendRequest(ReferencesRequest.type, { textDocument: { uri: A4 }, position: pos(a4, './A2', 2), context: { includeDeclaration: false } });
  assert.deepEqual(importRefs!.map((r) => r.uri).sort(), [A4, SCRATCH].sort());
});

test('rename an experiment across files; a backbone is refused with a message', async () => {
  const prep = await c.conn.sendRequest(PrepareRenameRequest.type, { textDocument: { uri: A4 }, position: pos(a4, 'init from A2', 10) });
  assert.deepEqual((prep as { placeholder: string }).placeholder, 'A2');
  const edit = await c.conn.sendRequest(RenameRequest.type, { textDocument: { uri: A4 }, position: pos(a4, 'init from A2', 10), newName: 'A2_dubbed' });
  const changes = edit!.changes!;
  assert.deepEqual(Object.keys(changes).sort(), [A2, A4, SCRATCH].sort());
  assert.equal(changes[A4].length, 2);
  assert.ok(Object.values(changes).flat().every((e) => e.newText === 'A2_dubbed'));
  await assert.rejects(c.conn.sendRequest(RenameRequest.type, { textDocument: { uri: A4 }, position: pos(a4, 'init from A2', 10), newName: 'A1' }), /already declared/);
  const paper = diskText('stdlib/paper.lssd');
  await assert.rejects(c.conn.sendRequest(PrepareRenameRequest.type, { textDocument: { uri: uriOf('stdlib/paper.lssd') }, position: pos(paper, 'mvit_s_audio') }), /only experiments and presets/);
});

test('formatting is compiler/fmt; document symbols list declarations and their entries', async () => {
  const messy = 'import "./A2.lssd"\nexperiment   tidy extends A2 {  label="x"\n loss { lambda_a=0.2 } }\n';
  const uri = uriOf('experiments/lsp-format-not-on-disk.lssd');
  c.open(uri, messy);
  const edits = await c.conn.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
  assert.equal(edits!.length, 1);
  assert.equal(edits![0].newText, format(parse({ name: 'x', text: messy }).value!));
  const syms = await c.conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: A4 } }) as DocumentSymbol[];
  assert.deepEqual(syms.map((s) => [s.name, s.detail]), [['A4', 'extends A2']]);
  assert.deepEqual(syms[0].children!.map((s) => s.name), ['label', 'init from', 'loss.lambda_a']);
});

test('every experiment and stdlib file opens without diagnostics (the same verdict as lssdc check)', async () => {
  const { readdirSync, statSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { repoRoot } = await import('./client.ts');
  const files: string[] = [];
  const walk = (dir: string) => { for (const n of readdirSync(join(repoRoot, dir)).sort()) { const p = `${dir}/${n}`; if (statSync(join(repoRoot, p)).isDirectory()) walk(p); else if (n.endsWith('.lssd')) files.push(p); } };
  walk('experiments'); walk('stdlib');
  const got: Record<string, Diagnostic[]> = {};
  for (const f of files) if (!f.endsWith('A2.lssd') && !f.endsWith('A4.lssd')) c.open(uriOf(f), diskText(f));
  for (const f of files) if (!f.endsWith('A2.lssd') && !f.endsWith('A4.lssd')) got[f] = await c.diagnostics(uriOf(f));
  for (const [f, ds] of Object.entries(got)) assert.deepEqual(ds.filter((d) => d.severity === 1), [], f);
});
