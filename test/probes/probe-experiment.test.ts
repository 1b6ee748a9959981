import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync, existsSync, readFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent } from '../../runtime/contracts.ts';
import { probeExperiment, resultsPath, runHashes } from '../../runtime/probes/index.ts';
import { audioWindows } from '../../runtime/probes/embed.ts';
import { fakeEncoder, probeSpec, testSpec, useBackend, writeToneTask } from './helpers.ts';

let tmp: string;
before(async () => { await useBackend(); tmp = mkdtempSync(join(tmpdir(), 'lssd-probe-')); });
after(() => rmSync(tmp, { recursive: true, force: true }));

const quick = { hidden: [[]], lr: [1e-2], epochs: 30, patience: 6 };

test('audio windows: stride, end-aligned tail, padding of short clips with the floor value', () => {
  const mel = { data: Float32Array.from({ length: 10 * 2 }, (_, i) => i), frames: 10, mels: 2 };
  const w = audioWindows(mel, 4, 4); // starts 0, 4, then tail aligned at 6
  assert.equal(w.k, 3);
  assert.deepEqual(Array.from(w.data.subarray(2 * 4 * 2, 3 * 4 * 2)), Array.from(mel.data.subarray(12, 20)));
  const short = audioWindows({ data: Float32Array.from([5, 6, 7, 8]), frames: 2, mels: 2 }, 4, 4);
  assert.equal(short.k, 1);
  assert.deepEqual(Array.from(short.data), [5, 6, 7, 8, 5, 5, 5, 5]);
});

test('probeExperiment on the spoken_digit fixture: k-fold results, atomic caches, cache hits', async () => {
  const runDir = join(tmp, 'run-digits');
  const spec = testSpec([probeSpec({}, quick)]);
  const enc = fakeEncoder({ mels: spec.views.audio.mels });
  const events: RunEvent[] = [];
  const [r] = await probeExperiment({ spec, runDir, root: join(tmp, 'root-digits'), encoder: enc, events: (e) => events.push(e) });
  assert.equal(r.task, 'spoken_digit');
  assert.equal(r.folds.length, 5);
  assert.deepEqual(r.folds.map((f) => f.fold), ['fold00', 'fold01', 'fold02', 'fold03', 'fold04']);
  assert.deepEqual(r.n, { train: 12, valid: 4, test: 4 });
  const mean = r.folds.reduce((a, f) => a + f.value, 0) / 5;
  assert.ok(Math.abs(r.value - mean) < 1e-12);
  assert.ok(r.std !== null && r.std >= 0);
  assert.ok(events.some((e) => e.type === 'probe-start' && e.n === 20));
  assert.ok(events.some((e) => e.type === 'probe-end' && e.task === 'spoken_digit'));
  const hashes = runHashes(spec, runDir);
  assert.ok(existsSync(resultsPath(runDir, hashes.probe)));
  assert.equal(readdirSync(join(runDir, 'embeddings')).length, 1);
  assert.ok(!readdirSync(join(runDir, 'embeddings')).some((n) => n.includes('.tmp')));

  // Same plan again: served from results.json, the encoder is never called.
  const calls = enc.calls;
  const again = await probeExperiment({ spec, runDir, root: join(tmp, 'root-digits'), encoder: enc });
  assert.deepEqual(again, [r]);
  assert.equal(enc.calls, calls);

  // A different probe setting (new probe hash) reuses the cached embeddings: no encoder calls.
  const spec2 = testSpec([probeSpec({}, { ...quick, lr: [3e-3] })]);
  assert.notEqual(runHashes(spec2, runDir).probe, hashes.probe);
  const [r2] = await probeExperiment({ spec: spec2, runDir, root: join(tmp, 'root-digits'), encoder: enc });
  assert.equal(enc.calls, calls);
  assert.equal(r2.folds.length, 5);

  // A different checkpoint (encoder hash) recomputes embeddings.
  const other = fakeEncoder({ mels: spec.views.audio.mels, specHash: 'other-checkpoint' });
  unlinkSync(resultsPath(runDir, hashes.probe));
  rmSync(join(runDir, 'probes', 'tasks'), { recursive: true });
  await probeExperiment({ spec, runDir, root: join(tmp, 'root-digits'), encoder: other });
  assert.ok(other.calls > 0);
  assert.equal(readdirSync(join(runDir, 'embeddings')).length, 2);
});

