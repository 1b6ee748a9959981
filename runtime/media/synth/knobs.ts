// The generator's declared causal knobs (docs/language.md §4.4, `synthetic(…)`): how strongly a title's
// original language predicts its look, how strongly what is said predicts the scene, how loud speech is
// over the bed, how many dubs a title has and how many people speak in a shot. Each knob has a stated
// meaning and a default; the defaults reproduce the corpus as it was before the knobs existed, so a
// catalog that sets none of them keeps its corpus directory (corpusDir) and its spec hash.
//
// Measured back from the ground truth by `measureConfounds` (used by `lssdc data stats` and the tests):
// each strength s is estimated from the agreement rate a between the cause and its home value as
// ŝ = (a − q) / (1 − q), q being the agreement rate of the uniform draw, which is unbiased whatever the
// marginal distribution of languages or scenes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Rng } from './rng.ts';
import { SENTENCES, type Sentence } from './bank.ts';
import { SCENES, SCENE_TOPICS, type Scene } from './scenes.ts';
import type { Voice } from './espeak.ts';

export interface GeneratorKnobs {
  /**
   * Language → look: null (`none`, the default) = titles have no look family. s ∈ [0, 1] = every title is
   * colour-graded in one of K families (K = number of languages, family k belonging to languages[k]):
   * with probability s its original language's own family, else one drawn uniformly from all K.
   */
  languageLook: number | null;
  /**
   * Content → scene, s ∈ [0, 1] (default 0): each line is, with probability s, one of the sentences about
   * its shot's scene's topic (SCENE_TOPICS, e.g. coffee in a restaurant), else drawn uniformly from the
   * whole bank (the default: what is said is independent of where).
   */
  contentScene: number;
  /**
   * Speech over bed, dB (default 7): the speech stem's level minus the bed of a reference scene (rain and
   * beach, nominally −30 dBFS); other scenes keep their offsets (busy scenes louder). 7 dB = −23 dBFS speech
   * over −30 dBFS beds, the levels of the corpus before the knob.
   */
  speechToBedDb: number;
  /** Inclusive bounds on a title's number of dubs (default 0 .. 6): title 0 gets `min`, title 1 `max`, the rest uniform. */
  dubs: { min: number; max: number };
  /** Most people speaking in one shot, 0 … 3 (default 3; 0 = no dialogue at all). */
  maxSpeakers: number;
  /**
   * Language → voice, s ∈ [0, 1] (default 0): how audible a speaker's language is in their voice. Every
   * voice speaking language k of K (training casts, dubs and probe clips alike) is shifted by s times that
   * language's register (languageRegister: pitch and formant offsets, one direction per language), as a
   * speech community shares a register; 0 = a voice sounds the same in every language (eSpeak's phonetics
   * only). A dub carries its own language's register, so dubbing breaks the language → look link here too.
   */
  languageVoice: number;
}

export const MAX_SPEAKERS = 3;
export const MAX_DUBS = 6;
/** Speech (−23 dBFS) over the reference bed (−30 dBFS) before the knob existed. */
export const DEFAULT_SPEECH_TO_BED = 7;

export const DEFAULT_KNOBS: GeneratorKnobs = Object.freeze({
  languageLook: null, contentScene: 0, speechToBedDb: DEFAULT_SPEECH_TO_BED, dubs: Object.freeze({ min: 0, max: MAX_DUBS }), maxSpeakers: MAX_SPEAKERS, languageVoice: 0,
}) as GeneratorKnobs;

/** The knobs fields of a `synthetic(…)` catalog in the resolved spec (absent = default). */
export interface CatalogKnobFields {
  language_look?: number;
  content_scene?: number;
  speech_to_bed?: number;
  dubs_per_title?: { min: number; max: number };
  max_speakers?: number;
  language_voice?: number;
}

export function knobsOfCatalog(c: CatalogKnobFields): GeneratorKnobs {
  return {
    languageLook: c.language_look ?? null,
    contentScene: c.content_scene ?? 0,
    speechToBedDb: c.speech_to_bed ?? DEFAULT_SPEECH_TO_BED,
    dubs: c.dubs_per_title ? { min: c.dubs_per_title.min, max: c.dubs_per_title.max } : { min: 0, max: MAX_DUBS },
    maxSpeakers: c.max_speakers ?? MAX_SPEAKERS,
    languageVoice: c.language_voice ?? 0,
  };
}

