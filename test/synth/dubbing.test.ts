// The dubbing pipeline's DSP against independent references: the BS.1770-4 meter (the Recommendation's
// 48 kHz filter table, its 997 Hz calibration figure, its two gates), the EQ match, the room response,
// eSpeak variant files, and the language's defaults = the generator's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import {
  SR, EQ_BANDS, EQ_MAX_GAIN_DB, addReverb, applyBandGains, bandEnvelope, biquad, envelopeDistance, integratedLoudness, kWeightingCoefficients,
  matchGains, normaliseLoudness, roomResponse, schroederRt60, white,
} from '../../runtime/media/synth/dsp.ts';
import { rng } from '../../runtime/media/synth/rng.ts';
import { variantFile } from '../../runtime/media/synth/espeak.ts';
import { DEFAULT_DUBBING, canonicalDubbing } from '../../runtime/media/synth/dubbing.ts';
import { corpusDir } from '../../runtime/media/synth/index.ts';
import { planTitle } from '../../runtime/media/synth/plan.ts';
import { compileFile } from '../../compiler/index.ts';
import { nodeHost } from '../../runtime/host.ts';

/** `seconds` of a sine at `freq` Hz whose peak is `dbfs` dB below full scale. */
function sine(freq: number, dbfs: number, seconds: number, sr = SR): Float32Array {
  const a = Math.pow(10, dbfs / 20), x = new Float32Array(Math.round(seconds * sr));
  for (let i = 0; i < x.length; i++) x[i] = a * Math.sin((2 * Math.PI * freq * i) / sr);
  return x;
}
const join = (...xs: Float32Array[]) => { const y = new Float32Array(xs.reduce((n, x) => n + x.length, 0)); let o = 0; for (const x of xs) { y.set(x, o); o += x.length; } return y; };

test('K-weighting at 48 kHz reproduces the coefficients tabulated in BS.1770-4 (Tables 1 and 2)', () => {
  const { shelf, highpass } = kWeightingCoefficients(48000);
  const table1 = { b: [1.53512485958697, -2.69169618940638, 1.19839281085285], a: [1, -1.69065929318241, 0.73248077421585] };
  const table2 = { b: [1, -2, 1], a: [1, -1.99004745483398, 0.99007225036621] };
  shelf.b.forEach((v, i) => assert.ok(Math.abs(v - table1.b[i]) < 1e-9, `shelf b${i} ${v}`));
  shelf.a.forEach((v, i) => assert.ok(Math.abs(v - table1.a[i]) < 1e-9, `shelf a${i} ${v}`));
  highpass.b.forEach((v, i) => assert.equal(v, table2.b[i]));
  highpass.a.forEach((v, i) => assert.ok(Math.abs(v - table2.a[i]) < 1e-9, `high-pass a${i} ${v}`));
});

test('a 997 Hz sine at 0 dBFS reads −3.01 LUFS (BS.1770-4 §2.3 calibration), at −20 dBFS −23.01, at 48 and 16 kHz', () => {
  // exact at the Recommendation's 48 kHz; at the tracks' 16 kHz the bilinear transform's frequency warping
  // moves the shelf's gain at 997 Hz by 0.04 dB (libebur128 and pyloudnorm design the filters the same way)
  for (const [sr, tol] of [[48000, 0.01], [SR, 0.05]]) {
    const l0 = integratedLoudness(sine(997, 0, 5, sr), sr), l20 = integratedLoudness(sine(997, -20, 5, sr), sr);
    assert.ok(Math.abs(l0 - -3.01) < tol, `0 dBFS at ${sr} Hz: ${l0}`);
    assert.ok(Math.abs(l20 - -23.01) < tol, `−20 dBFS at ${sr} Hz: ${l20}`);
  }
  // K-weighting is not flat: 100 Hz reads lower, 4 kHz higher (the +4 dB shelf)
  assert.ok(integratedLoudness(sine(100, -20, 5)) < -23.01 - 0.5);
  assert.ok(integratedLoudness(sine(4000, -20, 5)) > -23.01 + 3);
});

