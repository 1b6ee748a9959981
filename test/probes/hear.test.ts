import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, writeFileSync, cpSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHearTask, foldPlans, clipPath, parseVocabulary } from '../../runtime/probes/hear.ts';
import { ProbeError } from '../../runtime/probes/errors.ts';

const FIXTURE = 'test/fixtures/hear/spoken_digit-mini';
const SHARED = '/work/shared/data/hear/spoken_digit-1.0.9-small';

const code = (fn: () => unknown) => { try { fn(); } catch (e) { assert.ok(e instanceof ProbeError, String(e)); return (e as ProbeError).code; } return 'no error'; };

test('loads the spoken_digit fixture in its HEAR format', () => {
  const t = loadHearTask(FIXTURE);
  assert.equal(t.name, 'spoken_digit');
  assert.equal(t.splitMode, 'kfold');
  assert.deepEqual(t.splits, ['fold00', 'fold01', 'fold02', 'fold03', 'fold04']);
  assert.equal(t.prediction, 'multiclass');
  assert.deepEqual(t.labels, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.deepEqual(t.rates, [44100]);
  assert.equal(t.clips.length, 20);
  // Labels are numbers in the fold JSON and strings in the vocabulary: matched by their text.
  const raw = JSON.parse(readFileSync(join(FIXTURE, 'fold00.json'), 'utf8')) as Record<string, number[]>;
  for (const c of t.clips.filter((c) => c.split === 'fold00')) assert.equal(t.labels[c.labels[0]], String(raw[c.file][0]));
  for (const c of t.clips) assert.ok(existsSync(clipPath(t, c, 44100)));
  // A rate that was not exported falls back to the highest one (the decoder resamples).
  assert.match(clipPath(t, t.clips[0], 16000), /\/44100\/fold00\//);
});

test('k-fold rotation: test fold i, validation fold i+1, train on the rest', () => {
  const plans = foldPlans(loadHearTask(FIXTURE));
  assert.equal(plans.length, 5);
  assert.deepEqual(plans[0], { name: 'fold00', test: ['fold00'], valid: ['fold01'], train: ['fold02', 'fold03', 'fold04'] });
  assert.deepEqual(plans[4], { name: 'fold04', test: ['fold04'], valid: ['fold00'], train: ['fold01', 'fold02', 'fold03'] });
  for (const p of plans) {
    const all = [...p.train, ...p.valid, ...p.test].sort();
    assert.deepEqual(all, ['fold00', 'fold01', 'fold02', 'fold03', 'fold04']);
  }
  assert.deepEqual(foldPlans({ splitMode: 'trainvaltest', splits: ['train', 'valid', 'test'] }),
    [{ name: 'test', train: ['train'], valid: ['valid'], test: ['test'] }]);
});

test('the full shared spoken_digit task loads (skipped when absent)', { skip: !existsSync(SHARED) && 'shared HEAR data not present' }, () => {
  const t = loadHearTask(SHARED);
  assert.equal(t.clips.length, 100);
  assert.equal(new Set(t.clips.map((c) => c.file)).size, 100);
  assert.equal(foldPlans(t).length, 5);
});

test('format problems are diagnostics with codes and paths', () => {
  assert.equal(code(() => loadHearTask('/nonexistent/task')), 'LSSD5401');
  const dir = mkdtempSync(join(tmpdir(), 'lssd-hear-'));
  try {
    cpSync(FIXTURE, join(dir, 't'), { recursive: true });
    const t = join(dir, 't');
    writeFileSync(join(t, 'fold02.json'), JSON.stringify({ 'x.wav': [42] }));
    const e = (() => { try { loadHearTask(t); } catch (err) { return err as ProbeError; } })();
    assert.equal(e?.code, 'LSSD5404');
    assert.match(e!.toDiagnostic().message, /label '42'.*fold02\.json/);
    writeFileSync(join(t, 'fold02.json'), '{ not json');
    assert.equal(code(() => loadHearTask(t)), 'LSSD5403');
    const meta = JSON.parse(readFileSync(join(t, 'task_metadata.json'), 'utf8'));
    writeFileSync(join(t, 'task_metadata.json'), JSON.stringify({ ...meta, embedding_type: 'event', prediction_type: 'multilabel' }));
    assert.equal(code(() => loadHearTask(t)), 'LSSD5405');
    writeFileSync(join(t, 'task_metadata.json'), JSON.stringify({ ...meta, split_mode: 'weird' }));
    assert.equal(code(() => loadHearTask(t)), 'LSSD5402');
    writeFileSync(join(t, 'task_metadata.json'), JSON.stringify(meta));
    rmSync(join(t, 'fold02.json'));
    assert.equal(code(() => loadHearTask(t)), 'LSSD5403');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('trainvaltest multilabel tasks and quoted vocabulary labels', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lssd-hear-'));
  try {
    writeFileSync(join(dir, 'task_metadata.json'), JSON.stringify({ task_name: 'ml', embedding_type: 'scene', prediction_type: 'multilabel', split_mode: 'trainvaltest' }));
    writeFileSync(join(dir, 'labelvocabulary.csv'), 'idx,label\n0,dog\n1,"car, horn"\n');
    for (const s of ['train', 'valid', 'test']) {
      writeFileSync(join(dir, `${s}.json`), JSON.stringify({ [`${s}.wav`]: ['dog', 'car, horn'] }));
      mkdirSync(join(dir, '48000', s), { recursive: true });
    }
    const t = loadHearTask(dir);
    assert.equal(t.prediction, 'multilabel');
    assert.deepEqual(t.labels, ['dog', 'car, horn']);
    assert.deepEqual(t.clips.map((c) => c.labels), [[0, 1], [0, 1], [0, 1]]);
    assert.equal(foldPlans(t).length, 1);
    assert.equal(code(() => parseVocabulary('label\n0,a', 'x.csv')), 'LSSD5402');
    assert.equal(code(() => parseVocabulary('idx,label\n1,a', 'x.csv')), 'LSSD5402');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('the WAV fast path reads PCM16 at the wanted rate exactly as ffmpeg decodes it, and declines other rates', async () => {
  const { readWavAtRate } = await import('../../runtime/probes/wav.ts');
  const { decodeAudio } = await import('../../runtime/media/decode.ts');
  const t = loadHearTask(FIXTURE);
  const path = clipPath(t, t.clips[0], 44100);
  const fast = readWavAtRate(path, 44100);
  assert.ok(fast && fast.length > 1000);
  const ref = await decodeAudio(path, { sampleRate: 44100 });
  assert.equal(fast.length, ref.length);
  let maxErr = 0; for (let i = 0; i < ref.length; i++) maxErr = Math.max(maxErr, Math.abs(fast[i] - ref[i]));
  assert.ok(maxErr < 1e-6, `max abs difference ${maxErr}`);
  assert.equal(readWavAtRate(path, 16000), null);
  assert.equal(readWavAtRate(join(FIXTURE, 'fold00.json'), 44100), null);
});