/** Only the knobs that differ from their defaults: what the corpus hash adds (old corpora keep their directory). */
export function nonDefaultKnobs(k: GeneratorKnobs): Partial<GeneratorKnobs> {
  const out: Partial<GeneratorKnobs> = {};
  if (k.languageLook !== null) out.languageLook = k.languageLook;
  if (k.contentScene !== 0) out.contentScene = k.contentScene;
  if (k.speechToBedDb !== DEFAULT_SPEECH_TO_BED) out.speechToBedDb = k.speechToBedDb;
  if (k.dubs.min !== 0 || k.dubs.max !== MAX_DUBS) out.dubs = { ...k.dubs };
  if (k.maxSpeakers !== MAX_SPEAKERS) out.maxSpeakers = k.maxSpeakers;
  if (k.languageVoice !== 0) out.languageVoice = k.languageVoice;
  return out;
}

/** A reason the knobs are invalid, or null. */
export function knobProblem(k: GeneratorKnobs): { what: string; got: unknown; hint: string } | null {
  const unit = (x: number) => typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= 1;
  if (k.languageLook !== null && !unit(k.languageLook)) return { what: 'language→look strength must be in [0, 1] (or none)', got: k.languageLook, hint: 'e.g. --language-look 0.5' };
  if (!unit(k.languageVoice)) return { what: 'language→voice strength must be in [0, 1]', got: k.languageVoice, hint: 'e.g. --language-voice 1' };
  if (!unit(k.contentScene)) return { what: 'content→scene strength must be in [0, 1]', got: k.contentScene, hint: 'e.g. --content-scene 0.5' };
  if (typeof k.speechToBedDb !== 'number' || !Number.isFinite(k.speechToBedDb) || Math.abs(k.speechToBedDb) > 40) return { what: 'speech-to-bed level must be a number of dB in [−40, 40]', got: k.speechToBedDb, hint: `default ${DEFAULT_SPEECH_TO_BED}` };
  const { min, max } = k.dubs;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max > MAX_DUBS || min > max) return { what: `dubs per title must be whole numbers 0 ≤ min ≤ max ≤ ${MAX_DUBS}`, got: k.dubs, hint: 'e.g. --dubs 1..6' };
  if (!Number.isInteger(k.maxSpeakers) || k.maxSpeakers < 0 || k.maxSpeakers > MAX_SPEAKERS) return { what: `speakers per shot must be a whole number in 0 … ${MAX_SPEAKERS}`, got: k.maxSpeakers, hint: 'e.g. --speakers 2' };
  return null;
}

/** Sentences about each scene's topic. */
const TOPICAL: Record<Scene, Sentence[]> = Object.fromEntries(SCENES.map((s) => [s, SENTENCES.filter((x) => x.keyword === SCENE_TOPICS[s])])) as Record<Scene, Sentence[]>;

/**
 * The sentence of the next line in a shot of `scene`. `topic` is a stream of its own (the topical
 * decision), `r` the line stream: at strength 0 exactly one `r.pick(SENTENCES)` is drawn, as before.
 */
export function pickSentence(r: Rng, topic: Rng, scene: Scene, strength: number): { sentence: Sentence; topical: boolean } {
  const topical = strength > 0 && topic.chance(strength);
  return { sentence: r.pick(topical ? TOPICAL[scene] : SENTENCES), topical };
}

/**
 * A language's register at full strength (language_voice = 1): language k of K points in direction 2πk/K of
 * the (pitch, formant) plane, so any two languages differ. Pitch in eSpeak units (0–99; the training casts
 * span 20–80), formant in percentage points of the variant's formant frequencies (the casts span 92–108).
 */
export const REGISTER = Object.freeze({ pitch: 20, formant: 8 });

export function languageRegister(k: number, K: number): { pitch: number; formant: number } {
  const a = (2 * Math.PI * k) / K;
  return { pitch: REGISTER.pitch * Math.cos(a), formant: REGISTER.formant * Math.sin(a) };
}

/**
 * `v` spoken with `s` × its language's register (languages = the corpus's, in order): pitch and formant
 * shifted additively, pitch kept in eSpeak's 0–99. At s = 0 the voice is returned as it is, so a corpus
 * without the knob draws and renders exactly what it did before it.
 */
export function withRegister(v: Voice, languages: readonly string[], s: number): Voice {
  if (s === 0) return v;
  const k = languages.indexOf(v.lang);
  if (k < 0) throw new Error(`withRegister: '${v.lang}' is not one of the corpus languages [${languages.join(', ')}]`);
  const r = languageRegister(k, languages.length);
  return { ...v, pitch: Math.min(99, Math.max(0, Math.round(v.pitch + s * r.pitch))), formant: Math.round((v.formant ?? 100) + s * r.formant) };
}

