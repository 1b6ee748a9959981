// Scene classes: each one fixes both a look (an ffmpeg filter chain drawn from lavfi sources) and a
// sound bed (synthesised here), so a shot's scene is visible from its frames and audible from its bed.
// Every shot re-draws its own palette jitter, shape positions and bed events, so no two shots match.
import type { Rng } from './rng.ts';
import { SR, white, pink, brown, biquad, scale, rms, addInto } from './dsp.ts';

export const SCENES = ['rain', 'traffic', 'restaurant', 'wind', 'concert', 'office', 'beach', 'forest'] as const;
export type Scene = (typeof SCENES)[number];

/**
 * Content → scene (knob `content_scene`): the keyword each scene's lines are about when a line is drawn
 * on topic. One keyword per scene; `money` and `doctor` belong to none, so a uniform draw agrees with
 * the scene's topic for 1 line in 10.
 */
export const SCENE_TOPICS: Record<Scene, string> = {
  rain: 'door', traffic: 'train', restaurant: 'coffee', wind: 'key', concert: 'night', office: 'phone', beach: 'water', forest: 'dog',
};

/**
 * Language → look (knob `language_look`): colour-grade families, as films of one country share a look.
 * Family k belongs to the corpus's k-th language. Each is a whole-frame grade (channel gains, then
 * saturation / contrast), strong enough to survive the cpu profile's 32 px crops; applied after the
 * shots are concatenated, so every shot of a title carries its family.
 */
export const LOOK_GRADES: readonly string[] = [
  'colorchannelmixer=rr=1.25:gg=0.95:bb=0.7,eq=saturation=1.2',         // warm amber
  'colorchannelmixer=rr=0.7:gg=1.0:bb=1.3,eq=saturation=1.1',           // cold teal
  'colorchannelmixer=rr=0.8:gg=1.25:bb=0.8',                            // green cast
  'colorchannelmixer=rr=1.2:gg=0.75:bb=1.2',                            // magenta
  'eq=saturation=0.25:contrast=1.1',                                    // bleached, nearly grey
  'eq=contrast=1.6:saturation=1.5',                                     // high contrast, vivid
  'colorchannelmixer=rr=0.39:rg=0.77:rb=0.19:gr=0.35:gg=0.69:gb=0.17:br=0.27:bg=0.53:bb=0.13', // sepia
];

/** Frame geometry of every title and video probe clip. */
export const VIDEO = { width: 160, height: 90, fps: 15 } as const;

// --- look --------------------------------------------------------------------------------------

/** A character drawn on screen: placed by slot, mouth animated while they speak. */
export interface OnScreen {
  skin: number;
  shirt: number;
  /** Speaking intervals in shot-local seconds. */
  talk: [number, number][];
}

const hex = (c: number) => '0x' + (c & 0xffffff).toString(16).padStart(6, '0');

/** Multiplies each channel of `c` by a factor in [1 − amount, 1 + amount] (palette jitter per shot). */
function jitter(c: number, r: Rng, amount = 0.15): number {
  const ch = [16, 8, 0].map((s) => Math.max(0, Math.min(255, Math.round(((c >> s) & 255) * r.uniform(1 - amount, 1 + amount)))));
  return (ch[0] << 16) | (ch[1] << 8) | ch[2];
}

const f = (x: number) => Number(x.toFixed(3));

/**
 * Filtergraph statements producing `[out]`: `dur` seconds of the scene's look at VIDEO geometry,
 * with the characters in `people` drawn in front. `p` prefixes every intermediate label.
 */
