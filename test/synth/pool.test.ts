// The synthesis pool (runtime/media/synth/pool.ts): a worker lane renders what the main thread renders
// given the same jobs in the same order, two lanes run at once and reproduce their titles (truth, cuts,
// every audio track decoded sample for sample; title 2 is lane 0's second job), errors come back
// (LssdErrors with their code), abort stops a running job.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rebuild, startPool } from '../../runtime/media/synth/pool.ts';
import { errorInfo, runJob, type SynthJob } from '../../runtime/media/synth/worker.ts';
import { planTitle } from '../../runtime/media/synth/plan.ts';
import { DEFAULT_KNOBS } from '../../runtime/media/synth/knobs.ts';
import { DEFAULT_DUBBING } from '../../runtime/media/synth/dubbing.ts';
import { ffmpeg, runCommand } from '../../runtime/media/ffmpeg.ts';
import { readWav, SR } from '../../runtime/media/synth/dsp.ts';
import { LssdError, SynthCodes } from '../../runtime/media/synth/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'lssd-synth-pool-'));
after(() => rmSync(root, { recursive: true, force: true }));

const seed = 5;
const plan = (index: number) => planTitle({ seed, index, minutesPerTitle: 8 / 60, languages: ['en', 'fr', 'ja'], knobs: DEFAULT_KNOBS, voiceMatch: DEFAULT_DUBBING.voice_match });
const titleJob = (index: number, outDir: string): SynthJob => {
  for (const d of ['titles', 'truth', 'work']) mkdirSync(join(outDir, d), { recursive: true });
  return { kind: 'title', plan: plan(index), opts: { seed, outDir, workDir: join(outDir, 'work'), knobs: DEFAULT_KNOBS, dubbing: DEFAULT_DUBBING } };
};

async function decode(path: string, stream: number): Promise<Buffer> {
  const out = join(root, `dec-${stream}-${Math.random().toString(36).slice(2)}.wav`);
  await runCommand(ffmpeg(path).outputOptions('-map', `0:${stream}`, '-ac', '1', '-ar', String(SR), '-c:a', 'pcm_s16le', '-f', 'wav').output(out));
  const w = readWav(readFileSync(out));
  rmSync(out);
  return Buffer.from(w.samples.buffer);
}

async function sameTitles(a: string, b: string, ids: string[]): Promise<void> {
  for (const id of ids) {
    assert.equal(readFileSync(join(a, 'truth', `${id}.json`), 'utf8'), readFileSync(join(b, 'truth', `${id}.json`), 'utf8'), `${id} truth`);
    assert.equal(readFileSync(join(a, 'titles', `${id}.cuts.json`), 'utf8'), readFileSync(join(b, 'titles', `${id}.cuts.json`), 'utf8'), `${id} cuts`);
    const tracks = JSON.parse(readFileSync(join(b, 'truth', `${id}.json`), 'utf8')).tracks as { stream: number }[];
    assert.ok(tracks.length >= 2, `${id} has its original and the speech-removed stem`);
    for (const t of tracks) {
      const [x, y] = await Promise.all([decode(join(a, 'titles', `${id}.mkv`), t.stream), decode(join(b, 'titles', `${id}.mkv`), t.stream)]);
      assert.ok(x.length > 0 && x.equals(y), `${id} stream ${t.stream} identical`);
    }
  }
}

test('one worker lane renders exactly what the main thread renders in the same order', async () => {
  const inThread = join(root, 'lane'), inMain = join(root, 'main');
  const pool = await startPool(1);
  try {
    assert.equal(pool.threads, 1, pool.why ?? 'no worker thread started');
    for (const i of [0, 1]) assert.equal(await pool.run(titleJob(i, inThread), 0), 1);
  } finally {
    await pool.close();
  }
  for (const i of [0, 1]) await runJob(titleJob(i, inMain));
  await sameTitles(inThread, inMain, [plan(0).id, plan(1).id]);
});

test('two lanes render in parallel, and the same jobs on the same lanes give the same titles again', async () => {
  const dirs = [join(root, 'two-a'), join(root, 'two-b')];
  for (const d of dirs) {
    const pool = await startPool(2);
    try {
      assert.equal(pool.threads, 2, pool.why ?? 'the pool started fewer threads than asked for');
      assert.deepEqual(await Promise.all([0, 1, 2].map((i) => pool.run(titleJob(i, d), i))), [1, 1, 1]);
    } finally {
      await pool.close();
    }
  }
  await sameTitles(dirs[0], dirs[1], [0, 1, 2].map((i) => plan(i).id));
});

test('a job that fails in a worker rejects with its error; LssdErrors keep code, hint and path; the pool keeps serving', async () => {
  const pool = await startPool(1);
  try {
    assert.equal(pool.threads, 1, pool.why);
    // <outDir>/titles is a file: the title cannot be written
    const bad = join(root, 'bad');
    for (const d of ['truth', 'work']) mkdirSync(join(bad, d), { recursive: true });
    writeFileSync(join(bad, 'titles'), 'not a directory');
    const job: SynthJob = { kind: 'title', plan: plan(0), opts: { seed, outDir: bad, workDir: join(bad, 'work'), knobs: DEFAULT_KNOBS, dubbing: DEFAULT_DUBBING } };
    const err = await pool.run(job, 0).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof Error && /ENOTDIR/.test(err.message), `the job failed with the worker's error (got ${String(err)})`);
    assert.equal(await pool.run(titleJob(0, join(root, 'after-error')), 0), 1);
  } finally {
    await pool.close();
  }
  // what a worker posts for an LssdError (structured clone, as postMessage does) comes back as one
  const info = structuredClone(errorInfo(new LssdError(SynthCodes.renderFailed, 'ffmpeg failed rendering syn0000', { path: '/x/syn0000.mkv', hint: 'check ffmpeg' })));
  const back = rebuild(info);
  assert.ok(back instanceof LssdError);
  assert.deepEqual([back.code, back.message, back.path, back.hint], [SynthCodes.renderFailed, 'ffmpeg failed rendering syn0000', '/x/syn0000.mkv', 'check ffmpeg']);
});

test('abort stops a running job and the pool closes', async () => {
  const ac = new AbortController();
  const pool = await startPool(1, ac.signal);
  const t0 = Date.now();
  const running = pool.run(titleJob(1, join(root, 'aborted')), 0).then(() => 'finished', (e: Error) => e.name);
  setTimeout(() => ac.abort(), 200);
  assert.equal(await running, 'AbortError');
  await pool.close();
  assert.ok(Date.now() - t0 < 20_000, 'stopped promptly');
});
