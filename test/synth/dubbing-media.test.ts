// The dubbing knobs measured on generated media, not on the generator's own bookkeeping: one fully dubbed
// title (3 languages, 15 s) rendered under several knob settings, every track decoded from the .mkv, the
// dialogue recovered as track − (fitted gain × speech-removed stem), then measured per line:
//   loudness (BS.1770 over the line's slot), pitch (autocorrelation F0), spectral envelope (octave bands),
//   and the reverberant tail after each line (energy 50–300 ms after the line ends, relative to the line).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planTitle } from '../../runtime/media/synth/plan.ts';
import { renderTitle, type Truth, type TruthLine } from '../../runtime/media/synth/render.ts';
import { DEFAULT_DUBBING, type Dubbing } from '../../runtime/media/synth/dubbing.ts';
import { SR, bandEnvelope, envelopeDistance, integratedLoudness } from '../../runtime/media/synth/dsp.ts';
import { decodeAudio } from '../../runtime/media/decode.ts';
import type { SynthLang } from '../../runtime/media/synth/bank.ts';

const LANGS: SynthLang[] = ['en', 'es', 'fr'];
const SEED = 7, INDEX = 1; // title 1 carries every dub
let root: string;

interface Rendered { truth: Truth; speech: Map<SynthLang, Float32Array> }
const cases: Record<string, Dubbing> = {
  matchedVoice: { ...DEFAULT_DUBBING, eq_match: false, room: { kind: 'dry' } },
  ownVoices: { ...DEFAULT_DUBBING, voice_match: false, eq_match: false, room: { kind: 'dry' } },
  ownVoicesEq: { ...DEFAULT_DUBBING, voice_match: false, eq_match: true, room: { kind: 'dry' } },
  ownVoicesLoud: { ...DEFAULT_DUBBING, voice_match: false, eq_match: false, loudness: { method: 'off' }, room: { kind: 'dry' } },
  gap: { ...DEFAULT_DUBBING },
  shared: { ...DEFAULT_DUBBING, room: { kind: 'shared', rt60: 0.5, wet: -10 } },
};
const got: Record<string, Rendered> = {};

const decode = (path: string, stream: number) => decodeAudio(path, { sampleRate: SR, stream });

/** track − g·bed, g by least squares: both were scaled by their own peak limiter, the bed is shared. */
function dialogue(track: Float32Array, bed: Float32Array): Float32Array {
  const n = Math.min(track.length, bed.length);
  let tb = 0, bb = 0;
  for (let i = 0; i < n; i++) { tb += track[i] * bed[i]; bb += bed[i] * bed[i]; }
  const g = tb / bb, y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = track[i] - g * bed[i];
  return y;
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'lssd-dubbing-'));
  for (const [name, dubbing] of Object.entries(cases)) {
    const outDir = join(root, name);
    for (const d of ['titles', 'truth', 'work']) mkdirSync(join(outDir, d), { recursive: true });
    const plan = planTitle({ seed: SEED, index: INDEX, minutesPerTitle: 15 / 60, languages: LANGS, voiceMatch: dubbing.voice_match });
    const truth = await renderTitle(plan, { seed: SEED, outDir, workDir: join(outDir, 'work'), dubbing });
    const mkv = join(outDir, 'titles', `${plan.id}.mkv`);
    const bed = await decode(mkv, truth.tracks.at(-1)!.stream);
    const speech = new Map<SynthLang, Float32Array>();
    for (const t of truth.tracks.slice(0, -1)) speech.set(t.language as SynthLang, dialogue(await decode(mkv, t.stream), bed));
    got[name] = { truth, speech };
  }
});
after(() => rmSync(root, { recursive: true, force: true }));

const linesOf = (t: Truth) => t.shots.flatMap((s) => s.lines);
const slot = (x: Float32Array, l: TruthLine, pad = 0) => x.subarray(Math.max(0, Math.round((l.start - pad) * SR)), Math.min(x.length, Math.round((l.end + pad) * SR)));

