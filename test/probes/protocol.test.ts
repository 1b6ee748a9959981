// Golden tests of hear-eval-kit's protocol (runtime/probes/protocol.ts): the kit's stored row order, its
// fold rotation, the grid points it draws, selection on the first split and reuse of the winner, and every
// score of the task's metadata. Expected row orders were printed by Python 3.11 running the kit's own
// recipe (`prng = random.Random(); prng.seed(0)`, then `prng.shuffle(list(split_json.keys()))` split after split).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { foldPlans, kitRowOrder, loadHearTask } from '../../runtime/probes/hear.ts';
import { runProtocol, taskMetrics } from '../../runtime/probes/protocol.ts';

import { drawGrid, rng } from '../../runtime/probes/train-probe.ts';
import { probeSpec, useBackend } from './helpers.ts';

before(useBackend);

const FIXTURE = 'test/fixtures/hear/spoken_digit-mini';
const SHARED = '../shared/data/hear/spoken_digit-1.0.9-small';
const tail = (f: string) => f.split('-').pop();

test('rows in the kit\'s stored order: one random.Random(0) shuffles each split in metadata order', () => {
  const t = loadHearTask(FIXTURE);
  const order = kitRowOrder(t);
  assert.deepEqual(order.fold00.slice(0, 3).map((i) => tail(t.clips[i].file)), ['1227.wav', '102.wav', '1084.wav']);
  assert.deepEqual(order.fold01.slice(0, 3).map((i) => tail(t.clips[i].file)), ['10.wav', '1069.wav', '1624.wav']);
  assert.deepEqual(order.fold04.slice(0, 3).map((i) => tail(t.clips[i].file)), ['1310.wav', '1024.wav', '1451.wav']);
  for (const s of t.splits) assert.deepEqual([...order[s]].sort((a, b) => a - b), t.clips.flatMap((c, i) => (c.split === s ? [i] : [])));
});

test('the shared spoken_digit task in the kit\'s order (skipped when absent)', { skip: !existsSync(SHARED) && 'shared HEAR data not present' }, () => {
  const t = loadHearTask(SHARED);
  const order = kitRowOrder(t);
  assert.deepEqual(order.fold00.slice(0, 4).map((i) => tail(t.clips[i].file)), ['2030.wav', '88.wav', '708.wav', '2265.wav']);
  assert.deepEqual(order.fold03.slice(0, 4).map((i) => tail(t.clips[i].file)), ['1889.wav', '1082.wav', '394.wav', '1344.wav']);
});

test('fold rotation over sorted folds: data_splits_from_folds', () => {
  assert.deepEqual(foldPlans({ splitMode: 'kfold', splits: ['fold02', 'fold00', 'fold01'] }).map((p) => [p.test[0], p.valid[0], p.train.join('+')]),
    [['fold00', 'fold01', 'fold02'], ['fold01', 'fold02', 'fold00'], ['fold02', 'fold00', 'fold01']]);
});

test('primary metric: the spec\'s, else task_metadata.json evaluation[0]; the others reported too; event scores refused', () => {
  const meta = (evaluation: string[]) => ({ metadata: { evaluation }, prediction: 'multilabel' as const, dir: '/t' });
  assert.deepEqual(taskMetrics(meta(['mAP', 'd_prime', 'aucroc']), 'auto'), ['mAP', 'd_prime', 'aucroc']);
  assert.deepEqual(taskMetrics(meta(['mAP', 'top1_acc']), 'top1'), ['top1', 'mAP']);
  assert.deepEqual(taskMetrics(meta(['pitch_acc', 'chroma_acc']), 'auto'), ['top1', 'chroma']);
  assert.deepEqual(taskMetrics(meta([]), 'auto'), ['mAP']);
  assert.throws(() => taskMetrics(meta(['event_onset_200ms_fms']), 'auto'), (e: Error & { code?: string }) => e.code === 'LSSD5420');
});

