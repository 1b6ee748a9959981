// Pure parts of the generator: seeded streams, shot layout, title planning, DSP (stretch, loudness, WAV).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../../runtime/media/synth/rng.ts';
import { planTitle, shotLengths, MIN_SHOT, MAX_SHOT, GRID } from '../../runtime/media/synth/plan.ts';
import { SR, integratedLoudness, normaliseLoudness, readWav, stretchTo, wavBytes, resample, rms } from '../../runtime/media/synth/dsp.ts';
import { KEYWORDS, LANGS, SENTENCES } from '../../runtime/media/synth/bank.ts';
import { SCENES, bed } from '../../runtime/media/synth/scenes.ts';

test('named random streams are reproducible and independent', () => {
  const a = Array.from({ length: 5 }, rng(7, 'x').next);
  assert.deepEqual(Array.from({ length: 5 }, rng(7, 'x').next), a);
  assert.notDeepEqual(Array.from({ length: 5 }, rng(7, 'y').next), a);
  assert.notDeepEqual(Array.from({ length: 5 }, rng(8, 'x').next), a);
  const r = rng(1, 'ints');
  for (let i = 0; i < 1000; i++) { const v = r.int(3, 5); assert.ok(v >= 3 && v <= 5 && Number.isInteger(v)); }
});

test('shots are 3–12 s on the frame grid and tile the title exactly', () => {
  for (const dur of [3, 7.4, 12, 12.2, 20.4, 60, 600]) {
    const ls = shotLengths(rng(dur, 'shots'), dur);
    assert.ok(Math.abs(ls.reduce((a, b) => a + b, 0) - dur) < 1e-6, `sum for ${dur}`);
    for (const l of ls) {
      assert.ok(l >= MIN_SHOT - 1e-9 && l <= MAX_SHOT + 1e-9, `length ${l} in ${dur}`);
      assert.ok(Math.abs(l / GRID - Math.round(l / GRID)) < 1e-6, `on grid: ${l}`);
    }
  }
});

test('title plans: first title undubbed, second fully dubbed, languages from the list, deterministic', () => {
  const languages = [...LANGS];
  const plans = Array.from({ length: 30 }, (_, index) => planTitle({ seed: 5, index, minutesPerTitle: 1, languages }));
  assert.equal(plans[0].dubs.length, 0);
  assert.equal(plans[1].dubs.length, 6);
  const counts = new Set(plans.map((p) => p.dubs.length));
  assert.ok(counts.size >= 4, `spread of dub counts: ${[...counts]}`);
  for (const p of plans) {
    assert.ok(!p.dubs.includes(p.originalLanguage));
    assert.equal(new Set(p.dubs).size, p.dubs.length);
    assert.equal(p.shots[0].start, 0);
    assert.equal(p.shots.at(-1)!.end, 60);
    for (const c of p.characters) for (const l of [p.originalLanguage, ...p.dubs]) assert.ok(c.voices[l], `voice for ${l}`);
  }
  assert.deepEqual(planTitle({ seed: 5, index: 3, minutesPerTitle: 1, languages }), plans[3]);
  assert.notDeepEqual(planTitle({ seed: 6, index: 3, minutesPerTitle: 1, languages }), plans[3]);
});

test('sentence bank: parallel in every language, each sentence names its keyword', () => {
  assert.equal(SENTENCES.length, KEYWORDS.length * 3);
  for (const s of SENTENCES) {
    const kw = KEYWORDS.find((k) => k.id === s.keyword)!;
    for (const l of LANGS) {
      assert.ok(s.text[l].length > 0);
      // the keyword's surface form occurs in the sentence (case-insensitive; Korean 어젯밤 contains 밤)
      assert.ok(s.text[l].toLowerCase().includes(kw.word[l].toLowerCase()), `${l}: "${s.text[l]}" lacks "${kw.word[l]}"`);
    }
  }
});

test('WSOLA stretch hits the exact length and keeps the level', () => {
  const x = new Float32Array(SR);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin((2 * Math.PI * 220 * i) / SR) * (0.5 + 0.3 * Math.sin((2 * Math.PI * 3 * i) / SR));
  for (const n of [Math.round(0.6 * SR), Math.round(1.5 * SR), SR - 7]) {
    const y = stretchTo(x, n);
    assert.equal(y.length, n);
    assert.ok(Math.abs(rms(y) / rms(x) - 1) < 0.15, `rms ratio ${rms(y) / rms(x)} for ${n}`);
  }
});

test('gated loudness normalisation reaches its target; WAV round-trips; resampling keeps duration', () => {
  const x = bed('traffic', rng(1, 'bed'), 2 * SR);
  normaliseLoudness(x, -23);
  assert.ok(Math.abs(integratedLoudness(x) - -23) < 0.01);
  const back = readWav(wavBytes(x));
  assert.equal(back.sr, SR);
  assert.equal(back.samples.length, x.length);
  let err = 0;
  for (let i = 0; i < x.length; i++) err = Math.max(err, Math.abs(back.samples[i] - x[i]));
  assert.ok(err < 2 / 32768);
  assert.equal(resample(new Float32Array(22050), 22050, SR).length, SR);
});

test('every scene bed is non-silent, finite and distinct from the others', () => {
  const beds = SCENES.map((s) => bed(s, rng(2, s), SR));
  for (const [i, b] of beds.entries()) {
    assert.ok(b.every(Number.isFinite), SCENES[i]);
    assert.ok(Math.abs(rms(b) - 1) < 1e-3, SCENES[i]);
  }
  // spectral centroid proxy: zero-crossing rate differs between a low (traffic) and a high (rain) bed
  const zcr = (b: Float32Array) => { let z = 0; for (let i = 1; i < b.length; i++) if ((b[i] >= 0) !== (b[i - 1] >= 0)) z++; return z / b.length; };
  assert.ok(zcr(beds[SCENES.indexOf('rain')]) > 2 * zcr(beds[SCENES.indexOf('traffic')]));
});
