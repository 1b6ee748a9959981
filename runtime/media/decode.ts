// Decoding to raw arrays through the shipped ffmpeg binary (spawned directly with an argument vector:
// no shell; fluent-ffmpeg's stream piping buffers poorly for raw PCM/RGB output).
import { spawn } from 'node:child_process';
import { ffmpegPath } from './ffmpeg.ts';

export interface FfmpegResult { stdout: Buffer; stderr: string; code: number }

/**
 * Runs ffmpeg with `args` (input/output options, no binary name). Collects stdout when `collect` is true
 * (raw decodes to `pipe:1`); otherwise outputs go to files named in args. Rejects with the stderr tail.
 */
export function runFfmpeg(args: string[], opts: { collect?: boolean; onLine?: (line: string) => void } = {}): Promise<FfmpegResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(ffmpegPath(), ['-hide_banner', '-nostdin', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let partial = '';
    p.stdout.on('data', (b: Buffer) => { if (opts.collect) { chunks.push(b); size += b.length; } });
    p.stderr.on('data', (b: Buffer) => {
      const s = b.toString();
      stderr = (stderr + s).slice(-16000);
      if (opts.onLine) {
        const lines = (partial + s).split(/[\r\n]/);
        partial = lines.pop() ?? '';
        for (const l of lines) if (l) opts.onLine(l);
      }
    });
    p.on('error', reject);
    p.on('close', (code) => {
      if (opts.onLine && partial) opts.onLine(partial);
      if (code !== 0) reject(new Error(`ffmpeg exited with code ${code}\n${stderr}`));
      else resolve({ stdout: Buffer.concat(chunks, size), stderr, code: code ?? 0 });
    });
  });
}

function seekArgs(start?: number, duration?: number): { pre: string[]; post: string[] } {
  return { pre: start ? ['-ss', start.toFixed(6)] : [], post: duration !== undefined ? ['-t', duration.toFixed(6)] : [] };
}

/** Copies a Buffer's bytes into a fresh, aligned Float32Array (Buffers from a pipe are not 4-aligned). */
export function toFloat32(buf: Buffer): Float32Array {
  const out = new Float32Array(Math.floor(buf.length / 4));
  new Uint8Array(out.buffer).set(buf.subarray(0, out.length * 4));
  return out;
}

/**
 * Decodes one audio stream to mono float32 at `sampleRate`.
 * @param opts.stream absolute ffprobe stream index (default: the first audio stream)
 * @param opts.start seconds from the start (default 0); opts.duration seconds (default: to the end)
 */
export async function decodeAudio(path: string, opts: { sampleRate: number; stream?: number; start?: number; duration?: number }): Promise<Float32Array> {
  const { pre, post } = seekArgs(opts.start, opts.duration);
  const map = opts.stream === undefined ? '0:a:0' : `0:${opts.stream}`;
  const r = await runFfmpeg(['-v', 'error', ...pre, '-i', path, ...post, '-map', map, '-ac', '1', '-ar', String(opts.sampleRate),
    '-f', 'f32le', '-acodec', 'pcm_f32le', 'pipe:1'], { collect: true });
  return toFloat32(r.stdout);
}

/** ffmpeg video filter: resample to `fps`, scale the short side to `size`, centre-crop a square. */
export function videoFilter(fps: number, size: number): string {
  return `fps=${fps},scale=${size}:${size}:force_original_aspect_ratio=increase:flags=bilinear,crop=${size}:${size},format=rgb24`;
}

/**
 * Decodes video to rgb24 frames [n, size, size, 3] at `fps` (short side scaled to `size`, centre square).
 */
export async function decodeVideo(path: string, opts: { fps: number; size: number; start?: number; duration?: number }): Promise<{ frames: Uint8Array; n: number; h: number; w: number }> {
  const { pre, post } = seekArgs(opts.start, opts.duration);
  const r = await runFfmpeg(['-v', 'error', ...pre, '-i', path, ...post, '-map', '0:v:0', '-vf', videoFilter(opts.fps, opts.size),
    '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'], { collect: true });
  const frameBytes = opts.size * opts.size * 3;
  const n = Math.floor(r.stdout.length / frameBytes);
  return { frames: new Uint8Array(r.stdout.buffer, r.stdout.byteOffset, n * frameBytes), n, h: opts.size, w: opts.size };
}