export function lookGraph(scene: Scene, r: Rng, dur: number, people: OnScreen[], p: string, out: string): string[] {
  const { width: W, height: H, fps } = VIDEO;
  const d = f(dur);
  const src = (c: number) => `color=c=${hex(c)}:s=${W}x${H}:r=${fps}:d=${d}`;
  const box = (x: number, y: number, w: number, h: number, c: number) => `drawbox=x=${Math.round(x)}:y=${Math.round(y)}:w=${Math.round(w)}:h=${Math.round(h)}:color=${hex(c)}@1:t=fill`;
  const g: string[] = [];
  let cur = `${p}b`;
  let k = 0;
  /** Overlays a moving w×h rectangle whose position follows the expressions (shot-local `t`). */
  const mover = (w: number, h: number, c: number, x: string, y: string) => {
    const o = `${p}o${k}`, n = `${p}m${k++}`;
    const even = (v: number) => Math.max(2, 2 * Math.round(v / 2)); // yuv420 sources need even sizes
    g.push(`color=c=${hex(c)}:s=${even(w)}x${even(h)}:r=${fps}:d=${d}[${o}]`);
    g.push(`[${cur}][${o}]overlay=x='${x}':y='${y}':shortest=1[${n}]`);
    cur = n;
  };
  switch (scene) {
    case 'rain': {
      const sky = jitter(0x2c3a48, r);
      g.push(`${src(sky)},${box(0, H * 0.72, W, H * 0.28, jitter(0x1c2228, r))},noise=alls=${r.int(45, 70)}:allf=t+u,boxblur=1:1[${cur}]`);
      // falling drops: thin bright streaks that wrap around vertically
      for (let i = 0; i < 6; i++) {
        const x0 = r.int(0, W - 2), v = r.uniform(120, 200), y0 = r.uniform(0, H);
        mover(1, r.int(5, 9), jitter(0x9fb4c8, r, 0.1), `${x0}`, `mod(${f(y0)}+t*${f(v)},${H + 10})-10`);
      }
      break;
    }
    case 'traffic': {
      g.push(`${src(jitter(0x6d6d68, r))},${box(0, H * 0.55, W, H * 0.35, jitter(0x2b2b2b, r))},${box(0, H * 0.71, W, 2, 0xe0d040)}[${cur}]`);
      const cars = r.int(3, 5);
      for (let i = 0; i < cars; i++) {
        const lane = i % 2, v = r.uniform(40, 90) * (lane ? -1 : 1), x0 = r.uniform(0, W);
        const y = lane ? H * 0.6 : H * 0.76;
        const c = r.pick([0xc02020, 0x2050c0, 0xe0e0e0, 0x202020, 0xe0a020]);
        mover(r.int(18, 26), r.int(8, 11), jitter(c, r, 0.1), `mod(${f(x0)}+t*${f(v)}+${W * 4},${W + 30})-30`, `${Math.round(y)}`);
      }
      break;
    }
    case 'restaurant': {
      g.push(`${src(jitter(0x6b3e26, r))},${box(0, H * 0.6, W, H * 0.4, jitter(0x4a2a18, r))}` +
        Array.from({ length: r.int(2, 4) }, () => ',' + box(r.uniform(0, W - 30), r.uniform(H * 0.55, H * 0.75), r.int(22, 34), r.int(6, 9), jitter(0xe8dcc0, r, 0.05))).join('') + `[${cur}]`);
      // candles flicker: small warm boxes blinking at their own rates
      for (let i = 0; i < 3; i++) {
        const x = r.int(5, W - 8), y = r.int(Math.round(H * 0.45), Math.round(H * 0.6)), rate = r.uniform(5, 11), ph = r.next();
        const n = `${p}c${i}`;
        g.push(`[${cur}]drawbox=x=${x}:y=${y}:w=3:h=4:color=${hex(0xffd060)}@1:t=fill:enable='lt(mod(t*${f(rate)}+${f(ph)},1),0.6)'[${n}]`);
        cur = n;
      }
      break;
    }
    case 'wind': {
      g.push(`${src(jitter(0x8ec5f0, r))},${box(0, H * 0.6, W, H * 0.4, jitter(0x5c9a3a, r))}[${cur}]`);
      // swaying grass stalks and a drifting cloud
      for (let i = 0; i < 7; i++) {
        const x0 = r.uniform(0, W - 3), amp = r.uniform(3, 8), fr = r.uniform(0.4, 0.9), ph = r.uniform(0, 6.28);
        mover(2, r.int(14, 24), jitter(0x3d7a22, r, 0.15), `${f(x0)}+${f(amp)}*sin(2*PI*${f(fr)}*t+${f(ph)})`, `${Math.round(H * 0.6) - 10}`);
      }
      mover(r.int(30, 45), r.int(8, 12), 0xf4f4f4, `mod(${f(r.uniform(0, W))}+t*${f(r.uniform(8, 20))},${W + 45})-45`, `${r.int(5, 20)}`);
      break;
    }
    case 'concert': {
      g.push(`${src(jitter(0x120818, r, 0.3))},${box(0, H * 0.78, W, H * 0.22, jitter(0x301830, r))}[${cur}]`);
      // sweeping spotlights in saturated colours, then a colour cycle locked to a tempo
      for (let i = 0; i < 3; i++) {
        const c = r.pick([0xff2060, 0x20c0ff, 0xffe020, 0x60ff40, 0xc040ff]);
        mover(r.int(14, 22), H, c, `${f(r.uniform(10, W - 30))}+${f(r.uniform(20, 45))}*sin(2*PI*${f(r.uniform(0.2, 0.6))}*t+${f(r.uniform(0, 6.28))})`, '0');
      }
      const n = `${p}h`;
      g.push(`[${cur}]hue=h='${r.int(20, 90)}*t':b='1.5*sin(2*PI*${f(r.uniform(1.5, 2.3))}*t)'[${n}]`);
      cur = n;
      break;
    }
    case 'office': {
      g.push(`${src(jitter(0xd8d8d0, r, 0.06))},${box(0, H * 0.62, W, H * 0.38, jitter(0x8a7a66, r))}` +
        Array.from({ length: r.int(2, 3) }, (_, i) => {
          const x = 8 + i * 52 + r.int(0, 12);
          return `,${box(x, H * 0.38, 34, 22, 0x202428)},${box(x + 3, H * 0.38 + 3, 28, 16, jitter(0x4070b0, r, 0.2))}`;
        }).join('') + `[${cur}]`);
      // blinking cursors and a faint fluorescent flicker
      const n = `${p}f`;
      g.push(`[${cur}]drawbox=x=${r.int(14, 30)}:y=${Math.round(H * 0.38) + 8}:w=2:h=4:color=white@1:t=fill:enable='lt(mod(t*2,1),0.5)',eq=brightness='0.02*sin(2*PI*${f(r.uniform(3, 7))}*t)':eval=frame[${n}]`);
      cur = n;
      break;
    }
    case 'beach': {
      g.push(`${src(jitter(0x9ad4f5, r))},${box(0, H * 0.4, W, H * 0.3, jitter(0x1f6fa8, r))},${box(0, H * 0.7, W, H * 0.3, jitter(0xe6cf95, r))}[${cur}]`);
      // a band of surf rolling in and out with the wave period
      const period = r.uniform(5, 9);
      mover(W, 5, 0xeaf6ff, '0', `${Math.round(H * 0.64)}+5*sin(2*PI*t/${f(period)})`);
      mover(r.int(8, 12), 4, 0xffffff, `mod(${f(r.uniform(0, W))}+t*${f(r.uniform(5, 12))},${W})`, `${Math.round(H * 0.36)}`);
      break;
    }
    case 'forest': {
      const seed = r.int(1, 1e6);
      g.push(`life=s=${W}x${H}:r=${fps}:mold=10:ratio=${f(r.uniform(0.15, 0.35))}:seed=${seed}:life_color=${hex(jitter(0x3c8c3c, r))}:death_color=${hex(jitter(0x0f2a12, r))}:mold_color=${hex(jitter(0x1d4d22, r))},trim=duration=${d},setpts=PTS-STARTPTS` +
        Array.from({ length: r.int(3, 5) }, () => ',' + box(r.uniform(0, W - 8), 0, r.int(5, 9), H, jitter(0x4a3220, r))).join('') + `[${cur}]`);
      // a bird crossing now and then
      mover(4, 3, 0x101010, `mod(${f(r.uniform(0, W))}+t*${f(r.uniform(25, 50))},${W + 8})-8`, `${r.int(6, 30)}+3*sin(2*PI*2*t)`);
      break;
    }
  }
  // characters: a body and a head per person, mouth flapping while they talk
  people.forEach((pp, j) => {
    const cx = (W * (j + 1)) / (people.length + 1), top = H * 0.42;
    const talk = pp.talk.length ? pp.talk.map(([a, b]) => `between(t,${f(a)},${f(b)})`).join('+') : '0';
    const n = `${p}p${j}`;
    g.push(`[${cur}]${box(cx - 9, top + 15, 18, H - top - 15, pp.shirt)},${box(cx - 6, top, 12, 15, pp.skin)},` +
      `${box(cx - 4, top + 4, 2, 2, 0x101010)},${box(cx + 2, top + 4, 2, 2, 0x101010)},` +
      `drawbox=x=${Math.round(cx - 3)}:y=${Math.round(top + 10)}:w=6:h=3:color=0x401010@1:t=fill:enable='(${talk})*lt(mod(t*7,1),0.55)'[${n}]`);
    cur = n;
  });
  g.push(`[${cur}]null[${out}]`);
  return g;
}