test('gating: silence and quiet passages below the relative gate do not count; passages above it do', () => {
  const tone = sine(997, -20, 10);
  const alone = integratedLoudness(tone);
  // absolute gate (−70 LUFS): 10 s of digital silence leaves the reading unchanged (but for the three
  // blocks that straddle the edge, which pass both gates: 0.07 LU)
  assert.ok(Math.abs(integratedLoudness(join(tone, new Float32Array(10 * SR))) - alone) < 0.1);
  // relative gate (−10 LU): a passage 20 dB down falls below it and is dropped …
  const withQuiet = integratedLoudness(join(tone, sine(997, -40, 10)));
  assert.ok(Math.abs(withQuiet - alone) < 0.1, `−40 dBFS passage: ${withQuiet} vs ${alone}`);
  // … one 10 dB down is above it and is averaged in: 10·log10((1 + 0.1) / 2) = −2.60 LU
  const withSofter = integratedLoudness(join(tone, sine(997, -30, 10)));
  assert.ok(Math.abs(withSofter - (alone + 10 * Math.log10(1.1 / 2))) < 0.1, `−30 dBFS passage: ${withSofter}`);
  // below the absolute gate everywhere: no loudness at all
  assert.equal(integratedLoudness(sine(997, -80, 2)), -Infinity);
  assert.equal(integratedLoudness(new Float32Array(SR)), -Infinity);
  // a line shorter than one 400 ms block is measured as one block
  assert.ok(Math.abs(integratedLoudness(sine(997, -20, 0.3)) - -23.01) < 0.1);
});

test('normaliseLoudness reaches its target in LUFS and returns the gain', () => {
  const x = biquad(white(3 * SR, rng(3, 'n')), 'lowpass', 2000);
  const before = integratedLoudness(x);
  const g = normaliseLoudness(x, -23);
  assert.ok(Math.abs(integratedLoudness(x) - -23) < 0.01);
  assert.ok(Math.abs(20 * Math.log10(g) - (-23 - before)) < 1e-6);
});

test('EQ match: unity gains are transparent; matching moves one spectral envelope onto another', () => {
  const x = white(2 * SR, rng(1, 'eq'));
  const same = applyBandGains(x, EQ_BANDS.map(() => 0));
  let err = 0;
  for (let i = 0; i < x.length; i++) err = Math.max(err, Math.abs(same[i] - x[i]));
  assert.ok(err < 1e-5, `unity EQ error ${err}`);
  // two "voices": noise through different resonances
  const ref = biquad(biquad(white(3 * SR, rng(2, 'a')), 'bandpass', 500, 1.5), 'lowpass', 3000);
  const dub = biquad(white(3 * SR, rng(2, 'b')), 'bandpass', 1800, 1.2);
  const eRef = bandEnvelope([ref])!, eDub = bandEnvelope([dub])!;
  const g = matchGains(eDub, eRef);
  assert.ok(g.every((v) => Math.abs(v) <= EQ_MAX_GAIN_DB + 1e-9), `bounded gains ${g}`);
  const mild = matchGains([0, 1, 2, 3, 2, 1, 0], [1, 1, 1, 1, 1, 1, 1]);
  const want = [1, 0, -1, -2, -1, 0, 1].map((v) => v + 2 / 7); // to − from, minus its mean (−2/7)
  mild.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-12, `level-neutral gains ${mild}`));
  const after = bandEnvelope([applyBandGains(dub, g)])!;
  const d0 = envelopeDistance(eDub, eRef), d1 = envelopeDistance(after, eRef);
  assert.ok(d1 < d0 / 2, `envelope distance ${d0.toFixed(2)} → ${d1.toFixed(2)} dB`);
  assert.equal(bandEnvelope([new Float32Array(SR)]), null, 'silence has no envelope');
});

