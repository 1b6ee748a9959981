// Augmentations on known synthetic features: window slicing, SpecAugment-style masks within their
// fractions, scale+crop geometry and flips — checked value by value against the source arrays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sampler, type SamplerConfig, type SamplerTitle } from '../../runtime/media/sampler.ts';
import type { FeatureReader } from '../../runtime/media/features.ts';

const S = 24, FRAMES = 400, MELS = 16, VFRAMES = 80;

/** Mel value = frame * 100 + mel (unique); pixel = (x, y, frame) in (R, G, B). */
function fakeReader(): FeatureReader {
  const meta = { version: 1, hash: 'x', config: {} as never, video: { frames: VFRAMES, size: S, width: S, height: S, fps: 8 }, audio: { '1': { frames: FRAMES, mels: MELS, samples: 0 }, '2': { frames: FRAMES, mels: MELS, samples: 0 } }, seconds: 0 };
  return {
    dir: '/fake', meta,
    readMel(stream: number, f0: number, n: number, out: Float32Array) {
      for (let i = 0; i < n; i++) for (let m = 0; m < MELS; m++) out[i * MELS + m] = (f0 + i) * 100 + m + (stream === 2 ? 0.5 : 0);
    },
    readFrame(index: number, out: Uint8Array) {
      for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) { const o = (y * S + x) * 3; out[o] = x * 10; out[o + 1] = y * 10; out[o + 2] = Math.min(255, index); }
    },
    close() {},
  } as unknown as FeatureReader;
}

function setup(over: Partial<SamplerConfig> = {}) {
  const t: SamplerTitle = { index: 0, reader: fakeReader(), shots: [{ index: 0, start: 0, end: 4 }, { index: 1, start: 4, end: 9 }], primary: { stream: 1, lang: 'en' }, dubs: [{ stream: 2, lang: 'es' }] };
  const cfg: SamplerConfig = {
    seed: 3, batchSize: 4, devices: 1, sameTitle: 2, windowLength: 1, policy: 'any', languages: [],
    video: { fps: 8, frames: 4, size: S, scaleMin: S, scaleMax: S, crop: 16, flip: false },
    audio: { frames: 20, mels: MELS, framesPerSecond: 40, timeMask: 0, freqMask: 0 }, ...over,
  };
  return new Sampler([t, { ...t, index: 1 }], cfg);
}

test('audio views are the windows the plan chose, from the planned tracks', () => {
  const s = setup();
  for (let step = 0; step < 10; step++) {
    const plan = s.plan(step), b = s.batch(step);
    plan.forEach((p, e) => {
      for (const [arr, w, track] of [[b.ap, p.windows[0], 1], [b.as, p.windows[1], 2]] as const) {
        const f0 = Math.max(0, Math.min(Math.round(w * 40), FRAMES - 20));
        const v = arr.subarray(e * 20 * MELS, (e + 1) * 20 * MELS);
        for (let i = 0; i < 20; i++) for (let m = 0; m < MELS; m++) assert.equal(v[i * MELS + m], (f0 + i) * 100 + m + (track === 2 ? 0.5 : 0));
      }
    });
  }
});

test('time and frequency masks stay within their fractions and fill with the window mean', () => {
  const s = setup({ audio: { frames: 20, mels: MELS, framesPerSecond: 40, timeMask: 0.5, freqMask: 0.25 } });
  let maskedSome = false;
  for (let step = 0; step < 30; step++) {
    const plan = s.plan(step), b = s.batch(step);
    plan.forEach((p, e) => {
      const v = b.ap.subarray(e * 20 * MELS, (e + 1) * 20 * MELS);
      const f0 = Math.max(0, Math.min(Math.round(p.windows[0] * 40), FRAMES - 20));
      let mean = 0;
      for (let i = 0; i < 20; i++) for (let m = 0; m < MELS; m++) mean += (f0 + i) * 100 + m;
      mean /= 20 * MELS;
      const changed = (i: number, m: number) => v[i * MELS + m] !== (f0 + i) * 100 + m;
      const rows = Array.from({ length: 20 }, (_, i) => i).filter((i) => Array.from({ length: MELS }, (_, m) => m).every((m) => changed(i, m) || Math.abs((f0 + i) * 100 + m - mean) < 1e-3));
      const cols = Array.from({ length: MELS }, (_, m) => m).filter((m) => Array.from({ length: 20 }, (_, i) => i).every((i) => changed(i, m)));
      assert.ok(rows.length <= 10, `time mask ${rows.length} > 50% of 20 frames`);
      assert.ok(cols.length <= 4, `freq mask ${cols.length} > 25% of ${MELS} mels`);
      for (let i = 0; i < 20; i++) for (let m = 0; m < MELS; m++) if (changed(i, m)) { maskedSome = true; assert.ok(Math.abs(v[i * MELS + m] - mean) < 1e-2); }
    });
  }
  assert.ok(maskedSome);
});

