// Shot segmentation: a sidecar `<name>.cuts.json` ({ "cuts": [seconds…] }) when present, otherwise ffmpeg's
// scene-change score (`select=gt(scene,T)` + showinfo). Both passes also tell how much of the file really
// decodes, which is how truncated files are caught.
import { existsSync, readFileSync } from 'node:fs';
import type { Shot } from '../contracts.ts';
import { runFfmpeg } from './decode.ts';
import { DataCodes, LssdError, firstLine } from './errors.ts';

/** `<dir>/<base>.cuts.json` for `<dir>/<base>.<ext>`. */
export function sidecarPath(mediaPath: string): string {
  return mediaPath.replace(/\.[^./]+$/, '') + '.cuts.json';
}

export function readSidecarCuts(path: string): number[] | null {
  if (!existsSync(path)) return null;
  let j: unknown;
  try { j = JSON.parse(readFileSync(path, 'utf8')); } catch (e) {
    throw new LssdError(DataCodes.badSidecar, `cuts sidecar is not valid JSON (${(e as Error).message})`, { path, hint: 'expected { "cuts": [seconds, …] }' });
  }
  const cuts = (j as { cuts?: unknown })?.cuts;
  if (!Array.isArray(cuts) || cuts.some((c) => typeof c !== 'number' || !Number.isFinite(c) || c < 0)) {
    throw new LssdError(DataCodes.badSidecar, 'cuts sidecar has no `cuts` array of non-negative seconds', { path, hint: 'expected { "cuts": [seconds, …] }' });
  }
  return [...(cuts as number[])].sort((a, b) => a - b);
}

/** Last `time=HH:MM:SS.xx` progress stamp in ffmpeg's stderr, in seconds (NaN if none). */
export function lastProgressTime(stderr: string): number {
  const all = [...stderr.matchAll(/time=\s*(\d+):(\d+):(\d+(?:\.\d+)?)/g)];
  if (!all.length) return NaN;
  const m = all[all.length - 1];
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

/**
 * Scene cuts by ffmpeg's scene score (0..1; higher threshold = fewer cuts). Frames are downscaled to
 * 160 px wide first: the score is a frame-difference statistic and barely changes, while decoding is cheap.
 * Cut times are relative to the container's start time. stderr is parsed line by line (a feature film
 * has thousands of cuts).
 */
export async function detectSceneCuts(path: string, threshold: number, startTime = 0): Promise<number[]> {
  if (!(threshold > 0 && threshold < 1)) throw new LssdError(DataCodes.badArgument, `scene threshold must be in (0,1), got ${threshold}`, { hint: 'typical values 0.2–0.4' });
  const cuts: number[] = [];
  try {
    await runFfmpeg(['-v', 'info', '-nostats', '-i', path, '-map', '0:v:0', '-an',
      '-vf', `scale=160:-2,select=gt(scene\\,${threshold}),showinfo`, '-f', 'null', '-'], {
      onLine: (l) => {
        const m = /Parsed_showinfo.*pts_time:\s*([\d.]+)/.exec(l);
        if (m) cuts.push(Math.max(0, Number(m[1]) - startTime));
      },
    });
  } catch (e) {
    throw new LssdError(DataCodes.decodeFailed, `scene detection failed: ${firstLine(e)}`, { path, hint: 'the file may be damaged; provide a .cuts.json sidecar to skip detection' });
  }
  return cuts;
}

/** Seconds of audio that actually decode (fast: decode to null). */
export async function decodableSeconds(path: string, stream: number): Promise<number> {
  try {
    const r = await runFfmpeg(['-v', 'error', '-stats', '-i', path, '-map', `0:${stream}`, '-f', 'null', '-']);
    return lastProgressTime(r.stderr);
  } catch (e) {
    throw new LssdError(DataCodes.decodeFailed, `audio does not decode: ${firstLine(e)}`, { path, hint: 'the file may be damaged' });
  }
}

/** Shots between consecutive cuts (cuts outside (0, duration) ignored; shots shorter than 1 frame dropped). */
export function cutsToShots(cuts: number[], duration: number, minGap = 0.04): Shot[] {
  const bounds = [0, ...cuts.filter((c) => c > minGap && c < duration - minGap), duration];
  const shots: Shot[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const start = bounds[i], end = bounds[i + 1];
    if (end - start < minGap) continue;
    shots.push({ index: shots.length, start: round3(start), end: round3(end) });
  }
  return shots;
}

export const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Splits shots by the spec's length bounds (inclusive) and counts the rest. */
export function boundShots<T extends { start: number; end: number }>(shots: T[], min: number, max: number): { kept: T[]; tooShort: number; tooLong: number } {
  const kept: T[] = []; let tooShort = 0, tooLong = 0;
  for (const s of shots) {
    const len = s.end - s.start;
    if (len < min - 1e-6) tooShort++;
    else if (len > max + 1e-6) tooLong++;
    else kept.push(s);
  }
  return { kept, tooShort, tooLong };
}
