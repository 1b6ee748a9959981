// The field table, units and consequence classes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consequenceOf, FIELDS, fieldAt, isLanguage } from '../../compiler/schema/index.ts';
import { toBase, unitInfo } from '../../compiler/units.ts';
import { stageHashes } from '../../compiler/hash.ts';
import { compileFile } from '../../compiler/index.ts';
import { nodeHost } from '../../runtime/host.ts';

test('consequence classes of resolved-spec paths', () => {
  assert.equal(consequenceOf('data.filters.dubs.min'), 'pretrain');
  assert.equal(consequenceOf('data.expected.avg_dubs'), 'none');
  assert.equal(consequenceOf('optim.optimizer.lr'), 'pretrain');
  assert.equal(consequenceOf('loss.lambda_a'), 'pretrain');
  assert.equal(consequenceOf('loss.track'), 'none');
  assert.equal(consequenceOf('probes[3].metric'), 'probe');
  assert.equal(consequenceOf('probes.0.probe.lr'), 'probe');
  assert.equal(consequenceOf('probes.group'), 'none');
  assert.equal(consequenceOf('label'), 'none');
  assert.equal(consequenceOf('runtime.workers'), 'none');
  assert.equal(consequenceOf('init'), 'pretrain');
  assert.equal(consequenceOf('something.new'), 'pretrain', 'unclassified paths are assumed to change the weights');
});

test('every surface field declares a consequence, a doc and a type', () => {
  for (const [schema, defs] of Object.entries(FIELDS)) {
    for (const d of defs) {
      assert.ok(['pretrain', 'probe', 'none'].includes(d.consequence), `${schema}.${d.path}`);
      assert.ok(d.doc.length > 5, `${schema}.${d.path} doc`);
      assert.ok(d.type.describe.length > 3, `${schema}.${d.path} describe`);
    }
  }
  assert.equal(fieldAt('backbone', 'config.depth')?.path, 'config.*');
  assert.equal(fieldAt('experiment', 'data.nope'), undefined);
});

test('units convert to base units exactly', () => {
  assert.equal(toBase(48, 'kHz'), 48000);
  assert.equal(toBase(44.1, 'kHz'), 44100);
  assert.equal(toBase(50, '%'), 0.5);
  assert.equal(toBase(250, 'ms'), 0.25);
  assert.equal(toBase(2, 'min'), 120);
  assert.equal(unitInfo('parsecs'), undefined);
  assert.ok(isLanguage('ko') && isLanguage('pt') && !isLanguage('xx'));
});

test('formatting and spelling never move a hash; a pretrain change does', () => {
  const host = nodeHost();
  const a = compileFile('experiments/A1.lssd', host).value!.experiments[0];
  const mem = (text: string) => ({ ...host, readFile: (p: string) => (p === 'm.lssd' ? text : host.readFile(p)) });
  const spelled = compileFile('m.lssd', mem('import "paper"\nexperiment A1 extends paper_main { label = "other"\n data.titles { dubs = 1..  original_language = [FR, ES, EN] }\n data.budget = 4600K shots  data.expected.avg_dubs = 2.8\n optim.duration = 27000 steps }\n')).value!.experiments[0];
  assert.equal(stageHashes(spelled).pretrain, stageHashes(a).pretrain);
  const changed = compileFile('m.lssd', mem('import "./experiments/A1.lssd"\nexperiment A1b extends A1 { views.audio.sample_rate = 44.1kHz }\n')).value!.experiments[0];
  assert.notEqual(stageHashes(changed).pretrain, stageHashes(a).pretrain);
});

test('a 400-deep extends chain resolves (memoised linearisation)', () => {
  const host = nodeHost();
  let s = 'import "cpu"\nexperiment e0 extends cpu_small { }\n';
  for (let i = 1; i < 400; i++) s += `experiment e${i} extends e${i - 1} { ${i % 7 === 0 ? `loss.lambda_a = ${i / 1000}` : ''} }\n`;
  const r = compileFile('chain.lssd', { ...host, readFile: (p: string) => (p === 'chain.lssd' ? s : host.readFile(p)) });
  assert.deepEqual(r.diagnostics, []);
  const last = r.value!.experiments[399];
  assert.equal(last.loss.lambda_a, 0.399);
  assert.equal(last.origin.extends.length, 400); // e398 … e0, cpu_small
});
