// The generator's declared knobs (runtime/media/synth/knobs.ts): the strength measured back from the
// generated truth matches the declared strength, defaults leave the corpus as it was, every knob reaches
// the corpus hash, the manifest and the truth, and a look family is visible in the frames.
//
// Tolerances: the strength estimate ŝ = (a − q)/(1 − q) from an agreement rate a over n independent draws
// has standard error √(a(1 − a)/n)/(1 − q); each check allows 4 standard errors (a false failure about
// once in 16,000 checks; the draws are seeded, so a pass is reproducible). Strength 1 is exact.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planTitle } from '../../runtime/media/synth/plan.ts';
import { direct, renderTitle, type Truth } from '../../runtime/media/synth/render.ts';
import { rng } from '../../runtime/media/synth/rng.ts';
import { LANGS } from '../../runtime/media/synth/bank.ts';
import { SCENES, SCENE_TOPICS, LOOK_GRADES } from '../../runtime/media/synth/scenes.ts';
import { corpusDir, synthesize } from '../../runtime/media/synth/index.ts';
import { DEFAULT_KNOBS, REGISTER, cramersV, knobsOfCatalog, languageRegister, measureConfounds, pickSentence, withRegister, type GeneratorKnobs } from '../../runtime/media/synth/knobs.ts';
import { voiceParams } from '../../runtime/media/synth/espeak.ts';
import { ffmpeg, runCommand } from '../../runtime/media/ffmpeg.ts';
import { SynthCodes } from '../../runtime/media/synth/errors.ts';
import { compileFile } from '../../compiler/index.ts';
import { nodeHost } from '../../runtime/host.ts';

const langs = [...LANGS];
const knobs = (k: Partial<GeneratorKnobs>): GeneratorKnobs => ({ ...DEFAULT_KNOBS, dubs: { ...DEFAULT_KNOBS.dubs }, ...k });
const within = (measured: { strength: number; se: number; n: number }, declared: number, what: string) => {
  const tol = 4 * Math.max(measured.se, 1 / measured.n); // se is 0 when every draw agrees
  assert.ok(Math.abs(measured.strength - declared) <= tol,
    `${what}: measured ${measured.strength.toFixed(3)} vs declared ${declared} (tolerance ±${tol.toFixed(3)}, n = ${measured.n})`);
};

let root: string | undefined;
after(() => { if (root) rmSync(root, { recursive: true, force: true }); });

test("Cramér's V on hand-computed tables", () => {
  assert.equal(cramersV([[10, 0], [0, 10]]), 1);
  assert.equal(cramersV([[5, 5], [5, 5]]), 0);
  // [[20, 10], [5, 15]]: χ² = 50·(20·15 − 10·5)² / (30·20·25·25) = 8.3333; V = √(χ²/50) = 0.40825
  assert.ok(Math.abs(cramersV([[20, 10], [5, 15]]) - Math.sqrt(8.333333333 / 50)) < 1e-6);
  // an empty column is dropped, not divided by
  assert.equal(cramersV([[3, 0, 0], [0, 0, 4]]), 1);
});

test('language → look: the measured strength over 3,000 title plans matches the declared one', () => {
  for (const s of [0, 0.3, 0.7, 1]) {
    const truths = Array.from({ length: 3000 }, (_, index) => {
      const p = planTitle({ seed: 5, index, minutesPerTitle: 0.05, languages: langs, knobs: knobs({ languageLook: s }) });
      return { originalLanguage: p.originalLanguage, lookFamily: p.lookFamily, shots: [] };
    });
    const m = measureConfounds(truths, langs).languageLook!;
    assert.equal(m.n, 3000);
    within(m, s, `language_look = ${s}`);
    if (s === 1) assert.equal(m.cramersV, 1);
  }
  // none: no families at all, and nothing to measure
  const p = planTitle({ seed: 5, index: 3, minutesPerTitle: 0.05, languages: langs });
  assert.equal(p.lookFamily, null);
  assert.equal(measureConfounds([{ originalLanguage: p.originalLanguage, lookFamily: null, shots: [] }], langs).languageLook, null);
});

