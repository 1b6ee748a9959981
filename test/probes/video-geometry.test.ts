// Probe clips take the training views' geometry: T frames spread over the view window (the sampler reads
// frame base + floor(f·span/T)), not T consecutive frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { videoWindows } from '../../runtime/probes/embed.ts';

/** n frames of 1×1 pixels whose value is the frame index. */
const frames = (n: number) => ({ frames: Uint8Array.from({ length: n * 3 }, (_, i) => Math.floor(i / 3)), n, h: 1, w: 1 });
const firstChannel = (w: { data: Float32Array; k: number }, T: number) =>
  Array.from({ length: w.k }, (_, c) => Array.from({ length: T }, (_, t) => Math.round(w.data[(c * T + t) * 3] * 255)));

test('a 3 s view at 8 fps spreads 4 frames over 24 decoded frames; windows every 2 s; end-aligned tail', () => {
  // 40 frames = 5 s at 8 fps; span 24 (3 s), stride 16 (2 s): starts 0, 16 (16 + 24 ≤ 40), tail at 16 already covers → no extra
  assert.deepEqual(firstChannel(videoWindows(frames(40), 4, 24, 16), 4), [[0, 6, 12, 18], [16, 22, 28, 34]]);
  // 44 frames: starts 0, 16, then the tail aligned to the end (20)
  assert.deepEqual(firstChannel(videoWindows(frames(44), 4, 24, 16), 4), [[0, 6, 12, 18], [16, 22, 28, 34], [20, 26, 32, 38]]);
});

test('short clips repeat their last frame; span = T is the old consecutive-chunk behaviour', () => {
  assert.deepEqual(firstChannel(videoWindows(frames(10), 4, 24, 16), 4), [[0, 6, 9, 9]]);
  assert.deepEqual(firstChannel(videoWindows(frames(8), 4), 4), [[0, 1, 2, 3], [4, 5, 6, 7]]);
});
