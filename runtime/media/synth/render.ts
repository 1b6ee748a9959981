// Rendering one title: direct the lines (timing from the original-language speech), dub them into every
// other language in the same slots (eSpeak rate, then WSOLA stretch to the exact slot), EQ- and
// loudness-match each dub to the original (paper §6 step 6), put the original dialogue in its room
// (the §C acoustic-context gap), remix with the shared bed, and mux video + all tracks into one .mkv.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ffmpeg, runCommand } from '../ffmpeg.ts';
import { rng } from './rng.ts';
import {
  SR, EQ_BANDS, addInto, addReverb, applyBandGains, bandEnvelope, concat, fadeEdges, integratedLoudness, limitPeak, matchGains,
  normaliseLoudness, roomResponse, scale, schroederRt60, stretchTo, undb, wavBytes, rms,
} from './dsp.ts';
import { BED_LEVEL, LOOK_GRADES, VIDEO, bed, lookGraph, music, type OnScreen } from './scenes.ts';
import { DEFAULT_KNOBS, bedOffsetDb, pickSentence, type GeneratorKnobs } from './knobs.ts';
import { ISO639_2, SENTENCES, type SynthLang } from './bank.ts';
import { describeVoice, speak, speakTimed, voiceParams, type TimedWord, type Utterance, type Voice, type VoiceParams } from './espeak.ts';
import type { TitlePlan } from './plan.ts';
import { DEFAULT_DUBBING, type Dubbing } from './dubbing.ts';
import { SynthCodes, synthError } from './errors.ts';

/** Probe clips' speech is levelled around this BS.1770 loudness (LUFS): the default dialogue level of the titles. */
export const SPEECH_LEVEL = -23;