/** Embeddings that carry the label (class mean + noise), row-aligned with task.clips. */
function labelEmbeddings(task: { clips: { labels: number[] }[] }, classes: number, dim: number, seed: number, noise = 0.8) {
  const r = rng(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: dim }, () => r() * 4 - 2));
  const x = new Float32Array(task.clips.length * dim);
  task.clips.forEach((c, i) => { for (let d = 0; d < dim; d++) x[i * dim + d] = c.labels.reduce((a, l) => a + centres[l][d], 0) + noise * (r() * 2 - 1); });
  return { x, dim };
}

const hearLike = probeSpec({ metric: 'auto' }, {
  kind: 'mlp', hidden: [[16], [16, 16]], dropout: [0.1], lr: [3.2e-3, 1e-3, 3.2e-4, 1e-4], init: ['xavier_uniform', 'xavier_normal'],
  hidden_norm: 'batchnorm', embedding_norm: 'identity', epochs: 30, batch: 1024, shuffle: false, val_every: 3, patience: 20, grid_points: 8, grid_seed: 42, select: 'first',
});

test('k-fold: 8 grid points searched on the first split only, the winner retrained on the other folds', async () => {
  const t = loadHearTask(FIXTURE);
  const r = await runProtocol(t, labelEmbeddings(t, t.labels.length, 8, 1), hearLike, 0);
  assert.deepEqual(r.folds.map((f) => f.fold), ['fold00', 'fold01', 'fold02', 'fold03', 'fold04']);
  assert.deepEqual(r.grid!.map((g) => [(g.hidden as number[]).length, g.init, g.lr]), drawGrid(hearLike.probe).map((c) => [c.hidden.length, c.init, c.lr]));
  const bestValid = Math.max(...r.grid!.map((g) => g.valid as number));
  const winner = r.grid!.find((g) => g.valid === bestValid)!; // the first of equals wins (stable sort)
  for (const f of r.folds) {
    assert.deepEqual([f.config.hidden, f.config.lr, f.config.init, f.config.dropout], [winner.hidden, winner.lr, winner.init, winner.dropout]);
  }
  assert.equal(r.folds[0].valid, winner.valid);
  assert.equal(r.metric, 'top1');
  assert.deepEqual(Object.keys(r.metrics!), ['top1']);
  assert.deepEqual(r.n, { train: 12, valid: 4, test: 4 });
});

test('train/valid/test multilabel task with integer labels, a label absent from test, and file names with spaces', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lssd-proto-'));
  writeFileSync(join(dir, 'task_metadata.json'), JSON.stringify({ task_name: 'tags', embedding_type: 'scene', prediction_type: 'multilabel',
    split_mode: 'trainvaltest', evaluation: ['mAP', 'd_prime', 'aucroc'], splits: ['train', 'valid', 'test'] }));
  writeFileSync(join(dir, 'labelvocabulary.csv'), 'idx,label\n0,0\n1,1\n2,2\n3,7\n');
  const r = rng(5);
  for (const split of ['train', 'valid', 'test']) {
    mkdirSync(join(dir, '16000', split), { recursive: true });
    const entries: Record<string, number[]> = {};
    for (let i = 0; i < 40; i++) {
      const labels = [0, 1, 2, 7].filter((l) => r() < 0.4 && !(split === 'test' && l === 7));
      entries[`clip ${split} ${i}.wav`] = labels;
    }
    writeFileSync(join(dir, `${split}.json`), JSON.stringify(entries));
  }
  const t = loadHearTask(dir);
  assert.ok(t.clips.some((c) => c.file.includes(' ')));
  const res = await runProtocol(t, labelEmbeddings(t, 4, 6, 2, 0.3), probeSpec({ metric: 'auto', prediction: 'multilabel' }, { ...hearLike.probe, epochs: 60 }), 0);
  assert.equal(res.metric, 'mAP');
  assert.deepEqual(Object.keys(res.metrics!), ['mAP', 'd_prime', 'aucroc']);
  assert.ok(res.value > 0.6, `mAP ${res.value}`);
  // label 7 never occurs in test: AP 0 for it (sklearn ≥ 1.1), AUC undefined → NaN, as the kit reports
  assert.ok(res.value <= 0.75 + 1e-9, 'a class without test positives counts as AP 0');
  assert.ok(Number.isNaN(res.metrics!.aucroc!.value) && Number.isNaN(res.metrics!.d_prime!.value));
  assert.equal(res.folds.length, 1);
});