/** dB added to every bed so that speech sits `speechToBedDb` over the reference bed. */
export const bedOffsetDb = (k: GeneratorKnobs) => DEFAULT_SPEECH_TO_BED - k.speechToBedDb;

// ---- measurement ---------------------------------------------------------------------------------

export interface Association {
  /** Observations (titles, or lines). */
  n: number;
  /** Share of observations whose effect is the cause's home value (its own family, its scene's topic). */
  agreement: number;
  /** The agreement a uniform draw gives (1/K families; 1/number of keywords). */
  chance: number;
  /** (agreement − chance) / (1 − chance): the strength the truth shows. */
  strength: number;
  /** Standard error of `strength` (binomial), for tolerances. */
  se: number;
  /** Cramér's V of the cause × effect contingency table (0 = independent, 1 = one determines the other). */
  cramersV: number;
}

/** Cramér's V of a table of counts given as rows (empty rows/columns dropped). */
export function cramersV(table: number[][]): number {
  const rows = table.filter((r) => r.some((x) => x > 0));
  if (!rows.length) return 0;
  const cols = rows[0].map((_, j) => j).filter((j) => rows.some((r) => r[j] > 0));
  const n = rows.reduce((a, r) => a + cols.reduce((b, j) => b + r[j], 0), 0);
  const k = Math.min(rows.length, cols.length);
  if (k < 2 || n === 0) return 0;
  const rs = rows.map((r) => cols.reduce((b, j) => b + r[j], 0));
  const cs = cols.map((j) => rows.reduce((b, r) => b + r[j], 0));
  let chi2 = 0;
  rows.forEach((r, i) => cols.forEach((j, jj) => { const e = (rs[i] * cs[jj]) / n; chi2 += (r[j] - e) ** 2 / e; }));
  return Math.sqrt(chi2 / (n * (k - 1)));
}

function association(pairs: [number, number][], nCause: number, nEffect: number, agree: (c: number, e: number) => boolean, chance: number): Association {
  const n = pairs.length;
  const table = Array.from({ length: nCause }, () => new Array<number>(nEffect).fill(0));
  let hits = 0;
  for (const [c, e] of pairs) { table[c][e]++; if (agree(c, e)) hits++; }
  const a = n ? hits / n : 0;
  return { n, agreement: a, chance, strength: (a - chance) / (1 - chance), se: n ? Math.sqrt((a * (1 - a)) / n) / (1 - chance) : NaN, cramersV: cramersV(table) };
}

interface TruthLike {
  id?: string;
  originalLanguage: string;
  lookFamily?: number | null;
  shots: { scene: string; lines: { keyword: string }[]; speakers?: { id: string; params?: Partial<Record<string, { pitch: number; formant?: number }>> }[] }[];
}

/** What the truth shows of language → voice: the least-squares strength of the register differences. */
export interface RegisterFit {
  /** (character, dub language) pairs: the dub voice against the same character's original voice. */
  n: number;
  /** ŝ = Σ d·e / Σ e·e over the pairs' observed (d) and full-strength (e) register differences, each in units of REGISTER. */
  strength: number;
  /** Standard error of ŝ from the residuals. */
  se: number;
}

/**
 * Language → voice measured from the voices the truth records: for every character and every dub language,
 * the dub voice's (pitch, formant) minus the original voice's, against the difference of the two
 * languages' registers. With voice matching the residual is rounding and clamping only; without it, the
 * actors' own voices (independent of language) add noise but no bias.
 */
