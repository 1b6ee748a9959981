// Video probe clips are decoded once per clip file: the decode cache is keyed by the file's identity, so
// the hard-linked clips two tasks share (the synthetic corpus's video_scene and video_speakers) and every
// further checkpoint probed on them reuse one decode; the embeddings equal the uncached ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { taskEmbeddings, type MediaFns } from '../../runtime/probes/embed.ts';
import { loadHearTask } from '../../runtime/probes/hear.ts';
import type { Encoder } from '../../runtime/contracts.ts';
import { logMel } from '../../runtime/media/logmel.ts';

const T = 2, H = 4;

function videoTask(dir: string, name: string, clips: Record<string, string>, linkFrom?: string) {
  mkdirSync(join(dir, 'video', 'train'), { recursive: true });
  writeFileSync(join(dir, 'task_metadata.json'), JSON.stringify({ task_name: name, version: '0', embedding_type: 'scene', prediction_type: 'multiclass',
    split_mode: 'trainvaltest', sample_duration: 1, evaluation: ['top1_acc'], modality: 'video', splits: ['train'] }));
  writeFileSync(join(dir, 'labelvocabulary.csv'), 'idx,label\n0,a\n1,b\n');
  for (const f of Object.keys(clips)) {
    if (linkFrom) linkSync(join(linkFrom, 'video', 'train', f), join(dir, 'video', 'train', f));
    else writeFileSync(join(dir, 'video', 'train', f), `clip ${f}`);
  }
  writeFileSync(join(dir, 'train.json'), JSON.stringify(Object.fromEntries(Object.entries(clips).map(([f, l]) => [f, [l]]))));
  for (const split of ['valid', 'test']) { mkdirSync(join(dir, 'video', split), { recursive: true }); writeFileSync(join(dir, `${split}.json`), '{}'); }
}

function fakeVideoEncoder(specHash: string): Encoder {
  return {
    runDir: '/nonexistent', specHash, audio: { dim: 1, frames: 4, mels: 8, embed: async (_x: Float32Array, n: number) => new Float32Array(n) },
    // embedding of a window = its mean pixel value
    video: { dim: 1, shape: [T, H, H, 3], embed: async (x: Float32Array, n: number) => Float32Array.from({ length: n }, (_, i) => {
      const per = x.length / n; let s = 0; for (let j = 0; j < per; j++) s += x[i * per + j]; return s / per;
    }) },
    dispose() {},
  } as unknown as Encoder;
}

test('video clips decode once per file across tasks sharing hard-linked clips and across checkpoints', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lssd-vcache-'));
  try {
    const a = join(tmp, 'video_scene'); const b = join(tmp, 'video_speakers');
    videoTask(a, 'video_scene', { 'c1.mp4': 'a', 'c2.mp4': 'b', 'c3.mp4': 'a' });
    videoTask(b, 'video_speakers', { 'c1.mp4': 'b', 'c2.mp4': 'a', 'c3.mp4': 'b' }, a);
    const decoded: string[] = [];
    const media: MediaFns = {
      decodeAudio: async () => { throw new Error('no audio'); }, logMel,
      decodeVideo: async (path, o) => {
        decoded.push(path);
        assert.equal(o.size, H);
        const n = 3; const v = path.endsWith('c1.mp4') ? 10 : path.endsWith('c2.mp4') ? 100 : 200;
        return { frames: new Uint8Array(n * H * H * 3).fill(v), n, h: H, w: H };
      },
    };
    const settings = { modality: 'video' as const, audio: { sample_rate: 16000, n_fft: 512, hop: 320, mels: 8, db: true } as never,
      video: { fps: 4, crop: H, frames: T } as never, window: 1 };
    const cache = join(tmp, 'probe-features');
    const first = await taskEmbeddings(loadHearTask(a), fakeVideoEncoder('ckpt-1'), settings, media, join(tmp, 'run1'), { melCacheDir: cache });
    assert.equal(decoded.length, 3);
    const second = await taskEmbeddings(loadHearTask(b), fakeVideoEncoder('ckpt-1'), settings, media, join(tmp, 'run1'), { melCacheDir: cache });
    assert.equal(decoded.length, 3, 'the other task reads the same files from the cache');
    const third = await taskEmbeddings(loadHearTask(a), fakeVideoEncoder('ckpt-2'), settings, media, join(tmp, 'run2'), { melCacheDir: cache });
    assert.equal(decoded.length, 3, 'a second checkpoint decodes nothing');
    assert.equal(third.cached, false);
    assert.equal(readdirSync(join(cache, 'video')).length, 3);
    const uncached = await taskEmbeddings(loadHearTask(a), fakeVideoEncoder('ckpt-3'), settings, media, join(tmp, 'run3'));
    assert.equal(decoded.length, 6, 'without a cache directory every clip is decoded');
    assert.deepEqual([...first.x], [...uncached.x]);
    assert.deepEqual([...first.x].map((v) => Math.round(v * 255)), [10, 100, 200]);
    assert.deepEqual([...second.x].map((v) => Math.round(v * 255)), [10, 100, 200]);
    // A rewritten clip (new mtime) is decoded again.
    utimesSync(join(a, 'video', 'train', 'c2.mp4'), new Date(0), new Date(5000));
    await taskEmbeddings(loadHearTask(a), fakeVideoEncoder('ckpt-4'), settings, media, join(tmp, 'run4'), { melCacheDir: cache });
    assert.deepEqual(decoded.slice(6).map((p) => p.slice(-6)), ['c2.mp4']);
  } finally { rmSync(tmp, { recursive: true, force: true }); }
});

test('a failing decode is reported for its clip, after the decodes started ahead of it settle', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lssd-vcache-'));
  try {
    const a = join(tmp, 'v');
    videoTask(a, 'v', { 'c1.mp4': 'a', 'c2.mp4': 'b', 'c3.mp4': 'a', 'c4.mp4': 'b' });
    const media: MediaFns = {
      decodeAudio: async () => { throw new Error('no audio'); }, logMel,
      decodeVideo: async (path) => {
        if (path.endsWith('c2.mp4')) throw new Error("ffmpeg exited with code 1\nStream map '0:v:0' matches no streams.");
        return { frames: new Uint8Array(3 * H * H * 3), n: 3, h: H, w: H };
      },
    };
    const settings = { modality: 'video' as const, audio: { sample_rate: 16000, n_fft: 512, hop: 320, mels: 8, db: true } as never,
      video: { fps: 4, crop: H, frames: T } as never, window: 1 };
    await assert.rejects(taskEmbeddings(loadHearTask(a), fakeVideoEncoder('x'), settings, media, join(tmp, 'run'), { melCacheDir: join(tmp, 'pf') }),
      (e: Error & { code?: string; hint?: string }) => e.code === 'LSSD5406' && /c2\.mp4/.test(String((e as { path?: string }).path)) && /modality = audio/.test(e.hint ?? ''));
  } finally { rmSync(tmp, { recursive: true, force: true }); }
});
