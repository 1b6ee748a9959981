// eSpeak NG (GPL-3.0, compiled to WASM by @echogarden/espeak-ng-emscripten) behind a small interface.
// It is an optional dependency, loaded lazily by dynamic import and only inside the generator, so
// nothing else in lssd links against it; without it `data synth` fails with LSSD5020.
import { SynthCodes, synthError } from './errors.ts';
import { ESPEAK_VOICE, type SynthLang } from './bank.ts';
import { resample, SR } from './dsp.ts';

/**
 * A speaker's voice in one language: eSpeak variant, pitch (0–99), rate (words per minute), and optionally
 * pitch range (0–99, eSpeak's default 50) and formant scaling (% of the variant's formant frequencies: a
 * longer or shorter vocal tract, i.e. timbre). With `formant` set the voice is a variant file of our own,
 * written into eSpeak's in-memory file system from the base variant (see variantFile).
 */
export interface Voice {
  lang: SynthLang;
  variant: string;
  pitch: number;
  rate: number;
  range?: number;
  formant?: number;
}

/** The voice characteristics that are not the language: what voice matching keeps equal across a character's tracks. */
export type VoiceParams = Omit<Voice, 'lang'>;
export const voiceParams = (v: Voice): VoiceParams => {
  const { lang: _lang, ...p } = v;
  return p;
};

const variantId = (v: Voice) => (v.formant === undefined ? v.variant : `lssd_${v.variant}_f${v.formant}`);
export const voiceName = (v: Voice) => `${ESPEAK_VOICE[v.lang]}+${variantId(v)}`;
/** Stable human-readable descriptor, written to the truth files. */
export const describeVoice = (v: Voice) =>
  `${ESPEAK_VOICE[v.lang]}+${v.variant} p${v.pitch} s${v.rate}${v.range === undefined ? '' : ` r${v.range}`}${v.formant === undefined ? '' : ` f${v.formant}`}`;

/** eSpeak NG's variant directory inside the WASM module's file system. */
const VARIANTS = '/usr/share/espeak-ng-data/voices/!v';

/**
 * The text of variant `base` with every formant frequency scaled by `formant` % (the second number of each
 * `formant N freq height width` line; a variant without formant lines gets them at 100 % first).
 */
export function variantFile(baseText: string, name: string, formant: number): string {
  const lines = baseText.split('\n').filter((l) => !/^\s*name\s/.test(l));
  if (!lines.some((l) => /^\s*formant\s/.test(l))) for (let i = 0; i <= 8; i++) lines.push(`formant ${i} 100 100 100`);
  const scaled = lines.map((l) => {
    const m = /^(\s*formant\s+\d+\s+)(\d+)(.*)$/.exec(l);
    return m ? `${m[1]}${Math.round((Number(m[2]) * formant) / 100)}${m[3]}` : l;
  });
  return [`name ${name}`, ...scaled].join('\n') + '\n';
}

/** Variants used for the pretraining titles; probe clips use the held-out ones (unseen speakers). */
export const TRAIN_VARIANTS = ['m1', 'm2', 'm3', 'm4', 'm5', 'f1', 'f2', 'f3', 'f4', 'Andy', 'aunty', 'max'];
export const PROBE_VARIANTS = ['m6', 'm7', 'f5', 'klatt', 'steph', 'zac', 'quincy'];

interface Worker {
  set_voice(name: string): number;
  set_rate(r: number): void;
  set_pitch(p: number): void;
  set_range(r: number): void;
  synthesize(text: string, cb: (samples: Int16Array, events: unknown[]) => number): void;
  get_samplerate(): number;
}

/** The module to load; LSSD_ESPEAK_MODULE overrides it (another build, or a test of the missing case). */
const PACKAGE = process.env.LSSD_ESPEAK_MODULE || '@echogarden/espeak-ng-emscripten';
let loading: Promise<Worker> | null = null;
interface ModuleFs { readFile(p: string, o: { encoding: 'utf8' }): string; writeFile(p: string, data: string): void; analyzePath(p: string): { exists: boolean } }
let fs: ModuleFs | null = null;

async function load(): Promise<Worker> {
  let mod: { default: (arg?: object) => Promise<{ eSpeakNGWorker: new () => Worker; FS: ModuleFs }> };
  try {
    mod = await import(PACKAGE);
  } catch (e) {
    throw synthError(SynthCodes.espeakMissing, `cannot load ${PACKAGE} (eSpeak NG): ${(e as Error).message.split('\n')[0]}`, {
      hint: 'install the optional dependency: npm install @echogarden/espeak-ng-emscripten',
    });
  }
  // Emscripten prints to stdout/stderr by default; keep our progress line clean.
  const m = await mod.default({ print: () => {}, printErr: () => {} });
  fs = m.FS;
  // eSpeak NG seeds its noise generator from the clock when the worker is created (breathy variants
  // such as es+f2 then differ from process to process: same length, other samples, measured here), so
  // the clock reads as 0 for this synchronous call: the same calls give the same samples in every process.
  const now = Date.now;
  Date.now = () => 0;
  try {
    return new m.eSpeakNGWorker();
  } finally {
    Date.now = now;
  }
}

/** Loads eSpeak NG once per process (throws LSSD5020 when it is not installed). */
export function espeak(): Promise<Worker> {
  loading ??= load();
  loading.catch(() => { loading = null; });
  return loading;
}