// --- sound -------------------------------------------------------------------------------------

/** Draws event onsets of a Poisson process of `rate` per second over `n` samples. */
function onsets(r: Rng, rate: number, n: number): number[] {
  const out: number[] = [];
  let t = -Math.log(1 - r.next()) / rate;
  while (t * SR < n) { out.push(Math.floor(t * SR)); t += -Math.log(1 - r.next()) / rate; }
  return out;
}

/** A decaying sinusoid (struck object, clink, kick drum when `glide` < 1). */
function ping(freq: number, decay: number, len: number, glide = 1): Float32Array {
  const n = Math.round(len * SR), y = new Float32Array(n);
  let ph = 0;
  for (let i = 0; i < n; i++) {
    const t = i / SR;
    ph += (2 * Math.PI * freq * Math.pow(glide, t * 10)) / SR;
    y[i] = Math.sin(ph) * Math.exp(-decay * t);
  }
  return y;
}

/**
 * Music: a tempo, a key, a four-chord loop with bass, pad, a pentatonic melody, kick and hi-hat.
 * Returns `n` samples at unit-ish RMS before the caller's levelling.
 */
export function music(r: Rng, n: number): Float32Array {
  const y = new Float32Array(n);
  const bpm = r.uniform(80, 140), beat = 60 / bpm, root = r.uniform(110, 196);
  const minor = r.chance(0.5);
  const scale3 = minor ? 3 : 4;
  const prog = r.shuffle([0, 5, 7, minor ? 8 : 9]).slice(0, 4);
  const penta = minor ? [0, 3, 5, 7, 10, 12] : [0, 2, 4, 7, 9, 12];
  const semis = (s: number) => Math.pow(2, s / 12);
  const beats = Math.ceil(n / SR / beat) + 1;
  for (let b = 0; b < beats; b++) {
    const at = Math.round(b * beat * SR);
    const chord = prog[Math.floor(b / 4) % prog.length];
    const f0 = root * semis(chord);
    addInto(y, ping(f0 / 2, 3, beat, 1), at, 0.5); // bass
    if (b % 4 === 0) for (const iv of [0, scale3, 7]) addInto(y, ping(f0 * semis(iv), 0.8, beat * 4, 1), at, 0.12); // pad
    if (b % 2 === 0) addInto(y, ping(60, 18, 0.25, 0.5), at, 0.9); // kick
    const hat = biquad(white(Math.round(0.03 * SR), r), 'highpass', 6000);
    addInto(y, hat, at + Math.round((beat / 2) * SR), 0.25);
    for (const half of [0, 0.5]) {
      if (r.chance(0.7)) addInto(y, ping(root * 2 * semis(r.pick(penta)), 6, beat * 0.9, 1), at + Math.round(half * beat * SR), 0.22);
    }
  }
  return y;
}

