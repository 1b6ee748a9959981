// The dubbing knobs of the synthetic corpus (paper §6 steps 5–6, §C): their runtime shape, defaults,
// validation and canonical form (render.ts applies them, index.ts hashes and records them), and the summary
// of what a corpus's truth shows about them (`lssdc data stats`).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * How dubs are made: the `synthetic(…)` catalog's dubbing knobs, as the language writes them
 * (compiler/spec.ts SyntheticDubbing; docs/language.md §4.7). Recorded in corpus.json and every truth file.
 */
export interface Dubbing {
  voice_match: boolean;
  loudness: { method: 'bs1770'; target: number } | { method: 'off' };
  eq_match: boolean;
  room: { kind: 'dry' } | { kind: 'gap' | 'shared'; rt60: number; wet: number };
}
/** The language's defaults (the paper's pipeline); test/synth/dubbing.test.ts checks the compiler agrees. */
/** Dialogue loudness of the original (LUFS): EBU R 128's programme target, which the paper's pyloudnorm step levels to by default. */
export const DEFAULT_LOUDNESS_TARGET = -23;
/** The default room: a reverberation time of a furnished interior set (s) and a reverberant level 10 dB under the close-miked voice. */
export const DEFAULT_ROOM = { rt60: 0.5, wet: -10 } as const;
export const DEFAULT_DUBBING: Dubbing = {
  voice_match: true, loudness: { method: 'bs1770', target: DEFAULT_LOUDNESS_TARGET }, eq_match: true, room: { kind: 'gap', ...DEFAULT_ROOM },
};

/** The same ranges as the language's (compiler/schema/fields.ts), for callers that bypass the compiler. */
export function validateDubbing(d: Dubbing, bad: (what: string, got: unknown, hint: string) => Error): void {
  const hint = 'see docs/language.md §4.7';
  if (typeof d !== 'object' || d === null) throw bad('dubbing must be an object', d, hint);
  if (typeof d.voice_match !== 'boolean') throw bad('dubbing.voice_match must be true or false', d.voice_match, hint);
  if (typeof d.eq_match !== 'boolean') throw bad('dubbing.eq_match must be true or false', d.eq_match, hint);
  const l = d.loudness as { method?: unknown; target?: unknown };
  if (!l || !(l.method === 'off' || (l.method === 'bs1770' && typeof l.target === 'number' && l.target > -70 && l.target <= 0))) {
    throw bad('dubbing.loudness must be { method: "bs1770", target: LUFS in (-70, 0] } or { method: "off" }', d.loudness, hint);
  }
  const r = d.room as { kind?: unknown; rt60?: unknown; wet?: unknown };
  const okRoom = r && (r.kind === 'dry' || ((r.kind === 'gap' || r.kind === 'shared') && typeof r.rt60 === 'number' && r.rt60 >= 0.05 && r.rt60 <= 5 &&
    typeof r.wet === 'number' && r.wet >= -40 && r.wet <= 0));
  if (!okRoom) throw bad('dubbing.room must be { kind: "dry" } or { kind: "gap" | "shared", rt60: 0.05–5 s, wet: -40–0 dB }', d.room, hint);
}

/** The knobs in one canonical form (key order fixed), for the manifest and the corpus hash. */
export function canonicalDubbing(d: Dubbing): Dubbing {
  return {
    voice_match: d.voice_match,
    loudness: d.loudness.method === 'bs1770' ? { method: 'bs1770', target: d.loudness.target } : { method: 'off' },
    eq_match: d.eq_match,
    room: d.room.kind === 'dry' ? { kind: 'dry' } : { kind: d.room.kind, rt60: d.room.rt60, wet: d.room.wet },
  };
}


// ---- what a corpus's truth shows about its dubbing (`lssdc data stats`) --------------------------------

interface TruthForStats {
  originalLanguage: string;
  dubs: string[];
  shots: { speakers: { id: string; params?: Record<string, unknown> }[]; lines: { loudness?: Record<string, number | null> }[] }[];
  eq?: { gains: Record<string, Record<string, number[]>> } | null;
  room?: { tracks: string[]; measuredRt60: number } | null;
}