test('content → scene: the sentence draw matches the declared strength (20,000 lines on planned shots)', () => {
  const shots = Array.from({ length: 40 }, (_, index) => planTitle({ seed: 9, index, minutesPerTitle: 1, languages: langs }).shots).flat();
  for (const s of [0, 0.25, 0.6, 1]) {
    const r = rng(1, `lines/${s}`), topic = rng(1, `topic/${s}`);
    const lines = Array.from({ length: 20000 }, (_, i) => {
      const shot = shots[i % shots.length];
      return { shot, ...pickSentence(r, topic, shot.scene, s) };
    });
    const truths = [{ originalLanguage: 'en', shots: lines.map((l) => ({ scene: l.shot.scene, lines: [{ keyword: l.sentence.keyword }] })) }];
    const m = measureConfounds(truths, langs).contentScene!;
    within(m, s, `content_scene = ${s}`);
    assert.ok(lines.every((l) => !l.topical || l.sentence.keyword === SCENE_TOPICS[l.shot.scene]));
  }
});

test('content → scene in the truth the director writes (real eSpeak timing)', async () => {
  for (const s of [0, 1]) {
    const k = knobs({ contentScene: s });
    const truths = [];
    for (let index = 0; index < 6; index++) {
      const p = planTitle({ seed: 2, index, minutesPerTitle: 0.5, languages: langs, knobs: k });
      truths.push({ originalLanguage: p.originalLanguage, shots: await direct(p, 2, k) });
    }
    const m = measureConfounds(truths, langs).contentScene!;
    assert.ok(m.n >= 20, `enough lines (${m.n})`);
    within(m, s, `content_scene = ${s} (director)`);
    const flags = truths.flatMap((t) => t.shots.flatMap((x) => x.lines.map((l) => l.topical)));
    assert.equal(flags.every((f) => f === (s === 1)), true, 'every line is topical at 1, none at 0');
  }
});

/** A plan's cast as the truth records it: one shot holding every character with its per-language voice parameters. */
const castTruth = (p: ReturnType<typeof planTitle>) => ({
  originalLanguage: p.originalLanguage,
  shots: [{ scene: p.shots[0].scene, lines: [], speakers: p.characters.map((c) => ({ id: c.id, params: Object.fromEntries(Object.entries(c.voices).map(([l, v]) => [l, voiceParams(v!)])) })) }],
});

test('language → voice: registers differ for every two languages; strength 0 is the identity', () => {
  for (const K of [2, 3, 4, 7]) {
    const r = Array.from({ length: K }, (_, k) => languageRegister(k, K));
    for (let i = 0; i < K; i++) for (let j = i + 1; j < K; j++) {
      const d = Math.hypot((r[i].pitch - r[j].pitch) / REGISTER.pitch, (r[i].formant - r[j].formant) / REGISTER.formant);
      assert.ok(d > 0.8, `K = ${K}: languages ${i} and ${j} are ${d.toFixed(2)} register units apart`);
    }
  }
  const v = { lang: 'ja' as const, variant: 'm1', pitch: 50, rate: 160, range: 40, formant: 100 };
  assert.equal(withRegister(v, langs, 0), v);
  // ja is language 3 of 7: pitch 20·cos(6π/7) = −18.02, formant 8·sin(6π/7) = +3.47, each scaled by s = 0.5
  assert.deepEqual(withRegister(v, langs, 0.5), { ...v, pitch: 41, formant: 102 });
  // eSpeak's pitch stays in 0..99
  assert.equal(withRegister({ ...v, lang: 'en', pitch: 95 }, langs, 1).pitch, 99);
});

test('language → voice: the strength measured from the voices of 3,000 titles matches the declared one', () => {
  for (const voiceMatch of [true, false]) {
    for (const s of [0, 0.4, 1]) {
      const truths = Array.from({ length: 3000 }, (_, index) => castTruth(planTitle({ seed: 6, index, minutesPerTitle: 0.05, languages: langs, knobs: knobs({ languageVoice: s }), voiceMatch })));
      const m = measureConfounds(truths, langs).languageVoice!;
      assert.ok(m.n > 10000, `pairs: ${m.n}`);
      // with voice matching the residual is rounding and the 0..99 clamp (a bias of at most ~0.01 at s = 1);
      // without it, independent actors add noise, covered by 4 standard errors
      const tol = 4 * m.se + (voiceMatch ? 0.02 : 0);
      assert.ok(Math.abs(m.strength - s) <= tol, `voice_match ${voiceMatch}, language_voice ${s}: measured ${m.strength.toFixed(4)} ± ${m.se.toFixed(4)} (tolerance ${tol.toFixed(4)})`);
      if (voiceMatch && s === 0) assert.equal(m.strength, 0);
    }
  }
});

