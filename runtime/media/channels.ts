// The audio channel axis. Log-mels are computed once, mono; `pseudo_stereo` (B.3: "we duplicate mono
// audio to the second channel to form a pseudo-stereo input to match our model's architecture")
// repeats each value across the channel axis, channels last: [.., mels] → [.., mels, C].

/** Interleaves `mono` (any shape, channels last) into `channels` identical channels; `out` has length mono.length × channels. */
export function repeatChannels(mono: Float32Array, channels: number, out: Float32Array = new Float32Array(mono.length * channels)): Float32Array {
  if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`repeatChannels: channels must be a positive integer, got ${channels}`);
  if (out.length !== mono.length * channels) throw new RangeError(`repeatChannels: out has ${out.length} floats, expected ${mono.length} × ${channels}`);
  if (channels === 1) { out.set(mono); return out; }
  for (let i = 0, o = 0; i < mono.length; i++) for (let c = 0; c < channels; c++) out[o++] = mono[i];
  return out;
}