export function measureRegister(truths: TruthLike[], languages: string[]): RegisterFit | null {
  const K = languages.length;
  let sde = 0, see = 0;
  const pairs: { d: number[]; e: number[] }[] = [];
  for (const t of truths) {
    const seen = new Set<string>();
    const o = languages.indexOf(t.originalLanguage);
    for (const sh of t.shots) for (const sp of sh.speakers ?? []) {
      if (seen.has(sp.id) || !sp.params) continue;
      seen.add(sp.id);
      const po = sp.params[t.originalLanguage];
      if (!po) continue;
      for (const [lang, pl] of Object.entries(sp.params)) {
        const k = languages.indexOf(lang);
        if (lang === t.originalLanguage || k < 0 || !pl) continue;
        const rk = languageRegister(k, K), ro = languageRegister(o, K);
        const e = [(rk.pitch - ro.pitch) / REGISTER.pitch, (rk.formant - ro.formant) / REGISTER.formant];
        const d = [(pl.pitch - po.pitch) / REGISTER.pitch, ((pl.formant ?? 100) - (po.formant ?? 100)) / REGISTER.formant];
        pairs.push({ d, e });
        sde += d[0] * e[0] + d[1] * e[1];
        see += e[0] ** 2 + e[1] ** 2;
      }
    }
  }
  if (!pairs.length || see === 0) return null;
  const s = sde / see;
  const rss = pairs.reduce((a, { d, e }) => a + (d[0] - s * e[0]) ** 2 + (d[1] - s * e[1]) ** 2, 0);
  const dof = 2 * pairs.length - 1;
  return { n: pairs.length, strength: s, se: dof > 0 ? Math.sqrt(rss / dof / see) : NaN };
}

/** What the generated truth shows of each confound (null where the corpus has no look families / no lines). */
export function measureConfounds(truths: TruthLike[], languages: string[]): { languageLook: Association | null; contentScene: Association | null; languageVoice: RegisterFit | null } {
  const fam = truths.filter((t) => typeof t.lookFamily === 'number');
  const K = languages.length;
  const languageLook = fam.length && K > 1
    ? association(fam.map((t) => [languages.indexOf(t.originalLanguage), t.lookFamily as number]), K, K, (c, e) => c === e, 1 / K)
    : null;
  const keywords = [...new Set(SENTENCES.map((s) => s.keyword))];
  const lines: [number, number][] = truths.flatMap((t) => t.shots.flatMap((s) => s.lines.map((l) => [SCENES.indexOf(s.scene as Scene), keywords.indexOf(l.keyword)] as [number, number])));
  const contentScene = lines.length
    ? association(lines, SCENES.length, keywords.length, (c, e) => keywords[e] === SCENE_TOPICS[SCENES[c]], 1 / keywords.length)
    : null;
  return { languageLook, contentScene, languageVoice: measureRegister(truths, languages) };
}

// ---- summaries (`data synth`, `data stats`) --------------------------------------------------------

export interface KnobSummary {
  /** Every knob as the corpus was generated (defaults for corpora written before the knobs). */
  knobs: GeneratorKnobs;
  /** What the truth shows: measured strengths, agreement rates and Cramér's V. */
  measured: ReturnType<typeof measureConfounds>;
}

/** Knobs and measured confounds of the corpus in `dir` (reads corpus.json and truth/*.json). */
export function corpusKnobSummary(dir: string): KnobSummary {
  const m = JSON.parse(readFileSync(join(dir, 'corpus.json'), 'utf8')) as { titles: string[]; languages: string[]; knobs?: GeneratorKnobs };
  const truths = m.titles.map((id) => JSON.parse(readFileSync(join(dir, 'truth', `${id}.json`), 'utf8')) as TruthLike);
  return { knobs: { ...DEFAULT_KNOBS, ...m.knobs }, measured: measureConfounds(truths, m.languages) };
}

const f2 = (x: number) => x.toFixed(2);
const assoc = (a: Association | null, what: string) =>
  a ? `measured ${f2(a.strength)} ± ${f2(a.se)} (${what} agree ${(a.agreement * 100).toFixed(1)}% vs ${(a.chance * 100).toFixed(1)}% by chance, Cramér's V ${f2(a.cramersV)}, n = ${a.n})` : 'not measurable here';

/** Human lines for a KnobSummary. */
export function knobLines(s: KnobSummary): string[] {
  const k = s.knobs;
  return [
    `language → look: ${k.languageLook === null ? 'none (no look families)' : `declared ${f2(k.languageLook)}, ${assoc(s.measured.languageLook, 'title family and language')}`}`,
    `content → scene: declared ${f2(k.contentScene)}, ${assoc(s.measured.contentScene, 'line keyword and scene topic')}`,
    `language → voice: declared ${f2(k.languageVoice)}, ${s.measured.languageVoice ? `measured ${f2(s.measured.languageVoice.strength)} ± ${f2(s.measured.languageVoice.se)} (dub voice vs the same character's original, n = ${s.measured.languageVoice.n})` : 'not measurable here (no dubbed speakers)'}`,
    `speech over bed ${k.speechToBedDb} dB; dubs per title ${k.dubs.min}..${k.dubs.max}; at most ${k.maxSpeakers} speakers per shot`,
  ];
}
