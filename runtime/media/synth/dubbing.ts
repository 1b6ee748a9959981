// The dubbing knobs of the synthetic corpus (paper §6 steps 5–6, §C): their runtime shape, defaults,
// validation and canonical form. Pure data; render.ts applies them, index.ts hashes and records them.

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
export const DEFAULT_DUBBING: Dubbing = {
  voice_match: true, loudness: { method: 'bs1770', target: -23 }, eq_match: true, room: { kind: 'gap', rt60: 0.5, wet: -10 },
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