test('room response: Schroeder RT60 and reverberant energy are the ones asked for', () => {
  for (const rt60 of [0.3, 0.5, 1.0]) {
    const h = roomResponse(rt60, -10, rng(4, `room${rt60}`));
    const est = schroederRt60(h);
    assert.ok(Math.abs(est - rt60) / rt60 < 0.1, `rt60 ${rt60}: estimated ${est}`);
    const e = h.reduce((a, v) => a + v * v, 0);
    assert.ok(Math.abs(10 * Math.log10(e) - -10) < 1e-6, `wet energy ${10 * Math.log10(e)} dB`);
  }
  // a click in the room rings on after the dry click has ended
  const x = new Float32Array(SR);
  x[100] = 1;
  const y = addReverb(x, roomResponse(0.5, -10, rng(5, 'click')));
  assert.equal(y[100], 1, 'the direct sound is kept');
  const tail = y.slice(100 + 0.05 * SR, 100 + 0.25 * SR).reduce((a, v) => a + v * v, 0);
  assert.ok(tail > 1e-3, `reverberant tail energy ${tail}`);
});

test('eSpeak variant files: formant frequencies scaled, the rest of the voice kept', () => {
  const base = 'language variant\nname male3\ngender male\n\npitch 80 122\nformant 0 100 100 100\nformant 1  96  97 100\nbreath 0 2\n';
  const v = variantFile(base, 'lssd_m3_f104', 104);
  assert.match(v, /^name lssd_m3_f104\n/);
  assert.doesNotMatch(v, /name male3/);
  assert.match(v, /^formant 0 104 100 100$/m);
  assert.match(v, /^formant 1  100  97 100$/m);
  assert.match(v, /^pitch 80 122$/m);
  assert.match(v, /^breath 0 2$/m);
  const bare = variantFile('language variant\nname x\n', 'y', 90);
  assert.match(bare, /^formant 8 90 100 100$/m, 'a variant without formant lines gets them');
});

test('voice matching in the plan: one voice per character across languages, or one actor per language; nothing else moves', () => {
  const languages = ['en', 'es', 'fr', 'ja'] as const;
  const on = planTitle({ seed: 2, index: 1, minutesPerTitle: 0.5, languages: [...languages], voiceMatch: true });
  const off = planTitle({ seed: 2, index: 1, minutesPerTitle: 0.5, languages: [...languages], voiceMatch: false });
  assert.deepEqual(on.shots, off.shots, 'the knob changes voices only');
  assert.deepEqual(on.dubs, off.dubs);
  let differ = 0;
  for (const c of on.characters) {
    const { lang: _l, ...v0 } = c.voices[on.originalLanguage]!;
    for (const l of on.dubs) { const { lang, ...v } = c.voices[l]!; assert.equal(lang, l); assert.deepEqual(v, v0); }
    const o = off.characters.find((x) => x.id === c.id)!;
    const keys = on.dubs.map((l) => JSON.stringify({ ...o.voices[l], lang: undefined }));
    if (new Set([JSON.stringify({ ...o.voices[on.originalLanguage], lang: undefined }), ...keys]).size > 1) differ++;
  }
  assert.equal(differ, off.characters.length, 'without voice matching every character sounds different in some dub');
});

test('the language defaults are the generator defaults; every knob is part of the corpus hash', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const r = compileFile('experiments/quickstart.lssd', nodeHost({ cwd: root }));
  const c = r.value!.experiments[0].data.catalog;
  assert.equal(c.kind, 'synthetic');
  if (c.kind !== 'synthetic') return;
  const { voice_match, loudness, eq_match, room } = c;
  assert.deepEqual(canonicalDubbing({ voice_match, loudness, eq_match, room }), DEFAULT_DUBBING);
  const base = { kind: 'synthetic' as const, titles: 2, minutes_per_title: 1, seed: 0, languages: ['en'] };
  const d = corpusDir(base, '/tmp/x');
  assert.equal(corpusDir({ ...base, ...DEFAULT_DUBBING }, '/tmp/x'), d, 'absent knobs are the defaults');
  for (const k of [{ voice_match: false }, { eq_match: false }, { loudness: { method: 'off' as const } }, { loudness: { method: 'bs1770' as const, target: -24 } },
    { room: { kind: 'dry' as const } }, { room: { kind: 'shared' as const, rt60: 0.5, wet: -10 } }, { room: { kind: 'gap' as const, rt60: 0.4, wet: -10 } }]) {
    assert.notEqual(corpusDir({ ...base, ...k }, '/tmp/x'), d, JSON.stringify(k));
  }
});