function envSine(n: number, fr: number, ph: number, lo: number, hi: number): (i: number) => number {
  return (i) => lo + (hi - lo) * (0.5 + 0.5 * Math.sin(2 * Math.PI * fr * (i / SR) + ph));
}

/** `n` samples of the scene's background sound, levelled to RMS 1 (callers set the bed level). */
export function bed(scene: Scene, r: Rng, n: number): Float32Array {
  let y: Float32Array;
  switch (scene) {
    case 'rain': {
      y = scale(biquad(pink(n, r), 'highpass', r.uniform(700, 1200)), 1.0);
      const drops = new Float32Array(n);
      for (const at of onsets(r, r.uniform(25, 50), n)) drops[at] = r.uniform(-1, 1) * 4;
      addInto(y, biquad(drops, 'bandpass', r.uniform(2500, 4000), 3), 0);
      addInto(y, biquad(brown(n, r), 'lowpass', 200), 0, 0.4);
      break;
    }
    case 'traffic': {
      y = biquad(brown(n, r), 'lowpass', 350);
      for (const at of onsets(r, r.uniform(0.25, 0.5), n + 3 * SR)) {
        const len = Math.round(r.uniform(2.5, 5) * SR), f0 = r.uniform(80, 140), c = r.uniform(300, 800);
        const car = biquad(white(len, r), 'bandpass', c, 0.8);
        let ph = 0;
        for (let i = 0; i < len; i++) {
          const u = i / len, env = Math.exp(-Math.pow((u - 0.5) * 4, 2));
          ph += (2 * Math.PI * f0 * (u < 0.5 ? 1.06 : 0.94)) / SR; // Doppler drop as it passes
          car[i] = (car[i] * 3 + 0.6 * Math.sin(ph) + 0.3 * Math.sin(2 * ph)) * env;
        }
        addInto(y, car, at - 3 * SR);
      }
      if (r.chance(0.6)) {
        const len = Math.round(r.uniform(0.3, 0.7) * SR), at = r.int(0, Math.max(0, n - len)), h = new Float32Array(len);
        const f1 = r.uniform(330, 420);
        for (let i = 0; i < len; i++) h[i] = (Math.sin((2 * Math.PI * f1 * i) / SR) + 0.7 * Math.sin((2 * Math.PI * f1 * 1.26 * i) / SR)) * 0.35;
        addInto(y, h, at);
      }
      break;
    }
    case 'restaurant': {
      const chatter = biquad(biquad(pink(n, r), 'bandpass', r.uniform(400, 700), 0.7), 'lowpass', 3000);
      const m = [envSine(n, r.uniform(3, 5), r.uniform(0, 6), 0.2, 1), envSine(n, r.uniform(4, 6.5), r.uniform(0, 6), 0.3, 1)];
      for (let i = 0; i < n; i++) chatter[i] *= m[0](i) * m[1](i) * 2;
      y = chatter;
      for (const at of onsets(r, r.uniform(1, 2.5), n)) {
        const fc = r.uniform(2500, 5000), len = r.uniform(0.15, 0.4);
        const c = ping(fc, r.uniform(18, 35), len);
        addInto(c, ping(fc * 2.76, 40, len), 0, 0.5);
        addInto(y, c, at, r.uniform(0.4, 1.0));
      }
      break;
    }
    case 'wind': {
      const base = r.uniform(300, 600), swing = r.uniform(150, 350), fr = r.uniform(0.05, 0.15), ph = r.uniform(0, 6);
      y = biquad(white(n, r), 'bandpass', (i) => base + swing * Math.sin(2 * Math.PI * fr * (i / SR) + ph), 1.2);
      const gust = envSine(n, r.uniform(0.1, 0.25), r.uniform(0, 6), 0.25, 1);
      for (let i = 0; i < n; i++) y[i] *= gust(i);
      addInto(y, biquad(brown(n, r), 'lowpass', 120), 0, 0.5);
      break;
    }
    case 'concert': {
      y = music(r, n);
      addInto(y, biquad(pink(n, r), 'bandpass', 800, 0.5), 0, 0.05);
      break;
    }
    case 'office': {
      y = new Float32Array(n);
      const mains = r.chance(0.5) ? 50 : 60;
      for (let i = 0; i < n; i++) { const t = i / SR; y[i] = 0.05 * Math.sin(2 * Math.PI * mains * t) + 0.03 * Math.sin(2 * Math.PI * mains * 3 * t); }
      addInto(y, biquad(pink(n, r), 'lowpass', 1500), 0, 0.15);
      for (const burst of onsets(r, 0.4, n)) {
        const keys = r.int(5, 20), rate = r.uniform(6, 10);
        for (let k = 0; k < keys; k++) {
          const click = biquad(white(Math.round(0.004 * SR), r), 'highpass', 2000);
          addInto(y, click, burst + Math.round(((k + r.uniform(-0.2, 0.2)) / rate) * SR), r.uniform(0.4, 0.9));
        }
      }
      break;
    }
    case 'beach': {
      const period = r.uniform(5, 9), ph = r.uniform(0, 6);
      const swell = (i: number) => Math.pow(0.5 + 0.5 * Math.sin((2 * Math.PI * i) / SR / period + ph), 2);
      y = biquad(brown(n, r), 'lowpass', 700);
      const hiss = biquad(pink(n, r), 'highpass', 1800);
      for (let i = 0; i < n; i++) y[i] = y[i] * (0.3 + swell(i)) + hiss[i] * 0.6 * swell(Math.max(0, i - SR * 0.4));
      break;
    }
    case 'forest': {
      y = biquad(pink(n, r), 'highpass', 2500);
      const leaves = envSine(n, r.uniform(0.1, 0.3), r.uniform(0, 6), 0.05, 0.2);
      for (let i = 0; i < n; i++) y[i] *= leaves(i);
      for (const at of onsets(r, r.uniform(0.5, 1.2), n)) {
        const notes = r.int(2, 5), f0 = r.uniform(2500, 5000), sweep = r.uniform(-1500, 1500);
        let o = at;
        for (let k = 0; k < notes; k++) {
          const len = Math.round(r.uniform(0.05, 0.12) * SR), c = new Float32Array(len);
          let ph = 0;
          for (let i = 0; i < len; i++) { ph += (2 * Math.PI * (f0 + (sweep * i) / len)) / SR; c[i] = Math.sin(ph) * Math.sin((Math.PI * i) / len); }
          addInto(y, c, o, 0.5);
          o += len + Math.round(r.uniform(0.03, 0.08) * SR);
        }
      }
      break;
    }
  }
  const l = rms(y);
  return l > 0 ? scale(y, 1 / l) : y;
}

/** Bed level in dBFS per scene (before per-shot jitter): busy scenes are louder. */
export const BED_LEVEL: Record<Scene, number> = { rain: -30, traffic: -29, restaurant: -31, wind: -31, concert: -27, office: -34, beach: -30, forest: -33 };
