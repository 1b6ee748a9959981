// Title planning: everything about a title that does not need audio — its name, languages, cast and
// their voices, shots and their scenes — as a pure function of (seed, index, params). Line timing
// depends on the synthesised original-language speech and is decided in render.ts.
import { rng, type Rng } from './rng.ts';
import { SCENES, type Scene } from './scenes.ts';
import { DEFAULT_KNOBS, withRegister, type GeneratorKnobs } from './knobs.ts';
import { TITLE_ADJECTIVES, TITLE_NOUNS, type SynthLang } from './bank.ts';
import { TRAIN_VARIANTS, type Voice } from './espeak.ts';

export interface Character {
  id: string;
  skin: number;
  shirt: number;
  /**
   * The character's voice per language: with voice matching one voice (variant, formants, pitch, range,
   * rate) in every language, as the paper's pipeline converts dubs to the original actor's voice; without,
   * one voice actor per language (the dub cast differs from the original cast, as in real dubs).
   */
  voices: Partial<Record<SynthLang, Voice>>;
}

export interface PlannedShot {
  index: number;
  start: number;
  end: number;
  scene: Scene;
  /** Characters on screen who may speak, in screen order. */
  cast: string[];
  music: boolean;
}

export interface TitlePlan {
  id: string;
  index: number;
  title: string;
  kind: 'movie' | 'episode';
  originalLanguage: SynthLang;
  dubs: SynthLang[];
  duration: number;
  characters: Character[];
  shots: PlannedShot[];
  /**
   * Colour-grade family of the whole title (0 … languages − 1; family k belongs to `languages[k]`), or
   * null when the corpus has no look families (`language_look = none`).
   */
  lookFamily: number | null;
}

/** Shot boundaries fall on multiples of this (3 frames at 15 fps = 3200 samples at 16 kHz). */
export const GRID = 0.2;
export const MIN_SHOT = 3;
export const MAX_SHOT = 12;

const snap = (t: number) => Math.round(t / GRID) * GRID;
const r3 = (t: number) => Math.round(t * 1000) / 1000;

export const titleId = (index: number) => `syn${String(index).padStart(4, '0')}`;

const MALE = ['m1', 'm2', 'm3', 'm4', 'm5', 'Andy', 'max'];
const FEMALE = ['f1', 'f2', 'f3', 'f4', 'aunty'];

/**
 * A voice actor for `lang`; `taken` holds the variants already cast in this language (kept distinct).
 * Formant scaling 92–108 % (vocal-tract length) and pitch range give each actor a timbre of their own.
 */
function voiceFor(r: Rng, lang: SynthLang, female: boolean, taken: Set<string>): Voice {
  const pool = (female ? FEMALE : MALE).filter((v) => TRAIN_VARIANTS.includes(v));
  const free = pool.filter((v) => !taken.has(v));
  const variant = r.pick(free.length ? free : pool);
  taken.add(variant);
  return { lang, variant, pitch: r.int(female ? 45 : 20, female ? 80 : 55), rate: r.int(145, 185), range: r.int(30, 70), formant: r.int(92, 108) };
}

/** Shot lengths in [MIN_SHOT, MAX_SHOT] on the GRID, summing exactly to `duration`. */
export function shotLengths(r: Rng, duration: number): number[] {
  const out: number[] = [];
  let rem = duration;
  while (rem > 1e-6) {
    if (rem <= MAX_SHOT + 1e-6) { out.push(rem); break; }
    // log-uniform: short shots are more common, as in edited film (paper Fig. A.1)
    const hi = Math.min(MAX_SHOT, rem - MIN_SHOT);
    const d = snap(Math.exp(r.uniform(Math.log(MIN_SHOT), Math.log(hi))));
    out.push(Math.min(hi, Math.max(MIN_SHOT, d)));
    rem = snap(rem - out[out.length - 1]);
  }
  return out;
}

/**
 * The look family of a title: with probability `strength` its original language's own family, else one
 * drawn uniformly from all of them (its own included), so P(family = own) = s + (1 − s)/K. Drawn from a
 * stream of its own so the other draws of the title (and so corpora without families) are unchanged.
 */
