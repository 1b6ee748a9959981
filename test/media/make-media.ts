// Builds small test media with ffmpeg lavfi (no fixtures in git): hard cuts between visually distinct
// sources, several language-tagged audio tracks, and deliberately broken variants.
import { mkdirSync, readFileSync, writeFileSync, openSync, ftruncateSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runFfmpeg } from '../../runtime/media/decode.ts';

export interface MakeOpts {
  /** Shot durations in seconds; each shot uses a different lavfi source so cuts are hard. */
  shots: number[];
  /** Audio tracks: ISO 639-2 tag (or '' for none), `title` tag, sine frequency. */
  audio: { lang: string; title?: string; freq: number }[];
  size?: string;
  fps?: number;
}

const SOURCES = ['testsrc', 'smptebars', 'color=c=red', 'testsrc2', 'color=c=blue', 'rgbtestsrc', 'color=c=green', 'smptehdbars'];

export async function makeTitle(path: string, o: MakeOpts): Promise<void> {
  const size = o.size ?? '160x120', fps = o.fps ?? 25;
  const total = o.shots.reduce((a, b) => a + b, 0);
  const args: string[] = ['-y', '-v', 'error'];
  o.shots.forEach((d, i) => {
    const src = SOURCES[i % SOURCES.length];
    const sep = src.includes('=') ? ':' : '=';
    args.push('-f', 'lavfi', '-i', `${src}${sep}size=${size}:rate=${fps}:duration=${d}`);
  });
  o.audio.forEach((a) => args.push('-f', 'lavfi', '-i', `sine=frequency=${a.freq}:sample_rate=16000:duration=${total}`));
  const n = o.shots.length;
  const fc = o.shots.map((_, i) => `[${i}:v]format=yuv420p,setsar=1[v${i}]`).join(';') + ';' +
    o.shots.map((_, i) => `[v${i}]`).join('') + `concat=n=${n}:v=1:a=0[v]`;
  args.push('-filter_complex', fc, '-map', '[v]');
  o.audio.forEach((_, i) => args.push('-map', `${n + i}:a`));
  o.audio.forEach((a, i) => {
    if (a.lang) args.push(`-metadata:s:a:${i}`, `language=${a.lang}`);
    if (a.title) args.push(`-metadata:s:a:${i}`, `title=${a.title}`);
  });
  args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-c:a', 'aac', '-b:a', '48k', path);
  await runFfmpeg(args);
}

/** Keeps only the first `fraction` of a file's bytes (a copy cut short). */
export function truncateFile(src: string, dst: string, fraction: number): void {
  const buf = readFileSync(src);
  writeFileSync(dst, buf.subarray(0, Math.floor(buf.length * fraction)));
}

export function emptyFile(path: string): void {
  const fd = openSync(path, 'w'); ftruncateSync(fd, 0); closeSync(fd);
}

/** A small mixed directory: good titles (one with sidecar), truncated, no audio, und-only, zero-length, junk. */
export async function makeMixedDir(dir: string): Promise<{ good: string[]; bad: Record<string, string> }> {
  mkdirSync(dir, { recursive: true });
  const tri = [{ lang: 'eng', title: 'original', freq: 440 }, { lang: 'spa', title: 'dub', freq: 660 }, { lang: 'fre', title: 'dub', freq: 880 }];
  await makeTitle(join(dir, 'alpha.mkv'), { shots: [4, 5, 3.5, 6], audio: [...tri, { lang: 'zxx', title: 'speech_removed', freq: 220 }] });
  await makeTitle(join(dir, 'beta.mkv'), { shots: [3.2, 7, 4.5], audio: [{ lang: 'jpn', freq: 500 }, { lang: 'eng', freq: 300 }, { lang: 'und', freq: 350 }] });
  await makeTitle(join(dir, 'gamma.mkv'), { shots: [5, 5, 2], audio: [{ lang: 'deu', freq: 520 }] });
  writeFileSync(join(dir, 'gamma.cuts.json'), JSON.stringify({ cuts: [5, 10] }));
  await makeTitle(join(dir, 'noaudio.mkv'), { shots: [4, 4], audio: [] });
  await makeTitle(join(dir, 'undonly.mkv'), { shots: [4, 4], audio: [{ lang: 'und', freq: 440 }] });
  emptyFile(join(dir, 'empty.mkv'));
  writeFileSync(join(dir, 'junk.mp4'), 'this is not a media file at all\n'.repeat(100));
  const full = join(dir, 'alpha.mkv');
  truncateFile(full, join(dir, 'trunc.mkv'), 0.45);
  void statSync;
  return {
    good: ['alpha.mkv', 'beta.mkv', 'gamma.mkv'],
    bad: { 'noaudio.mkv': 'LSSD5003', 'undonly.mkv': 'LSSD5003', 'empty.mkv': 'LSSD5002', 'junk.mp4': 'LSSD5001', 'trunc.mkv': 'LSSD5005' },
  };
}