export interface DubbingSummary {
  /** The knobs, from corpus.json. */
  dubbing: Dubbing;
  /** Speakers of dubbed titles, and how many of them have the same voice parameters in the original and every dub. */
  voices: { speakers: number; matched: number };
  /** |dub − original| BS.1770 loudness of every dubbed line (LU), from the truth's per-line measurements. */
  loudness: { pairs: number; meanGap: number; maxGap: number };
  /** EQ gains applied (dB), over every band of every dubbed speaker; null when no title has an EQ match. */
  eq: { speakers: number; meanAbsGain: number; maxAbsGain: number } | null;
  /** Titles with a room, the tracks that have it, and the mean RT60 measured on the rooms' responses (s). */
  room: { titles: number; tracks: string[]; measuredRt60: number } | null;
}

/** Summarises the truth files of a corpus made with `dubbing`. */
export function dubbingStats(dubbing: Dubbing, truths: TruthForStats[]): DubbingSummary {
  let speakers = 0, matched = 0;
  const gaps: number[] = [], gains: number[] = [], rt60s: number[] = [];
  let eqSpeakers = 0, roomTracks: string[] = [];
  for (const t of truths) {
    if (t.room) { rt60s.push(t.room.measuredRt60); roomTracks = t.room.tracks; }
    if (!t.dubs.length) continue;
    const seen = new Set<string>();
    for (const s of t.shots) {
      for (const p of s.speakers) {
        if (seen.has(p.id) || !p.params) continue;
        seen.add(p.id);
        speakers++;
        const o = JSON.stringify(p.params[t.originalLanguage]);
        if (t.dubs.every((d) => JSON.stringify(p.params![d]) === o)) matched++;
      }
      for (const l of s.lines) {
        const o = l.loudness?.[t.originalLanguage];
        for (const d of t.dubs) {
          const x = l.loudness?.[d];
          if (typeof o === 'number' && typeof x === 'number') gaps.push(Math.abs(x - o));
        }
      }
    }
    for (const bySpeaker of Object.values(t.eq?.gains ?? {})) for (const g of Object.values(bySpeaker)) { eqSpeakers++; gains.push(...g.map(Math.abs)); }
  }
  const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0);
  return {
    dubbing,
    voices: { speakers, matched },
    loudness: { pairs: gaps.length, meanGap: mean(gaps), maxGap: gaps.length ? Math.max(...gaps) : 0 },
    eq: gains.length ? { speakers: eqSpeakers, meanAbsGain: mean(gains), maxAbsGain: Math.max(...gains) } : null,
    room: rt60s.length ? { titles: rt60s.length, tracks: roomTracks, measuredRt60: mean(rt60s) } : null,
  };
}

/** The summary of a generated corpus directory, or null when corpus.json predates the dubbing knobs. */
export function corpusDubbingSummary(dir: string): DubbingSummary | null {
  const m = JSON.parse(readFileSync(join(dir, 'corpus.json'), 'utf8')) as { titles: string[]; dubbing?: Dubbing };
  if (!m.dubbing) return null;
  const truths = m.titles.filter((id) => existsSync(join(dir, 'truth', `${id}.json`)))
    .map((id) => JSON.parse(readFileSync(join(dir, 'truth', `${id}.json`), 'utf8')) as TruthForStats);
  return dubbingStats(m.dubbing, truths);
}

/** One line per knob for `lssdc data stats`, each with what the truth measured. */
export function dubbingLines(s: DubbingSummary): string[] {
  const d = s.dubbing, f = (x: number, n = 2) => x.toFixed(n);
  return [
    `voice_match ${d.voice_match ? 'on' : 'off'}: ${s.voices.matched} of ${s.voices.speakers} speakers of dubbed titles keep the original's voice in every dub`,
    `loudness ${d.loudness.method === 'bs1770' ? `bs1770, original dialogue at ${d.loudness.target} LUFS` : 'off (eSpeak levels)'}: ` +
      `dub lines ${f(s.loudness.meanGap)} LU from the original line on average (max ${f(s.loudness.maxGap)}; ${s.loudness.pairs} line pairs)`,
    `eq_match ${d.eq_match ? 'on' : 'off'}` + (s.eq ? `: ${s.eq.speakers} dubbed speakers EQ-matched, mean |gain| ${f(s.eq.meanAbsGain, 1)} dB (max ${f(s.eq.maxAbsGain, 1)})` : ''),
    d.room.kind === 'dry' ? 'room dry: no reverberation on any track'
      : `room ${d.room.kind} (rt60 ${d.room.rt60} s, wet ${d.room.wet} dB) on ${d.room.kind === 'gap' ? 'the original only' : 'every track'}` +
        (s.room ? `: ${s.room.titles} titles, RT60 measured on the responses ${f(s.room.measuredRt60)} s` : ''),
  ];
}