export function lookFamilyOf(seed: number, index: number, languageIndex: number, families: number, strength: number | null): number | null {
  if (strength === null) return null;
  const r = rng(seed, `title/${index}/look-family`);
  const own = r.chance(strength);
  const drawn = r.int(0, families - 1);
  return own ? languageIndex : drawn;
}

export function planTitle(p: { seed: number; index: number; minutesPerTitle: number; languages: SynthLang[]; knobs?: GeneratorKnobs; voiceMatch?: boolean }): TitlePlan {
  const knobs = p.knobs ?? DEFAULT_KNOBS;
  const r = rng(p.seed, `title/${p.index}`);
  const langs = p.languages;
  const duration = Math.max(MIN_SHOT, snap(p.minutesPerTitle * 60));

  // Languages: originals lean towards the first language (most catalogs are mostly English originals).
  const originalLanguage = r.chance(0.45) ? langs[0] : r.pick(langs);
  const others = r.shuffle(langs.filter((l) => l !== originalLanguage));
  const maxDubs = Math.min(knobs.dubs.max, others.length);
  const minDubs = Math.min(knobs.dubs.min, maxDubs);
  // The first title has the fewest dubs and the second every dub, so filters like `dubs = 1..` always matter.
  const nDubs = p.index === 0 ? minDubs : p.index === 1 ? maxDubs : r.int(minDubs, maxDubs);
  const dubSet = new Set(others.slice(0, nDubs));
  const dubs = langs.filter((l) => dubSet.has(l));
  const present = [originalLanguage, ...dubs];

  const kind: 'movie' | 'episode' = r.chance(0.6) ? 'movie' : 'episode';
  const name = `${r.pick(TITLE_ADJECTIVES)} ${r.pick(TITLE_NOUNS)}`;
  const title = kind === 'movie' ? name : `${name} S${r.int(1, 4)}E${String(r.int(1, 12)).padStart(2, '0')}`;

  const taken = new Map(present.map((l) => [l, new Set<string>()]));
  const characters: Character[] = Array.from({ length: r.int(2, 4) }, (_, i) => {
    const female = r.chance(0.5);
    const voices: Character['voices'] = {};
    // voices draw from their own stream, so voice matching changes no other part of the plan
    const rv = r.fork(`voices/c${i}`);
    // language → voice (knobs.languageVoice): each language's register on top, after every draw
    if (p.voiceMatch ?? true) {
      const v = voiceFor(rv, originalLanguage, female, taken.get(originalLanguage)!);
      for (const l of present) voices[l] = withRegister({ ...v, lang: l }, langs, knobs.languageVoice);
    } else {
      for (const l of present) voices[l] = withRegister(voiceFor(rv, l, female, taken.get(l)!), langs, knobs.languageVoice);
    }
    return {
      id: `c${i}`,
      skin: r.pick([0xf1c27d, 0xe0ac69, 0xc68642, 0x8d5524, 0xffdbac, 0x6b4226]),
      shirt: r.pick([0x3050a0, 0xa03030, 0x30a050, 0xd0a020, 0x7030a0, 0x209090, 0xe0e0e0, 0x303030]),
      voices,
    };
  });

  // Locations: a title moves between 2–4 scene classes, often staying in one for a few shots.
  const locations = r.shuffle([...SCENES]).slice(0, r.int(2, 4));
  const shots: PlannedShot[] = [];
  let t = 0, scene: Scene = r.pick(locations);
  shotLengths(r, duration).forEach((len, index) => {
    if (index > 0 && r.chance(0.55)) scene = r.pick(locations);
    // at most knobs.maxSpeakers on screen (the default, MAX_SPEAKERS, keeps the full mix below)
    const k = Math.min(knobs.maxSpeakers, r.pick([0, 1, 1, 2, 2, 2, 3, 3].slice(0, characters.length >= 3 ? 8 : 6)));
    const cast = r.shuffle(characters.map((c) => c.id)).slice(0, k);
    const music = scene === 'concert' || r.chance(0.15);
    shots.push({ index, start: r3(t), end: r3(t + len), scene, cast, music });
    t = snap(t + len);
  });
  const lookFamily = lookFamilyOf(p.seed, p.index, langs.indexOf(originalLanguage), langs.length, knobs.languageLook);
  return { id: titleId(p.index), index: p.index, title, kind, originalLanguage, dubs, duration: r3(duration), characters, shots, lookFamily };
}