/** |dub − original| loudness of every line in every dub (LU), measured on the decoded dialogue. */
function loudnessGaps(r: Rendered): number[] {
  const out: number[] = [];
  const o = r.speech.get(r.truth.originalLanguage)!;
  for (const l of linesOf(r.truth)) {
    const lo = integratedLoudness(slot(o, l));
    for (const d of r.truth.dubs) out.push(Math.abs(integratedLoudness(slot(r.speech.get(d)!, l)) - lo));
  }
  return out;
}
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

/** Median F0 (Hz) of the voiced 40 ms frames of `parts` (normalised autocorrelation peak in 70–400 Hz above 0.5). */
function medianF0(parts: Float32Array[]): number {
  const f0s: number[] = [];
  const win = Math.round(0.04 * SR), lo = Math.floor(SR / 400), hi = Math.ceil(SR / 70);
  for (const x of parts) {
    for (let s = 0; s + win + hi <= x.length; s += win) {
      let e = 0;
      for (let i = 0; i < win; i++) e += x[s + i] * x[s + i];
      if (e / win < 1e-4) continue;
      let best = 0, lag = 0;
      for (let k = lo; k <= hi; k++) {
        let c = 0, e2 = 0;
        for (let i = 0; i < win; i++) { c += x[s + i] * x[s + i + k]; e2 += x[s + i + k] * x[s + i + k]; }
        const r = c / Math.sqrt(e * e2 + 1e-12);
        if (r > best) { best = r; lag = k; }
      }
      if (best > 0.5) f0s.push(SR / lag);
    }
  }
  f0s.sort((a, b) => a - b);
  return f0s[f0s.length >> 1];
}

/** Per speaker and dub: |log2 F0 ratio| (octaves) and spectral-envelope distance (dB) between the dub and the original. */
function voiceGaps(r: Rendered): { pitch: number[]; envelope: number[] } {
  const pitch: number[] = [], envelope: number[] = [];
  const speakers = [...new Set(linesOf(r.truth).map((l) => l.speaker))];
  for (const id of speakers) {
    const ls = linesOf(r.truth).filter((l) => l.speaker === id);
    const o = ls.map((l) => slot(r.speech.get(r.truth.originalLanguage)!, l));
    for (const d of r.truth.dubs) {
      const x = ls.map((l) => slot(r.speech.get(d)!, l));
      pitch.push(Math.abs(Math.log2(medianF0(x) / medianF0(o))));
      envelope.push(envelopeDistance(bandEnvelope(x)!, bandEnvelope(o)!));
    }
  }
  return { pitch, envelope };
}