test('a probe learns tones through the whole pipeline; a shuffled-label control does not', async () => {
  const good = join(tmp, 'tones'); const shuffled = join(tmp, 'tones-shuffled');
  writeToneTask(good, { classes: 3, perSplit: 8 });
  writeToneTask(shuffled, { classes: 3, perSplit: 8, shuffleLabels: true });
  const probes = [probeSpec({ task: 'tones', source: { kind: 'dir', path: good }, group: 'sound_scene' }, quick),
    probeSpec({ task: 'tones_shuffled', source: { kind: 'dir', path: shuffled }, group: 'sound_scene' }, quick)];
  const spec = testSpec(probes);
  const res = await probeExperiment({ spec, runDir: join(tmp, 'run-tones'), root: tmp, encoder: fakeEncoder({ mels: spec.views.audio.mels }) });
  const byTask = Object.fromEntries(res.map((r) => [r.task, r]));
  assert.equal(byTask.tones.folds.length, 1);
  assert.equal(byTask.tones.std, null);
  assert.ok(byTask.tones.value >= 0.9, `tones top-1 ${byTask.tones.value}`);
  assert.ok(byTask.tones_shuffled.value <= 0.6, `shuffled control top-1 ${byTask.tones_shuffled.value} (chance 0.33)`);
});

test('external tasks are skipped with a warning naming the task; bad task dirs are diagnostics', async () => {
  const events: RunEvent[] = [];
  const spec = testSpec([probeSpec({ task: 'esc50', source: { kind: 'external', name: 'ESC-50' } })]);
  const res = await probeExperiment({ spec, runDir: join(tmp, 'run-ext'), root: tmp, encoder: fakeEncoder({ mels: 24 }), events: { onEvent: (e) => events.push(e) } });
  assert.deepEqual(res, []);
  assert.ok(events.some((e) => e.type === 'warning' && e.message.includes('esc50')));
  const bad = testSpec([probeSpec({ task: 'nope', source: { kind: 'dir', path: 'does/not/exist' } })]);
  await assert.rejects(probeExperiment({ spec: bad, runDir: join(tmp, 'run-bad'), root: tmp, encoder: fakeEncoder({ mels: 24 }) }),
    (e: Error & { code?: string }) => e.code === 'LSSD5401' && e.message.includes('directory'));
});

test('an interrupted probe run resumes task by task', async () => {
  const dir = join(tmp, 'tones2'); writeToneTask(dir, { classes: 2, perSplit: 4, seed: 9 });
  const probes = [probeSpec({ task: 'a', source: { kind: 'dir', path: dir } }, quick), probeSpec({ task: 'b', source: { kind: 'dir', path: dir } }, { ...quick, lr: [1e-3] })];
  const spec = testSpec(probes);
  const runDir = join(tmp, 'run-resume');
  const ac = new AbortController();
  const enc = fakeEncoder({ mels: 24 });
  const partial = await probeExperiment({ spec, runDir, root: tmp, encoder: enc, signal: ac.signal,
    events: (e) => { if (e.type === 'probe-end' && e.task === 'a') ac.abort(); } });
  assert.deepEqual(partial.map((r) => r.task), ['a']);
  assert.ok(!existsSync(resultsPath(runDir, runHashes(spec, runDir).probe)), 'no results.json for an interrupted plan');
  const started: string[] = [];
  const full = await probeExperiment({ spec, runDir, root: tmp, encoder: enc, events: (e) => { if (e.type === 'probe-start') started.push(e.task); } });
  assert.deepEqual(full.map((r) => r.task), ['a', 'b']);
  assert.deepEqual(started, ['b'], 'task a came from its per-task cache');
  assert.deepEqual(full[0], partial[0]);
  assert.ok(JSON.parse(readFileSync(resultsPath(runDir, runHashes(spec, runDir).probe), 'utf8')).results.length === 2);
});