/** A word of an utterance, in seconds from the start of the returned samples. */
export interface TimedWord { word: string; start: number; end: number }
export interface Utterance { samples: Float32Array; words: TimedWord[] }

const cache = new Map<string, Utterance>();
const current = { voice: '', rate: -1, pitch: -1, range: -1 };

/** Makes sure the variant file a voice with `formant` needs exists in eSpeak's file system. */
function ensureVariant(v: Voice): void {
  if (v.formant === undefined) return;
  const path = `${VARIANTS}/${variantId(v)}`;
  if (!fs) throw synthError(SynthCodes.espeakMissing, 'eSpeak NG loaded without its file system: cannot write voice variants', { hint: 'use @echogarden/espeak-ng-emscripten (LSSD_ESPEAK_MODULE overrides it)' });
  if (fs.analyzePath(path).exists) return;
  let base: string;
  try { base = fs.readFile(`${VARIANTS}/${v.variant}`, { encoding: 'utf8' }); } catch {
    throw synthError(SynthCodes.unsupportedLanguage, `eSpeak NG has no voice variant '${v.variant}'`, { hint: 'the espeak-ng-emscripten build may lack this variant' });
  }
  fs.writeFile(path, variantFile(base, variantId(v), v.formant));
}
/** Cache budget in samples (≈ 100 MB of Float32): lines recur within a title far more than across titles. */
const CACHE_SAMPLES = 25_000_000;
let cached = 0;

/**
 * Speaks `text` with `voice` and returns mono float samples at SR (16 kHz), silence trimmed.
 * Results are cached per (voice, rate, text): the bank is small and lines recur across titles.
 * `rate` overrides the voice's own rate (used to fit a dub line into its slot).
 */
export async function speak(text: string, voice: Voice, rate = voice.rate): Promise<Float32Array> {
  return (await speakTimed(text, voice, rate)).samples;
}

/** `speak`, plus word timings from eSpeak's word events (what the truth files call `words`). */
export async function speakTimed(text: string, voice: Voice, rate = voice.rate): Promise<Utterance> {
  const r = Math.round(Math.min(450, Math.max(80, rate)));
  const range = voice.range ?? 50; // eSpeak's default range
  const key = `${voiceName(voice)}|${voice.pitch}|${range}|${r}|${text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const w = await espeak();
  // set_voice reloads voice (and, across languages, dictionary) data: skip what has not changed
  if (current.voice !== voiceName(voice)) {
    current.voice = '';
    ensureVariant(voice);
    if (w.set_voice(voiceName(voice)) !== 0) {
      throw synthError(SynthCodes.unsupportedLanguage, `eSpeak NG has no voice '${voiceName(voice)}'`, { hint: 'the espeak-ng-emscripten build may lack this language' });
    }
    current.voice = voiceName(voice);
    current.rate = current.pitch = current.range = -1;
  }
  if (current.rate !== r) { w.set_rate(r); current.rate = r; }
  if (current.pitch !== voice.pitch) { w.set_pitch(voice.pitch); current.pitch = voice.pitch; }
  if (current.range !== range) { w.set_range(range); current.range = range; }
  const chunks: Int16Array[] = [];
  const marks: { pos: number; len: number; ms: number }[] = [];
  w.synthesize(text, (samples, events) => {
    chunks.push(samples);
    for (const e of events as { type: string; text_position: number; word_length: number; audio_position: number }[]) {
      if (e.type === 'word') marks.push({ pos: e.text_position, len: e.word_length, ms: e.audio_position });
    }
    return 0;
  });
  const n = chunks.reduce((a, c) => a + c.length, 0);
  const raw = new Float32Array(n);
  let o = 0;
  for (const c of chunks) { for (let i = 0; i < c.length; i++) raw[o + i] = c[i] / 32768; o += c.length; }
  const { samples, from } = trimSilence(resample(raw, w.get_samplerate(), SR));
  const dur = samples.length / SR, shift = from / SR;
  const chars = [...text]; // eSpeak's text positions count characters, 1-based
  const words = marks
    .map((m, i) => ({
      word: chars.slice(m.pos - 1, m.pos - 1 + m.len).join('').replace(/[\s.,!?。、?!¿¡]+$/u, ''),
      start: Math.min(dur, Math.max(0, m.ms / 1000 - shift)),
      end: Math.min(dur, Math.max(0, (i + 1 < marks.length ? marks[i + 1].ms / 1000 : Infinity) - shift)),
    }))
    .filter((x) => x.word && x.end > x.start)
    .map((x) => ({ word: x.word, start: round3(x.start), end: round3(x.end) }));
  const u = { samples, words };
  while (cached + samples.length > CACHE_SAMPLES && cache.size) {
    const oldest = cache.keys().next().value as string;
    cached -= cache.get(oldest)!.samples.length;
    cache.delete(oldest);
  }
  cache.set(key, u);
  cached += samples.length;
  return u;
}

const round3 = (t: number) => Math.round(t * 1000) / 1000;

/** Drops leading/trailing samples below −50 dBFS (eSpeak pads utterances with silence); `from` = samples cut. */
function trimSilence(x: Float32Array): { samples: Float32Array; from: number } {
  const th = 0.003;
  let a = 0, b = x.length;
  while (a < b && Math.abs(x[a]) < th) a++;
  while (b > a && Math.abs(x[b - 1]) < th) b--;
  const from = Math.max(0, a - 80);
  return { samples: x.slice(from, Math.min(x.length, b + 80)), from };
}