export interface TruthLine {
  speaker: string;
  start: number;
  end: number;
  sentence: number;
  keyword: string;
  /** Drawn on the shot's scene topic by the content→scene knob (false: drawn from the whole bank). */
  topical: boolean;
  text: Partial<Record<SynthLang, string>>;
  /** Word timings per language (title seconds), from eSpeak's word events; dubs scaled with the stretch. */
  words: Partial<Record<SynthLang, TimedWord[]>>;
  /** BS.1770 loudness (LUFS) of the line per language as its track plays it (in the room, tail included, where the track has one). */
  loudness: Partial<Record<SynthLang, number>>;
}
export interface TruthShot {
  index: number;
  start: number;
  end: number;
  scene: string;
  /** `voice`/`voices`: descriptors (original / per language); `params`: each language's voice characteristics. */
  speakers: { id: string; voice: string; voices: Partial<Record<SynthLang, string>>; params: Partial<Record<SynthLang, VoiceParams>> }[];
  /** Number of distinct speakers (= speakers.length), for readers that want a count. */
  speakerCount: number;
  lines: TruthLine[];
  music: boolean;
}
export interface Truth {
  id: string;
  title: string;
  kind: 'movie' | 'episode';
  originalLanguage: SynthLang;
  dubs: SynthLang[];
  duration: number;
  /** Colour-grade family (language→look knob; family k belongs to the corpus's k-th language), null = none. */
  lookFamily: number | null;
  /** Audio streams of the .mkv in order: language (ISO 639-1, `zxx` for the speech-removed stem) and role. */
  tracks: { stream: number; language: string; role: 'original' | 'dub' | 'speech_removed' }[];
  shots: TruthShot[];
  /** The dubbing knobs this title was made with. */
  dubbing: Dubbing;
  /** EQ match: band centres (Hz) and, per dub language and speaker, the gains applied (dB); null when eq_match is off. */
  eq: { bands: number[]; gains: Partial<Record<SynthLang, Record<string, number[]>>> } | null;
  /** The room on the dialogue: which tracks have it and its reverberation time measured on the response (s); null when dry. */
  room: { tracks: ('original' | 'dub')[]; rt60: number; wet: number; measuredRt60: number } | null;
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const r3 = (t: number) => Math.round(t * 1000) / 1000;

/**
 * Seconds per character at rate 1 wpm, per language, learned from the title's own earlier lines: lets a
 * dub line be spoken once at (about) the rate that fits its slot instead of twice. One map per title,
 * filled in a fixed order, so a title renders identically alone (resume) or after others.
 */
type Pace = Map<SynthLang, { sec: number; chars: number }>;
function learnPace(pace: Pace, lang: SynthLang, text: string, rate: number, samples: number): void {
  const p = pace.get(lang) ?? { sec: 0, chars: 0 };
  p.sec += (samples / SR) * rate;
  p.chars += text.length;
  pace.set(lang, p);
}

/** Fits a line into exactly `slot` seconds: eSpeak at the rate predicted to fit, then WSOLA stretch. */
async function dubLine(pace: Pace, text: string, voice: Voice, slot: number): Promise<Utterance> {
  const p = pace.get(voice.lang);
  let rate = voice.rate;
  if (p && p.chars > 200) rate = Math.max(voice.rate * 0.75, Math.min(450, (text.length * p.sec) / p.chars / slot));
  let u = await speakTimed(text, voice, rate);
  learnPace(pace, voice.lang, text, Math.round(Math.min(450, Math.max(80, rate))), u.samples.length);
  const ratio = u.samples.length / SR / slot;
  if (Math.abs(ratio - 1) > 0.25) {
    // prediction far off (odd sentence): one more try at the rate that fits
    rate = rate * ratio;
    u = await speakTimed(text, voice, rate);
  }
  const k = slot / (u.samples.length / SR); // WSOLA stretches uniformly: word times scale by k
  return {
    samples: stretchTo(u.samples, Math.round(slot * SR)),
    words: u.words.map((w) => ({ word: w.word, start: r3(w.start * k), end: r3(Math.min(slot, w.end * k)) })),
  };
}

/** Decides line timing shot by shot: speakers take turns; a line is only placed if it fits the shot (exported for the knob tests). */
export async function direct(plan: TitlePlan, seed: number, knobs: GeneratorKnobs): Promise<TruthShot[]> {
  const chars = new Map(plan.characters.map((c) => [c.id, c]));
  const langs = [plan.originalLanguage, ...plan.dubs];
  const out: TruthShot[] = [];
  for (const shot of plan.shots) {
    const r = rng(seed, `title/${plan.index}/shot/${shot.index}/lines`);
    const topic = r.fork('topic');
    const lines: TruthLine[] = [];
    let t = shot.start + r.uniform(0.2, 0.9), turn = 0, misses = 0;
    while (shot.cast.length && misses < 3) {
      const who = chars.get(shot.cast[turn % shot.cast.length])!;
      const { sentence: s, topical } = pickSentence(r, topic, shot.scene, knobs.contentScene);
      const audio = await speak(s.text[plan.originalLanguage], who.voices[plan.originalLanguage]!);
      const dur = audio.length / SR;
      if (t + dur > shot.end - 0.25) { misses++; continue; }
      const text: TruthLine['text'] = {};
      for (const l of langs) text[l] = s.text[l];
      lines.push({ speaker: who.id, start: r3(t), end: r3(t + dur), sentence: s.index, keyword: s.keyword, topical, text, words: {}, loudness: {} });
      t += dur + r.uniform(0.25, 1.1);
      turn++;
      if (turn >= shot.cast.length && r.chance(0.3)) break; // sometimes a pause ends the exchange
    }
    // only characters who actually speak stay on screen, so the visible count is the speaker count
    const speaking = shot.cast.filter((id) => lines.some((l) => l.speaker === id));
    out.push({
      index: shot.index, start: shot.start, end: shot.end, scene: shot.scene,
      speakers: speaking.map((id) => {
        const c = chars.get(id)!;
        const voices: TruthShot['speakers'][number]['voices'] = {};
        const params: TruthShot['speakers'][number]['params'] = {};
        for (const l of langs) { voices[l] = describeVoice(c.voices[l]!); params[l] = voiceParams(c.voices[l]!); }
        return { id, voice: describeVoice(c.voices[plan.originalLanguage]!), voices, params };
      }),
      speakerCount: speaking.length,
      lines,
      music: shot.music,
    });
  }
  return out;
}

/** The speech-free soundtrack: one bed per shot (plus music where the shot has it), hard cuts de-clicked. */
function bedTrack(plan: TitlePlan, seed: number, offsetDb: number): Float32Array {
  const parts = plan.shots.map((s) => {
    const r = rng(seed, `title/${plan.index}/shot/${s.index}/bed`);
    const n = Math.round(s.end * SR) - Math.round(s.start * SR);
    const y = scale(bed(s.scene, r, n), undb(BED_LEVEL[s.scene] + offsetDb + r.uniform(-2, 2)));
    if (s.music && s.scene !== 'concert') {
      const m = music(r.fork('music'), n);
      addInto(y, m, 0, undb(BED_LEVEL[s.scene] + offsetDb - 3) / Math.max(1e-9, rms(m)));
    }
    return fadeEdges(y, 80);
  });
  return concat(parts);
}

export interface RenderOptions { seed: number; outDir: string; workDir: string; signal?: AbortSignal; /** Default: DEFAULT_KNOBS. */ knobs?: GeneratorKnobs; /** Default: DEFAULT_DUBBING. */ dubbing?: Dubbing }

/** Renders `plan` into `<outDir>/titles/<id>.mkv` + `.cuts.json` and `<outDir>/truth/<id>.json`. */
export async function renderTitle(plan: TitlePlan, o: RenderOptions): Promise<Truth> {
  const knobs = o.knobs ?? DEFAULT_KNOBS;
  const shots = await direct(plan, o.seed, knobs);
  const chars = new Map(plan.characters.map((c) => [c.id, c]));
  const langs: SynthLang[] = [plan.originalLanguage, ...plan.dubs];
  const n = Math.round(plan.duration * SR);
  const bedAudio = bedTrack(plan, o.seed, bedOffsetDb(knobs));

  const d = o.dubbing ?? DEFAULT_DUBBING;
  const allLines = shots.flatMap((s) => s.lines);
  const linesOf = (id: string) => allLines.filter((l) => l.speaker === id);
  const place = (lang: SynthLang, line: TruthLine, u: Utterance) => {
    line.words[lang] = u.words.map((w) => ({ word: w.word, start: Math.min(line.end, r3(line.start + w.start)), end: Math.min(line.end, r3(line.start + w.end)) }));
  };
  // one room per title (the set); its response is drawn whether or not a track uses it, so knobs shift no stream
  const room = d.room.kind === 'dry' ? null : roomResponse(d.room.rt60, d.room.wet, rng(o.seed, `title/${plan.index}/room`));
  const inRoom = (role: 'original' | 'dub') => d.room.kind === 'shared' || (d.room.kind === 'gap' && role === 'original');
  /** A stem or a line as the track plays it: in the room when the track has one (a line keeps its tail). */
  const heard = (x: Float32Array, role: 'original' | 'dub', tail = false) => {
    if (!room || !inRoom(role)) return x;
    const y = tail ? new Float32Array(x.length + room.length) : x;
    if (tail) y.set(x);
    return addReverb(y, room);
  };
  const mixOf = (stem: Float32Array) => {
    const mix = Float32Array.from(bedAudio);
    addInto(mix, stem, 0);
    return limitPeak(mix);
  };

  // The original: every line spoken by its actor, the stem levelled to the target loudness.
  const orig = plan.originalLanguage;
  const origSamples = new Map<TruthLine, Float32Array>();
  const stem0 = new Float32Array(n);
  for (const c of plan.characters) {
    for (const line of linesOf(c.id)) {
      const u = await speakTimed(SENTENCES[line.sentence].text[orig], c.voices[orig]!);
      place(orig, line, u);
      origSamples.set(line, u.samples);
      addInto(stem0, u.samples, Math.round(line.start * SR));
    }
  }
  // levelled as heard (in its room, if it has one): the loudness a dub must match is the original's as played
  const wet0 = heard(stem0, 'original');
  const gain0 = d.loudness.method === 'bs1770' ? normaliseLoudness(wet0, d.loudness.target) : 1;
  // each line as played: its slot plus its room tail (up to the next line), read off the levelled stem,
  // which costs one convolution per title instead of one per line (lines never overlap)
  const lineLoudness = new Map<TruthLine, number>();
  const tailSeconds = room && inRoom('original') ? room.length / SR : 0;
  const starts = [...origSamples.keys()].map((l) => l.start).sort((a, b) => a - b);
  for (const line of origSamples.keys()) {
    const next = starts.find((t) => t > line.start) ?? plan.duration;
    const to = Math.min(next, line.end + tailSeconds, plan.duration);
    const l = integratedLoudness(wet0.subarray(Math.round(line.start * SR), Math.round(to * SR)));
    lineLoudness.set(line, l);
    line.loudness[orig] = r2(l);
  }
  const origEnvelope = new Map(plan.characters.map((c) => [c.id, bandEnvelope(linesOf(c.id).map((l) => origSamples.get(l)!))]));
  const tracks: Float32Array[] = [mixOf(wet0)];

  // Each dub: lines fitted to their slots, then (per speaker) EQ-matched to the original actor's long-term
  // spectrum and (per line) matched to the original line's loudness.
  const eq: NonNullable<Truth['eq']> = { bands: EQ_BANDS.map((b) => b.centre), gains: {} };
  const pace: Pace = new Map();
  for (const lang of plan.dubs) {
    o.signal?.throwIfAborted();
    const stem = new Float32Array(n);
    // character by character: switching eSpeak voices costs more than speaking a short line
    for (const c of plan.characters) {
      const lines = linesOf(c.id);
      const us: Utterance[] = [];
      for (const line of lines) {
        const u = await dubLine(pace, SENTENCES[line.sentence].text[lang], c.voices[lang]!, line.end - line.start);
        place(lang, line, u);
        us.push(u);
      }
      let samples = us.map((u) => u.samples);
      const from = d.eq_match && lines.length ? bandEnvelope(samples) : null, to = origEnvelope.get(c.id);
      if (from && to) {
        const g = matchGains(from, to);
        (eq.gains[lang] ??= {})[c.id] = g.map(r2);
        samples = samples.map((x) => applyBandGains(x, g));
      }
      lines.forEach((line, i) => {
        const x = samples[i];
        const l = integratedLoudness(heard(x, 'dub', true));
        if (d.loudness.method === 'bs1770' && Number.isFinite(l)) scale(x, undb(lineLoudness.get(line)! - l));
        // recorded as measured after the match (not as the target), so the truth can show a miss
        line.loudness[lang] = r2(d.loudness.method === 'bs1770' ? integratedLoudness(heard(x, 'dub', true)) : l);
        addInto(stem, x, Math.round(line.start * SR));
      });
    }
    tracks.push(mixOf(heard(stem, 'dub')));
  }
  tracks.push(limitPeak(Float32Array.from(bedAudio)));

  // Video: one look per shot, concatenated (hard cuts), characters' mouths moving while they talk.
  const graph: string[] = [];
  shots.forEach((s) => {
    const r = rng(o.seed, `title/${plan.index}/shot/${s.index}/look`);
    const people: OnScreen[] = s.speakers.map(({ id }) => ({
      skin: chars.get(id)!.skin,
      shirt: chars.get(id)!.shirt,
      talk: s.lines.filter((l) => l.speaker === id).map((l) => [l.start - s.start, l.end - s.start] as [number, number]),
    }));
    graph.push(...lookGraph(s.scene as never, r, s.end - s.start, people, `s${s.index}_`, `v${s.index}`));
  });
  graph.push(`${shots.map((s) => `[v${s.index}]`).join('')}concat=n=${shots.length}:v=1:a=0,fps=${VIDEO.fps},${plan.lookFamily === null ? '' : LOOK_GRADES[plan.lookFamily] + ','}format=yuv420p[v]`);

  const work = join(o.workDir, plan.id);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const graphPath = join(work, 'graph.txt');
  writeFileSync(graphPath, graph.join(';\n'));
  const wavs = tracks.map((t, i) => { const p = join(work, `a${i}.wav`); writeFileSync(p, wavBytes(t)); return p; });

  const trackInfo: Truth['tracks'] = [
    ...langs.map((l, i) => ({ stream: i + 1, language: l as string, role: (i === 0 ? 'original' : 'dub') as 'original' | 'dub' })),
    { stream: langs.length + 1, language: 'zxx', role: 'speech_removed' as const },
  ];
  const meta = trackInfo.flatMap((t, i) => [
    `-metadata:s:a:${i}`, `language=${t.language === 'zxx' ? 'zxx' : ISO639_2[t.language as SynthLang]}`,
    `-metadata:s:a:${i}`, `title=${t.role}`,
  ]);
  const cuts = shots.slice(1).map((s) => s.start);
  const mkv = join(o.outDir, 'titles', `${plan.id}.mkv`);
  const tmp = `${mkv}.tmp-${process.pid}`;
  const cmd = ffmpeg();
  for (const w of wavs) cmd.input(w);
  cmd.outputOptions(
    '-threads', '1', '-filter_complex_threads', '1',
    '-filter_complex_script', graphPath,
    '-map', '[v]', ...wavs.flatMap((_, i) => ['-map', `${i}:a`]),
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '26', '-pix_fmt', 'yuv420p', '-g', String(VIDEO.fps * 2),
    '-force_key_frames', cuts.length ? cuts.join(',') : '0',
    '-c:a', 'flac', '-ar', String(SR), '-ac', '1',
    '-metadata', `title=${plan.title}`,
    ...meta,
    '-t', String(plan.duration),
    '-f', 'matroska',
  ).output(tmp);
  try {
    await runBounded(cmd, plan.duration, o.signal);
  } catch (e) {
    rmSync(tmp, { force: true });
    o.signal?.throwIfAborted();
    const msg = (e as Error).message.split('\n').filter((l) => /error|invalid|fail|ran past/i.test(l)).slice(-2).join(' / ') || (e as Error).message.split('\n')[0];
    throw synthError(SynthCodes.renderFailed, `ffmpeg failed rendering ${plan.id}: ${msg}`, { path: mkv, hint: 'check that the shipped ffmpeg works (FFMPEG_PATH overrides it)' });
  }
  renameSync(tmp, mkv);

  const truth: Truth = {
    id: plan.id, title: plan.title, kind: plan.kind, originalLanguage: plan.originalLanguage, dubs: plan.dubs,
    duration: plan.duration, lookFamily: plan.lookFamily, tracks: trackInfo, shots, dubbing: d,
    eq: d.eq_match ? eq : null,
    room: room && d.room.kind !== 'dry'
      ? { tracks: d.room.kind === 'shared' ? ['original', 'dub'] : ['original'], rt60: d.room.rt60, wet: d.room.wet, measuredRt60: r3(schroederRt60(room)) }
      : null,
  };
  writeAtomic(join(o.outDir, 'titles', `${plan.id}.cuts.json`), JSON.stringify({ cuts }) + '\n');
  writeAtomic(join(o.outDir, 'truth', `${plan.id}.json`), JSON.stringify(truth, null, 1) + '\n');
  rmSync(work, { recursive: true, force: true });
  return truth;
}

/**
 * Runs an ffmpeg command that renders `mediaSeconds` of output, killing it on abort or when it runs
 * past a generous bound (2 min + 10 s per media second): a filter graph that never ends must not hang
 * the generator (or a CI job) forever.
 */
export async function runBounded(cmd: ReturnType<typeof ffmpeg>, mediaSeconds: number, signal?: AbortSignal): Promise<void> {
  const limit = 120 + 10 * mediaSeconds;
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; cmd.kill('SIGKILL'); }, limit * 1000);
  const onAbort = () => cmd.kill('SIGKILL');
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await runCommand(cmd);
  } catch (e) {
    if (timedOut) throw new Error(`ffmpeg ran past ${limit} s for ${mediaSeconds} s of media and was stopped`);
    throw e;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

export function writeAtomic(path: string, data: string | Buffer): void {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}
