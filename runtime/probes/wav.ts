// Fast path for the common case of probe audio: a PCM (16-bit, 32-bit float) WAV already at the wanted
// sample rate — HEAR exports every task at several rates, and the synthetic tasks are written at the
// corpus rate. Parsing it here avoids an ffmpeg process per clip (hundreds per task); anything else
// (other rates, stereo, other codecs) returns null and goes through runtime/media's ffmpeg decoder.
import { readFileSync } from 'node:fs';

/** Mono samples in [-1, 1] when `path` is a mono PCM16/float32 WAV at `sampleRate`, else null. */
export function readWavAtRate(path: string, sampleRate: number): Float32Array | null {
  if (!path.toLowerCase().endsWith('.wav')) return null;
  let b: Buffer;
  try { b = readFileSync(path); } catch { return null; }
  if (b.length < 44 || b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') return null;
  let fmt: { format: number; channels: number; rate: number; bits: number } | null = null;
  for (let o = 12; o + 8 <= b.length;) {
    const id = b.toString('ascii', o, o + 4); const size = b.readUInt32LE(o + 4);
    const body = o + 8;
    if (id === 'fmt ' && size >= 16) {
      let format = b.readUInt16LE(body);
      if (format === 0xfffe && size >= 40) format = b.readUInt16LE(body + 24); // WAVE_FORMAT_EXTENSIBLE: sub-format GUID
      fmt = { format, channels: b.readUInt16LE(body + 2), rate: b.readUInt32LE(body + 4), bits: b.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!fmt || fmt.channels !== 1 || fmt.rate !== sampleRate) return null;
      const end = Math.min(b.length, body + size);
      if (fmt.format === 1 && fmt.bits === 16) {
        const n = Math.floor((end - body) / 2); const out = new Float32Array(n);
        for (let i = 0; i < n; i++) out[i] = b.readInt16LE(body + 2 * i) / 32768;
        return out;
      }
      if (fmt.format === 3 && fmt.bits === 32) {
        const n = Math.floor((end - body) / 4); const out = new Float32Array(n);
        for (let i = 0; i < n; i++) out[i] = b.readFloatLE(body + 4 * i);
        return out;
      }
      return null;
    }
    o = body + size + (size % 2);
  }
  return null;
}
