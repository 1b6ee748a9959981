// Generated footage with known shot boundaries, for the cut detector's test and bench/shots.ts: cuts
// between shots that look alike, fades through black, flashes inside shots (not cuts), fast pans and
// shake inside shots (not cuts). Everything is drawn by ffmpeg's lavfi sources; nothing is stored in git.
import { join } from 'node:path';
import { runFfmpeg } from '../../runtime/media/decode.ts';

export const GEOMETRY = { width: 160, height: 90, fps: 15 } as const;

export interface ShotDef {
  /** A lavfi source with `size`, `rate` and `duration` appended, or a full chain producing the shot. */
  source: string;
  seconds: number;
  /** Filters applied to this shot (after the source). */
  filters?: string[];
  /** Fade from black over the first `fadeIn` seconds / to black over the last `fadeOut`. */
  fadeIn?: number;
  fadeOut?: number;
  /** Flash (the frame brightened to near white) at these shot-local times, `flashFrames` frames each. */
  flashes?: number[];
}

export interface Boundary { time: number; kind: 'cut' | 'fade' }

export interface GeneratedClip { path: string; name: string; seconds: number; boundaries: Boundary[]; fps: number }

const { width: W, height: H, fps: FPS } = GEOMETRY;

/** A source of size W×H at FPS for `d` seconds (panning sources draw bigger and crop). */
function sourceOf(s: ShotDef): string {
  const sep = s.source.includes('=') ? ':' : '=';
  // life and mandelbrot have no duration option: the trim in renderShots ends them.
  const dur = /^(life|mandelbrot)/.test(s.source) ? '' : `:duration=${s.seconds}`;
  return `${s.source}${sep}rate=${FPS}${dur}${/size=|s=/.test(s.source) ? '' : `:size=${W}x${H}`}`;
}