test('log-mels are cached per task across checkpoints: a second encoder decodes nothing', async () => {
  const dir = join(tmp, 'tones-mel'); writeToneTask(dir, { classes: 2, perSplit: 3, seed: 21 });
  const { decodeAudio } = await import('../../runtime/media/decode.ts');
  const { logMel } = await import('../../runtime/media/logmel.ts');
  let decodes = 0;
  const media = { decodeAudio: (p: string, o: { sampleRate: number }) => { decodes++; return decodeAudio(p, o); }, logMel,
    decodeVideo: async () => { throw new Error('no video'); } };
  const spec = testSpec([probeSpec({ task: 'm', source: { kind: 'dir', path: dir } }, quick)]);
  const root = join(tmp, 'root-mel');
  const a = await probeExperiment({ spec, runDir: join(tmp, 'run-mel-a'), root, encoder: fakeEncoder({ mels: 24, specHash: 'a' }), media });
  assert.equal(decodes, 18);
  const b = await probeExperiment({ spec, runDir: join(tmp, 'run-mel-b'), root, encoder: fakeEncoder({ mels: 24, specHash: 'b', seed: 2 }), media });
  assert.equal(decodes, 18, 'second checkpoint reused the cached log-mels');
  assert.equal(readdirSync(join(root, 'probe-features')).filter((f) => f.endsWith('.f32')).length, 1);
  assert.equal(a[0].folds.length, 1); assert.equal(b[0].folds.length, 1);
});

test('regenerated media invalidates cached embeddings even when the split files are unchanged', async () => {
  const { taskFingerprint } = await import('../../runtime/probes/embed.ts');
  const { loadHearTask } = await import('../../runtime/probes/hear.ts');
  const { utimesSync } = await import('node:fs');
  const dir = join(tmp, 'tones-fp'); writeToneTask(dir, { classes: 2, perSplit: 2, seed: 5 });
  const before = taskFingerprint(loadHearTask(dir));
  assert.equal(taskFingerprint(loadHearTask(dir)), before, 'stable when nothing changed');
  utimesSync(join(dir, '16000', 'test', 'test-0-0.wav'), new Date(0), new Date(1000));
  assert.notEqual(taskFingerprint(loadHearTask(dir)), before);
});

test('a clip without the probed stream is a diagnostic naming the clip, with a hint', async () => {
  const dir = join(tmp, 'tones-bad'); writeToneTask(dir, { classes: 2, perSplit: 2, seed: 8 });
  const media = { decodeAudio: async () => { throw new Error("ffmpeg exited with code 1\nStream map '0:a:0' matches no streams."); },
    logMel: (await import('../../runtime/media/logmel.ts')).logMel, decodeVideo: async () => { throw new Error('no video'); } };
  const spec = testSpec([probeSpec({ task: 'bad', source: { kind: 'dir', path: dir } }, quick)]);
  await assert.rejects(probeExperiment({ spec, runDir: join(tmp, 'run-bad-media'), root: join(tmp, 'root-bad'), encoder: fakeEncoder({ mels: 24 }), media }),
    (e: Error & { code?: string; hint?: string }) => e.code === 'LSSD5406' && /matches no streams/.test(e.message) && /modality = video/.test(e.hint ?? ''));
});

test('--export-hear then --embeddings: the exported run scores the same through the imported layout', async () => {
  const { exportExperimentEmbeddings, probeEmbeddingsDir } = await import('../../runtime/probes/index.ts');
  const runDir = join(tmp, 'run-export');
  const probe = probeSpec({ metric: 'auto' }, quick);
  const spec = testSpec([probe]);
  const enc = fakeEncoder({ mels: spec.views.audio.mels });
  const root = join(tmp, 'root-export');
  const [direct] = await probeExperiment({ spec, runDir, root, encoder: enc });
  const out = join(tmp, 'export');
  const dirs = await exportExperimentEmbeddings({ spec, runDir, root, encoder: enc, out });
  assert.deepEqual(dirs, [join(out, 'spoken_digit')]);
  assert.ok(existsSync(join(out, 'spoken_digit', 'fold00.embeddings.npy')));
  const [imported] = await probeEmbeddingsDir(out, probe, { seed: spec.optim.seed });
  assert.equal(imported.task, 'spoken_digit');
  assert.deepEqual(imported.folds.map((f) => f.value), direct.folds.map((f) => f.value), 'same embeddings, same protocol, same seed: same numbers');
});