test('data synth flags set the dubbing knobs; bad values are usage errors naming the flag', async () => {
  const { synthArgs } = await import('../../runtime/media/synth/cli.ts');
  const args = (m: Record<string, string>) => synthArgs(new Map(Object.entries(m)), false);
  const d = (m: Record<string, string>) => { const a = args(m); assert.equal(typeof a, 'object', String(a)); return (a as { dubbing: unknown }).dubbing; };
  assert.deepEqual(d({}), DEFAULT_DUBBING);
  assert.deepEqual(d({ '--voice-match': 'off', '--eq-match': 'off', '--loudness': '-20LUFS', '--room': 'dry' }),
    { voice_match: false, eq_match: false, loudness: { method: 'bs1770', target: -20 }, room: { kind: 'dry' } });
  assert.deepEqual(d({ '--loudness': 'off', '--room': 'shared:300ms,-6dB' }), { ...DEFAULT_DUBBING, loudness: { method: 'off' }, room: { kind: 'shared', rt60: 0.3, wet: -6 } });
  assert.match(String(args({ '--voice-match': 'yes' })), /--voice-match expects on or off, got 'yes'/);
  assert.match(String(args({ '--room': 'gap:x' })), /--room expects dry, gap or shared/);
  assert.match(String(args({ '--loudness': 'loud' })), /--loudness expects bs1770, off or a target/);
});

test('dubbing stats: voices kept, loudness gaps, EQ gains and rooms read from truth files; one line per knob', async () => {
  const { dubbingStats, dubbingLines } = await import('../../runtime/media/synth/dubbing.ts');
  const p = { variant: 'm1', pitch: 40, rate: 160, range: 50, formant: 100 };
  const truth = (matched: boolean) => ({
    originalLanguage: 'en', dubs: ['es'],
    shots: [{ speakers: [{ id: 'c0', params: { en: p, es: matched ? p : { ...p, pitch: 41 } } }], lines: [{ loudness: { en: -23, es: -23.5 } }, { loudness: { en: -25, es: -24.9 } }] }],
    eq: { gains: { es: { c0: [1, -2, 3, 0, 0, 0, -2] } } },
    room: { tracks: ['original'], measuredRt60: 0.49 },
  });
  const s = dubbingStats(DEFAULT_DUBBING, [truth(true), truth(false), { originalLanguage: 'fr', dubs: [], shots: [], eq: null, room: { tracks: ['original'], measuredRt60: 0.51 } }]);
  assert.deepEqual(s.voices, { speakers: 2, matched: 1 });
  assert.equal(s.loudness.pairs, 4);
  assert.ok(Math.abs(s.loudness.meanGap - 0.3) < 1e-9 && Math.abs(s.loudness.maxGap - 0.5) < 1e-9, JSON.stringify(s.loudness));
  assert.deepEqual(s.eq && { speakers: s.eq.speakers, max: s.eq.maxAbsGain }, { speakers: 2, max: 3 });
  assert.deepEqual(s.room && { titles: s.room.titles, rt60: Math.round(s.room.measuredRt60 * 100) / 100 }, { titles: 3, rt60: 0.5 });
  const lines = dubbingLines(s);
  assert.equal(lines.length, 4);
  assert.match(lines[0], /^voice_match on: 1 of 2 speakers/);
  assert.match(lines[1], /^loudness bs1770, original dialogue at -23 LUFS: dub lines 0\.30 LU from the original line on average \(max 0\.50; 4 line pairs\)$/);
  assert.match(lines[3], /^room gap \(rt60 0\.5 s, wet -10 dB\) on the original only: 3 titles, RT60 measured on the responses 0\.50 s$/);
});
