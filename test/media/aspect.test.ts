// Crops over the whole frame (appendix A: "randomly scale the shorter side of video within 256–320,
// then a random 224×224 crop"), on generated 16:9 and 2.39:1 media: the feature cache keeps the whole
// frame with its aspect ratio (short side at the top of the scale range), the sampler's crops reach
// both horizontal edges, and probes decode the centre crop of the full frame.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CatalogTitle } from '../../runtime/contracts.ts';
import { runFfmpeg, decodeVideo } from '../../runtime/media/decode.ts';
import { cachedFrameSize, extractTitle, FeatureReader } from '../../runtime/media/features.ts';
import { Sampler, type SamplerConfig } from '../../runtime/media/sampler.ts';
import { rng } from '../../runtime/media/rng.ts';

let tmp: string;
// Red encodes the column (0 at the left edge, 255 at the right), green the row; lossless (ffv1) so
// the values survive encoding.
async function gradient(path: string, w: number, h: number): Promise<void> {
  await runFfmpeg(['-y', '-v', 'error', '-f', 'lavfi', '-i', `nullsrc=s=${w}x${h}:r=4:d=2,geq=r='X*255/(W-1)':g='Y*255/(H-1)':b=128`,
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=16000:duration=2', '-map', '0:v', '-map', '1:a',
    '-c:v', 'ffv1', '-pix_fmt', 'bgr0', '-c:a', 'pcm_s16le', path]);
}
const title = (path: string, w: number, h: number): CatalogTitle => ({
  id: path, path, hash: `aspect-${w}x${h}`, title: path, kind: 'movie', duration: 2, originalLanguage: 'en',
  video: { width: w, height: h, fps: 4 }, audio: [{ stream: 1, language: 'en', channels: 1, role: 'original' }], shots: [{ index: 0, start: 0, end: 2 }],
});
const media = [{ name: '16:9', w: 192, h: 108 }, { name: '2.39:1', w: 258, h: 108 }];

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'lssd-aspect-'));
  await Promise.all(media.map((m) => gradient(join(tmp, `${m.w}x${m.h}.mkv`), m.w, m.h)));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('cached frame size: short side = size, long side in proportion', () => {
  assert.deepEqual(cachedFrameSize(1920, 1080, 320), { width: 569, height: 320 });
  assert.deepEqual(cachedFrameSize(2048, 858, 320), { width: 764, height: 320 });
  assert.deepEqual(cachedFrameSize(1080, 1920, 320), { width: 320, height: 569 });
  assert.deepEqual(cachedFrameSize(500, 500, 320), { width: 320, height: 320 });
});

for (const m of media) {
  test(`${m.name}: the cache keeps the whole frame, and random crops reach both edges`, async () => {
    const size = 36, crop = 32;
    const t = title(join(tmp, `${m.w}x${m.h}.mkv`), m.w, m.h);
    const { dir, meta } = await extractTitle(t, { fps: 4, size, sampleRate: 16000, nFft: 512, hop: 256, mels: 32, db: true }, { root: join(tmp, '.lssd'), video: true });
    const want = cachedFrameSize(m.w, m.h, size);
    assert.deepEqual([meta.video!.width, meta.video!.height], [want.width, want.height]);
    assert.equal(meta.video!.height, size, 'short side at the top of the scale range');
    const reader = new FeatureReader(dir, meta);
    const frame = new Uint8Array(want.width * want.height * 3);
    reader.readFrame(3, frame);
    const mid = Math.floor(want.height / 2) * want.width * 3;
    assert.ok(frame[mid] < 8, `left edge of the source kept (red ${frame[mid]})`);
    assert.ok(frame[mid + (want.width - 1) * 3] > 247, `right edge kept (red ${frame[mid + (want.width - 1) * 3]})`);

    const cfg: SamplerConfig = {
      seed: 1, batchSize: 4, devices: 1, sameTitle: 1, windowLength: 1, policy: 'off', languages: [],
      video: { fps: 4, frames: 1, size, scaleMin: crop, scaleMax: size, crop, flip: false },
      audio: { frames: 1, mels: 32, framesPerSecond: 62.5, timeMask: 0, freqMask: 0 },
    };
    // Geometry: offsets over the whole scaled width, not a centre square.
    let maxOx = 0, widest = 0;
    for (let e = 0; e < 400; e++) {
      const g = Sampler.viewGeometry(cfg.video!, want, rng(1, 0, 3, e));
      assert.ok(g.ox >= 0 && g.ox + crop <= g.width && g.oy >= 0 && g.oy + crop <= g.height, JSON.stringify(g));
      assert.equal(g.width, Math.floor((want.width * g.scale) / size));
      maxOx = Math.max(maxOx, g.ox); widest = Math.max(widest, g.width);
    }
    assert.ok(maxOx > widest - crop - 3 && maxOx > 2 * (size - crop), `horizontal jitter spans the frame: max offset ${maxOx} of ${widest - crop}`);
    // Pixels: across many views, the crops' red values cover the full width of the source.
    const s = new Sampler([{ index: 0, reader, shots: t.shots, primary: { stream: 1, lang: 'en' }, dubs: [] }], cfg);
    let lo = 255, hi = 0;
    for (let step = 0; step < 60; step++) {
      const b = s.batch(step);
      for (let e = 0; e < b.size; e++) {
        const v = b.vp!.subarray(e * crop * crop * 3, (e + 1) * crop * crop * 3);
        for (let y = 0; y < crop; y++) { lo = Math.min(lo, v[(y * crop) * 3] * 255); hi = Math.max(hi, v[(y * crop + crop - 1) * 3] * 255); }
      }
    }
    // A centre square of side `height` would never see red below (W - H) / 2 / W × 255.
    const centreLo = ((want.width - want.height) / 2 / want.width) * 255;
    assert.ok(lo < 20 && lo < centreLo / 2, `left edge reached: red ${lo.toFixed(1)} (a centre square starts at ${centreLo.toFixed(1)})`);
    assert.ok(hi > 235, `right edge reached: red ${hi.toFixed(1)}`);
    reader.close();
  });

  test(`${m.name}: probes decode the centre crop of the full frame`, async () => {
    const v = await decodeVideo(join(tmp, `${m.w}x${m.h}.mkv`), { fps: 4, size: 32, start: 0, duration: 1 });
    assert.deepEqual([v.h, v.w], [32, 32]);
    // Short side scaled to 32, long side in proportion, the middle 32 columns kept: red centred on 127.5.
    const scaledW = (m.w * 32) / m.h;
    const first = ((scaledW - 32) / 2 + 0.5) / scaledW * 255, last = ((scaledW + 32) / 2 - 0.5) / scaledW * 255;
    const row = 16 * 32 * 3;
    assert.ok(Math.abs(v.frames[row] - first) < 6, `first column red ${v.frames[row]} ≈ ${first.toFixed(1)}`);
    assert.ok(Math.abs(v.frames[row + 31 * 3] - last) < 6, `last column red ${v.frames[row + 31 * 3]} ≈ ${last.toFixed(1)}`);
    // The full height is kept (green from top to bottom).
    assert.ok(v.frames[1] < 12 && v.frames[31 * 32 * 3 + 1] > 243, `rows: green ${v.frames[1]} .. ${v.frames[31 * 32 * 3 + 1]}`);
  });
}