/** Tail-to-line energy (dB): 50–300 ms after each line that is followed by ≥ 0.4 s without speech, vs the line's last 300 ms. */
function tails(r: Rendered, lang: SynthLang): number[] {
  const x = r.speech.get(lang)!;
  const ls = linesOf(r.truth).sort((a, b) => a.start - b.start);
  const out: number[] = [];
  ls.forEach((l, i) => {
    const next = ls[i + 1]?.start ?? r.truth.duration;
    if (next - l.end < 0.4) return;
    const e = (a: number, b: number) => { let s = 0; for (let j = Math.round(a * SR); j < Math.round(b * SR); j++) s += x[j] * x[j]; return s / Math.max(1, Math.round((b - a) * SR)); };
    out.push(10 * Math.log10(e(l.end + 0.05, l.end + 0.3) / e(l.end - 0.3, l.end)));
  });
  return out;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
const dry = ['matchedVoice', 'ownVoices', 'ownVoicesEq'];

test('loudness = bs1770: the original dialogue sits at the target and every dub line at its original line\'s loudness', () => {
  for (const name of [...dry, 'gap', 'shared']) {
    const r = got[name];
    assert.ok(linesOf(r.truth).length >= 3, `${name}: the title has dialogue`);
    const target = (cases[name].loudness as { target: number }).target;
    const whole = integratedLoudness(r.speech.get(r.truth.originalLanguage)!);
    assert.ok(Math.abs(whole - target) < 0.5, `${name}: original dialogue ${whole.toFixed(2)} LUFS vs target ${target}`);
    const gaps = loudnessGaps(r);
    // dry tracks: the slot holds the whole line; in a room the match counts the line's tail, which runs past its slot
    const [meanTol, maxTol] = dry.includes(name) ? [0.2, 0.5] : [1, 1.5];
    assert.ok(mean(gaps) < meanTol && Math.max(...gaps) < maxTol, `${name}: |dub − original| mean ${mean(gaps).toFixed(2)}, max ${Math.max(...gaps).toFixed(2)} LU`);
  }
});

test('loudness = off: dub lines keep their own level, measurably off the original lines', () => {
  const off = loudnessGaps(got.ownVoicesLoud), on = loudnessGaps(got.ownVoices);
  assert.ok(mean(off) > 0.5 && mean(off) > mean(on) + 0.5, `unmatched mean gap ${mean(off).toFixed(2)} LU vs matched ${mean(on).toFixed(2)}`);
});

test('voice_match: one speaker has the same voice parameters in every language, and sounds it (pitch, timbre)', () => {
  const paramsEqual = (t: Truth) => t.shots.flatMap((s) => s.speakers).every((p) =>
    t.dubs.every((d) => JSON.stringify(p.params[d]) === JSON.stringify(p.params[t.originalLanguage])));
  assert.ok(paramsEqual(got.matchedVoice.truth), 'voice parameters equal across languages with voice_match');
  assert.ok(got.matchedVoice.truth.shots.flatMap((s) => s.speakers).every((p) => p.params[got.matchedVoice.truth.originalLanguage]?.formant !== undefined));
  assert.ok(!paramsEqual(got.ownVoices.truth), 'without voice_match the dub cast differs');
  const on = voiceGaps(got.matchedVoice), off = voiceGaps(got.ownVoices);
  assert.ok(Math.max(...on.pitch) < 0.1, `matched voices: F0 within ${Math.max(...on.pitch).toFixed(3)} octaves of the original`);
  assert.ok(mean(off.pitch) > 2 * mean(on.pitch) + 0.05, `F0 gap (octaves): own voices ${mean(off.pitch).toFixed(3)} vs matched ${mean(on.pitch).toFixed(3)}`);
  assert.ok(mean(on.envelope) < mean(off.envelope), `envelope distance (dB): matched ${mean(on.envelope).toFixed(2)} vs own voices ${mean(off.envelope).toFixed(2)}`);
});

test('eq_match: the spectral-envelope distance between a dub and its original speaker shrinks', () => {
  const before = voiceGaps(got.ownVoices).envelope, after = voiceGaps(got.ownVoicesEq).envelope;
  assert.ok(mean(after) < 0.7 * mean(before), `envelope distance ${mean(before).toFixed(2)} → ${mean(after).toFixed(2)} dB`);
  assert.ok(got.ownVoicesEq.truth.eq && Object.keys(got.ownVoicesEq.truth.eq.gains).length === got.ownVoicesEq.truth.dubs.length);
  assert.equal(got.ownVoices.truth.eq, null);
});

test('room = gap: the originals ring on after each line, the dubs do not; shared: both; dry: neither', () => {
  const o = (name: string) => tails(got[name], got[name].truth.originalLanguage);
  const dubs = (name: string) => got[name].truth.dubs.flatMap((d) => tails(got[name], d));
  assert.ok(o('gap').length >= 2, 'lines followed by a pause');
  assert.ok(median(o('gap')) > -40, `gap, original: tail ${median(o('gap')).toFixed(1)} dB`);
  assert.ok(Math.max(...dubs('gap')) < -45, `gap, dubs: tails ≤ ${Math.max(...dubs('gap')).toFixed(1)} dB`);
  assert.ok(median(o('gap')) > Math.max(...dubs('gap')) + 15, 'the acoustic-context gap is audible');
  assert.ok(median(dubs('shared')) > -40, `shared, dubs: tail ${median(dubs('shared')).toFixed(1)} dB`);
  assert.ok(Math.max(...o('matchedVoice')) < -45, `dry, original: tails ≤ ${Math.max(...o('matchedVoice')).toFixed(1)} dB`);
  assert.deepEqual(got.gap.truth.room?.tracks, ['original']);
  assert.deepEqual(got.shared.truth.room?.tracks, ['original', 'dub']);
  assert.equal(got.matchedVoice.truth.room, null);
});