test('language → voice in the truth the director writes, and nothing else changes', async () => {
  const k = knobs({ languageVoice: 1 });
  const truths = [], plain = [];
  for (let index = 1; index < 5; index++) {
    const p = planTitle({ seed: 2, index, minutesPerTitle: 0.3, languages: langs, knobs: k });
    const q = planTitle({ seed: 2, index, minutesPerTitle: 0.3, languages: langs });
    truths.push({ originalLanguage: p.originalLanguage, shots: await direct(p, 2, k) });
    plain.push({ originalLanguage: q.originalLanguage, shots: await direct(q, 2, DEFAULT_KNOBS) });
    // the register is applied after every draw: the plans differ in their voices' pitch and formant only
    const strip = (x: typeof p) => ({ ...x, characters: x.characters.map((c) => ({ ...c, voices: Object.fromEntries(Object.entries(c.voices).map(([l, v]) => [l, { ...v, pitch: 0, formant: 0 }])) })) });
    assert.deepEqual(strip(p), strip(q));
  }
  const m = measureConfounds(truths, langs).languageVoice!;
  assert.ok(m.n >= 10, `enough dubbed speakers (${m.n})`);
  assert.ok(Math.abs(m.strength - 1) <= 0.05, `measured ${m.strength.toFixed(3)} ± ${m.se.toFixed(3)}`);
  assert.equal(measureConfounds(plain, langs).languageVoice!.strength, 0);
});

test('defaults leave the plan and the corpus directory as they were; each knob changes the hash', () => {
  const base = { kind: 'synthetic' as const, titles: 4, minutes_per_title: 1, seed: 0, languages: ['en', 'es'] };
  const d = corpusDir(base, '/r');
  // the explicit defaults are the same corpus
  assert.equal(corpusDir({ ...base, content_scene: 0, language_voice: 0, speech_to_bed: 7, dubs_per_title: { min: 0, max: 6 }, max_speakers: 3, probe_clips: 20 }, '/r'), d);
  const variants = [{ language_look: 0 }, { language_look: 0.5 }, { content_scene: 0.5 }, { language_voice: 0.5 }, { speech_to_bed: 3 }, { dubs_per_title: { min: 1, max: 6 } }, { max_speakers: 2 }, { probe_clips: 60 }];
  const dirs = new Set([d, ...variants.map((v) => corpusDir({ ...base, ...v }, '/r'))]);
  assert.equal(dirs.size, variants.length + 1, 'every knob is part of the corpus hash');
  // a plan without knobs equals a plan with the defaults, except for the (null) look family
  const a = planTitle({ seed: 3, index: 5, minutesPerTitle: 1, languages: langs });
  const b = planTitle({ seed: 3, index: 5, minutesPerTitle: 1, languages: langs, knobs: knobsOfCatalog({}) });
  assert.deepEqual(a, b);
  // families drawn on their own stream: switching them on changes nothing else in the plan
  const c = planTitle({ seed: 3, index: 5, minutesPerTitle: 1, languages: langs, knobs: knobs({ languageLook: 0.5 }) });
  assert.deepEqual({ ...c, lookFamily: null }, a);
});

test('probe_clips reaches the spec (left out at its default, 20) and is refused below 5 (5 folds) with a coded diagnostic', () => {
  const d = mkdtempSync(join(tmpdir(), 'lssd-probe-clips-'));
  try {
    const compileWith = (arg: string) => {
      const f = join(d, 'e.lssd');
      writeFileSync(f, `import "cpu"\nexperiment e extends cpu_small {\n  data.catalog = synthetic(titles = 2, minutes = 0.5${arg})\n}\n`);
      return compileFile(f, nodeHost(), { project: false });
    };
    const catalogOf = (o: ReturnType<typeof compileWith>) => o.value!.experiments[0].data.catalog as Record<string, unknown>;
    const plain = compileWith('');
    assert.deepEqual(plain.diagnostics.filter((x) => x.severity === 'error'), []);
    assert.equal(catalogOf(plain).probe_clips, undefined);
    assert.equal(catalogOf(compileWith(', probe_clips = 20')).probe_clips, undefined, 'the default is left out');
    const sixty = compileWith(', probe_clips = 60');
    assert.deepEqual(sixty.diagnostics.filter((x) => x.severity === 'error'), []);
    assert.equal(catalogOf(sixty).probe_clips, 60);
    const bad = compileWith(', probe_clips = 4').diagnostics.filter((x) => x.severity === 'error');
    assert.equal(bad.length, 1, JSON.stringify(bad));
    assert.match(bad[0].code, /^LSSD\d{4}$/);
    assert.ok(bad[0].span, 'the diagnostic points at the source');
  } finally { rmSync(d, { recursive: true, force: true }); }
});