test('video: crop at scale = size is an exact pixel crop; flips mirror; frames follow the window', () => {
  for (const flip of [false, true]) {
    const s = setup({ video: { fps: 8, frames: 4, size: S, scaleMin: S, scaleMax: S, crop: 16, flip } });
    let flipped = 0, total = 0;
    for (let step = 0; step < 10; step++) {
      const plan = s.plan(step), b = s.batch(step);
      plan.forEach((p, e) => {
        const v = b.vp!.subarray(e * 4 * 16 * 16 * 3, (e + 1) * 4 * 16 * 16 * 3);
        const oy = Math.round((v[1] * 255) / 10);
        const xa = Math.round((v[0] * 255) / 10), xb = Math.round((v[3] * 255) / 10);
        const mirrored = xb < xa;
        total++; if (mirrored) flipped++;
        const ox = mirrored ? xa - 15 : xa;
        assert.ok(oy >= 0 && oy <= S - 16 && ox >= 0 && ox <= S - 16);
        for (let f = 0; f < 4; f++) {
          const want = Math.min(255, Math.round(p.windows[0] * 8) + Math.floor((f * 8) / 4));
          for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) {
            const o = ((f * 16 + y) * 16 + x) * 3;
            const sx = mirrored ? ox + 15 - x : ox + x;
            assert.ok(Math.abs(v[o] * 255 - sx * 10) < 1e-3 && Math.abs(v[o + 1] * 255 - (oy + y) * 10) < 1e-3, `pixel (${y},${x})`);
            assert.ok(Math.abs(v[o + 2] * 255 - want) < 1e-3, `frame index at f=${f}`);
          }
        }
      });
    }
    if (flip) assert.ok(flipped > total / 5 && flipped < total, `flip rate ${flipped}/${total}`);
    else assert.equal(flipped, 0);
  }
});

test('video: random scale shrinks the field of view within [scale.min, scale.max]', () => {
  const s = setup({ video: { fps: 8, frames: 1, size: S, scaleMin: 16, scaleMax: S, crop: 16, flip: false } });
  const spans = new Set<number>();
  for (let step = 0; step < 20; step++) {
    const b = s.batch(step);
    for (let e = 0; e < b.size; e++) {
      const v = b.vp!.subarray(e * 16 * 16 * 3, (e + 1) * 16 * 16 * 3);
      // Source x range covered by the crop's first and last column: 15 px at scale S, up to 15 * S/16 at scale 16.
      const span = ((v[15 * 3] - v[0]) * 255) / 10;
      assert.ok(span >= 15 - 1e-3 && span <= 15 * (S / 16) + 1e-3, `span ${span}`);
      spans.add(Math.round(span * 10));
    }
  }
  assert.ok(spans.size > 3, 'several scales drawn');
});

test('pseudo-stereo: both channels are the masked mono view (channels last), batch shape [B, frames, mels, 2]', () => {
  const audio = { frames: 20, mels: MELS, framesPerSecond: 40, timeMask: 0.5, freqMask: 0.25 };
  const mono = setup({ audio }), st = setup({ audio: { ...audio, channels: 2 } });
  for (let step = 0; step < 5; step++) {
    const m = mono.batch(step), s = st.batch(step);
    assert.deepEqual(m.audioShape, [4, 20, MELS, 1]);
    assert.deepEqual(s.audioShape, [4, 20, MELS, 2]);
    for (const k of ['ap', 'as'] as const) {
      assert.equal(s[k].length, 2 * m[k].length);
      for (let i = 0; i < m[k].length; i++) { assert.equal(s[k][2 * i], m[k][i]); assert.equal(s[k][2 * i + 1], m[k][i]); }
    }
  }
});