/** Renders shots back to back into an h264 .mkv and returns the truth boundaries. */
export async function renderShots(path: string, shots: ShotDef[]): Promise<GeneratedClip> {
  const args = ['-y', '-v', 'error'];
  shots.forEach((s) => args.push('-f', 'lavfi', '-i', sourceOf(s)));
  args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=16000:duration=${shots.reduce((a, s) => a + s.seconds, 0)}`);
  const chains = shots.map((s, i) => {
    const f = [...(s.filters ?? []), `scale=${W}:${H}`, 'setsar=1', 'format=yuv420p'];
    if (s.fadeIn) f.push(`fade=t=in:st=0:d=${s.fadeIn}`);
    if (s.fadeOut) f.push(`fade=t=out:st=${(s.seconds - s.fadeOut).toFixed(3)}:d=${s.fadeOut}`);
    for (const t of s.flashes ?? []) f.push(`eq=brightness=0.55:contrast=0.6:enable='between(t,${t.toFixed(3)},${(t + 1.5 / FPS).toFixed(3)})'`);
    return `[${i}:v]${f.join(',')},trim=duration=${s.seconds},setpts=PTS-STARTPTS[v${i}]`;
  });
  const fc = chains.join(';') + ';' + shots.map((_, i) => `[v${i}]`).join('') + `concat=n=${shots.length}:v=1:a=0[v]`;
  args.push('-filter_complex', fc, '-map', '[v]', '-map', `${shots.length}:a`, '-metadata:s:a:0', 'language=eng',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(2 * FPS), '-c:a', 'aac', '-b:a', '32k', path);
  await runFfmpeg(args);
  const boundaries: Boundary[] = [];
  let t = 0;
  shots.forEach((s, i) => {
    if (i > 0) boundaries.push({ time: Math.round(t * FPS) / FPS, kind: s.fadeIn || shots[i - 1].fadeOut ? 'fade' : 'cut' });
    t += s.seconds;
  });
  return { path, name: path.split('/').pop()!.replace(/\.[^.]+$/, ''), seconds: t, boundaries, fps: FPS };
}

// A fast pan: a large picture cropped by a moving window (x in px/s), optionally shaking.
const pan = (src: string) => `${src}=size=${W * 4}x${H * 4}`;
// Smooth back-and-forth motion (no wrap-around jump, which would be a cut): peak speed vx, vy px/s.
const panFilters = (vx: number, vy = 0, shake = 0) => {
  const ax = W * 1.5, ay = H * 1.5;
  const wx = Math.abs(vx) / ax, wy = Math.abs(vy) / ay;
  return [`crop=${W}:${H}:x='${ax}*(1-cos(${wx.toFixed(4)}*t))+${shake}*(1+sin(17*t))':y='${ay}*(1-cos(${wy.toFixed(4)}*t))+${shake}*(1+cos(13*t))'`];
};

/** The generated sets: name → shots. Durations are seconds on a 1/15 s grid. */
export function generatedSets(): Record<string, ShotDef[][]> {
  return {
    // Cuts between shots of the same kind of picture (what a fixed threshold misses).
    similar: [[
      { source: 'life=mold=10:ratio=0.3:seed=1:life_color=#3c8c3c:death_color=#0f2a12', seconds: 3.2 },
      { source: 'life=mold=10:ratio=0.3:seed=2:life_color=#44903a:death_color=#12301a', seconds: 2.8 },
      { source: 'testsrc2', seconds: 2.4 },
      { source: 'testsrc2', seconds: 2.6, filters: ['hue=h=25', 'hflip'] },
      { source: 'color=c=#2c3a48', seconds: 3, filters: ['noise=alls=40:allf=t+u', 'boxblur=1:1'] },
      { source: 'color=c=#334455', seconds: 3, filters: ['noise=alls=40:allf=t+u', 'boxblur=1:1'] },
      { source: 'smptebars', seconds: 2.2 },
      { source: 'smptehdbars', seconds: 2.8 },
    ]],
    // Fades through black between shots.
    fades: [[
      { source: 'testsrc2', seconds: 3, fadeOut: 0.6 },
      { source: 'smptebars', seconds: 3, fadeIn: 0.6, fadeOut: 0.5 },
      { source: 'mandelbrot', seconds: 3, fadeIn: 0.5 },
      { source: 'rgbtestsrc', seconds: 2.4, fadeOut: 0.8 },
      { source: 'testsrc', seconds: 3, fadeIn: 0.8 },
    ]],
    // Flashes (one to two frames near white) inside shots: none is a cut.
    flashes: [[
      { source: 'testsrc2', seconds: 4, flashes: [1.2, 2.9] },
      { source: 'mandelbrot', seconds: 4, flashes: [0.9, 2.0, 3.1] },
      { source: 'life=mold=10:ratio=0.3:seed=3', seconds: 4, flashes: [1.5] },
      { source: 'smptebars', seconds: 3, flashes: [1.0, 1.4] },
    ]],
    // Fast pans and shake inside shots (the picture moves a frame width in under half a second).
    motion: [[
      { source: pan('testsrc2'), seconds: 3, filters: panFilters(360) },
      { source: pan('mandelbrot'), seconds: 3, filters: panFilters(280, 90) },
      { source: pan('testsrc'), seconds: 3, filters: panFilters(0, 0, 12) },
      { source: pan('smptehdbars'), seconds: 2.6, filters: panFilters(320) },
      { source: pan('rgbtestsrc'), seconds: 3, filters: panFilters(200, 150, 6) },
    ]],
  };
}

/** Renders every generated set into `dir`: one clip per set (name = set). */
export async function renderSets(dir: string, only?: string[]): Promise<GeneratedClip[]> {
  const out: GeneratedClip[] = [];
  for (const [name, clips] of Object.entries(generatedSets())) {
    if (only && !only.includes(name)) continue;
    for (let i = 0; i < clips.length; i++) out.push(await renderShots(join(dir, `${name}${clips.length > 1 ? i : ''}.mkv`), clips[i]));
  }
  return out;
}