test('dubs and speakers bounds hold in every plan', () => {
  const k = knobs({ dubs: { min: 2, max: 4 }, maxSpeakers: 1 });
  for (let index = 0; index < 300; index++) {
    const p = planTitle({ seed: 4, index, minutesPerTitle: 0.5, languages: langs, knobs: k });
    assert.ok(p.dubs.length >= 2 && p.dubs.length <= 4, `${p.id}: ${p.dubs.length} dubs`);
    assert.ok(p.shots.every((s) => s.cast.length <= 1));
  }
  const counts = new Set(Array.from({ length: 200 }, (_, index) => planTitle({ seed: 4, index, minutesPerTitle: 0.5, languages: langs, knobs: k }).dubs.length));
  assert.deepEqual([...counts].sort(), [2, 3, 4]);
});

test('bad knob values are coded diagnostics', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lssd-knobs-bad-'));
  try {
    const cases: [GeneratorKnobs, RegExp][] = [
      [knobs({ languageLook: 1.5 }), /language→look.*1\.5/], [knobs({ contentScene: -0.1 }), /content→scene.*-0\.1/],
      [knobs({ dubs: { min: 3, max: 1 } }), /dubs per title/], [knobs({ maxSpeakers: 4 }), /speakers per shot.*4/],
      [knobs({ speechToBedDb: Number.NaN }), /speech-to-bed/], [knobs({ languageVoice: 2 }), /language→voice.*2/],
    ];
    for (const [k, msg] of cases) {
      await assert.rejects(synthesize({ outDir: dir, titles: 1, minutesPerTitle: 0.1, seed: 0, languages: ['en'], knobs: k }),
        (e: Error & { code?: string }) => e.code === SynthCodes.badArgument && msg.test(e.message));
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

async function meanRgb(mkv: string, out: string): Promise<[number, number, number]> {
  await runCommand(ffmpeg(mkv).outputOptions('-map', '0:v:0', '-vf', 'scale=1:1:flags=area', '-frames:v', '1', '-pix_fmt', 'rgb24', '-f', 'rawvideo').output(out));
  const b = readFileSync(out);
  return [b[0], b[1], b[2]];
}

test('a title renders with its family: truth records it and the grade shows in the frames', async () => {
  root = mkdtempSync(join(tmpdir(), 'lssd-knobs-'));
  // title 0 of seed 1 with languages [en, es]: its family under language_look = 1 is its language's
  const languages = ['en', 'es'] as typeof langs;
  const render = async (name: string, k: GeneratorKnobs) => {
    const outDir = join(root!, name);
    for (const d of ['titles', 'truth', 'work']) mkdirSync(join(outDir, d), { recursive: true });
    const plan = planTitle({ seed: 1, index: 0, minutesPerTitle: 0.1, languages, knobs: k });
    const truth: Truth = await renderTitle(plan, { seed: 1, outDir, workDir: join(outDir, 'work'), knobs: k });
    return { truth, rgb: await meanRgb(join(outDir, 'titles', `${plan.id}.mkv`), join(outDir, 'frame.rgb')) };
  };
  const plain = await render('plain', DEFAULT_KNOBS);
  const graded = await render('graded', knobs({ languageLook: 1 }));
  assert.equal(plain.truth.lookFamily, null);
  const fam = languages.indexOf(graded.truth.originalLanguage);
  assert.equal(graded.truth.lookFamily, fam);
  assert.ok(LOOK_GRADES[fam]);
  // family 0 (warm amber) raises red over blue; family 1 (cold teal) raises blue over red
  const warmth = (c: [number, number, number]) => c[0] - c[2];
  if (fam === 0) assert.ok(warmth(graded.rgb) > warmth(plain.rgb) + 8, `${graded.rgb} vs ${plain.rgb}`);
  else assert.ok(warmth(graded.rgb) < warmth(plain.rgb) - 8, `${graded.rgb} vs ${plain.rgb}`);
  // the grade is the only difference: same shots, same lines
  assert.deepEqual(graded.truth.shots, plain.truth.shots);
  assert.ok(SCENES.includes(graded.truth.shots[0].scene as never));
});
