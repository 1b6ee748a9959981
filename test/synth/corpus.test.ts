// End to end on a tiny corpus (2 titles × 10 s, 3 languages, 5 probe clips per class): the .mkv layout and
// tags, truth ↔ cuts ↔ media agreement, the counterfactual property (same bed, different speech), HEAR task
// directories, resume after a lost title, and argument diagnostics.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthesize, corpusDir, ensureSyntheticCorpus, type CorpusManifest } from '../../runtime/media/synth/index.ts';
import { runSynthCli } from '../../cli/commands/data.ts';
import type { Truth } from '../../runtime/media/synth/render.ts';
import { ffprobe } from '../../runtime/media/ffmpeg.ts';
import { decodeAudio } from '../../runtime/media/decode.ts';
import { biquad, integratedLoudness, readWav, rms, SR } from '../../runtime/media/synth/dsp.ts';
import { TASKS } from '../../runtime/media/synth/tasks.ts';
import { DEFAULT_DUBBING } from '../../runtime/media/synth/dubbing.ts';

let root: string;
let dir: string;
const freshDetails: string[] = [];
const LANGS3 = ['en', 'es', 'ja'];
const opts = () => ({ outDir: dir, titles: 2, minutesPerTitle: 10 / 60, seed: 11, languages: LANGS3, probeClipsPerClass: 5 });

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'lssd-synth-'));
  dir = join(root, 'corpus');
  await synthesize({ ...opts(), onProgress: (e) => { if (e.detail) freshDetails.push(e.detail); } });
});
after(() => rmSync(root, { recursive: true, force: true }));

const truthOf = (id: string) => JSON.parse(readFileSync(join(dir, 'truth', `${id}.json`), 'utf8')) as Truth;

const decode = (path: string, stream: number) => decodeAudio(path, { sampleRate: SR, stream });

test('a fresh corpus says it renders its titles, not that it resumes', () => {
  assert.equal(freshDetails[0], 'rendering 2 titles', freshDetails.join(' | '));
  assert.ok(!freshDetails.some((d) => d.startsWith('resuming')), freshDetails.join(' | '));
});

test('corpus.json lists titles, languages, scenes and is complete', () => {
  const m = JSON.parse(readFileSync(join(dir, 'corpus.json'), 'utf8')) as CorpusManifest;
  assert.equal(m.complete, true);
  assert.deepEqual(m.titles, ['syn0000', 'syn0001']);
  assert.deepEqual(m.languages, LANGS3);
  assert.equal(m.seed, 11);
  assert.ok(m.scenes.length >= 6);
  assert.ok(typeof m.generator === 'string' && m.version >= 1);
});

test('each .mkv: small video, one tagged audio stream per language (original first), then the zxx stem', async () => {
  const iso2: Record<string, string> = { en: 'eng', es: 'spa', ja: 'jpn' };
  for (const id of ['syn0000', 'syn0001']) {
    const t = truthOf(id);
    const p = await ffprobe(join(dir, 'titles', `${id}.mkv`));
    const v = p.streams.filter((s) => s.codec_type === 'video');
    const a = p.streams.filter((s) => s.codec_type === 'audio');
    assert.equal(v.length, 1);
    assert.equal(v[0].width, 160);
    assert.equal(v[0].height, 90);
    assert.ok(Math.abs(Number(p.format.duration) - 10) < 0.15, `duration ${p.format.duration}`);
    const langs = [t.originalLanguage, ...t.dubs];
    assert.equal(a.length, langs.length + 1);
    langs.forEach((l, i) => {
      assert.equal(a[i].tags?.language, iso2[l]);
      assert.equal(a[i].tags?.title, i === 0 ? 'original' : 'dub');
      assert.equal(a[i].sample_rate, SR);
      assert.equal(a[i].channels, 1);
    });
    assert.equal(a.at(-1)!.tags?.language, 'zxx');
    assert.equal(a.at(-1)!.tags?.title, 'speech_removed');
    assert.deepEqual(t.tracks.map((x) => x.stream), a.map((s) => s.index));
  }
  assert.equal(truthOf('syn0000').dubs.length, 0, 'the first title has no dubs');
  assert.equal(truthOf('syn0001').dubs.length, 2, 'the second has every dub');
});

test('truth agrees with the cuts sidecar; lines sit inside their shots with text in every track language', () => {
  for (const id of ['syn0000', 'syn0001']) {
    const t = truthOf(id);
    const cuts = (JSON.parse(readFileSync(join(dir, 'titles', `${id}.cuts.json`), 'utf8')) as { cuts: number[] }).cuts;
    assert.deepEqual(cuts, t.shots.slice(1).map((s) => s.start));
    t.shots.forEach((s, i) => {
      assert.equal(s.index, i);
      if (i > 0) assert.equal(s.start, t.shots[i - 1].end);
      assert.ok(s.end - s.start >= 3 - 1e-9 && s.end - s.start <= 12 + 1e-9);
      assert.equal(s.speakerCount, s.speakers.length);
      const voices = s.speakers.map((p) => p.voice.split(' ')[0]);
      assert.equal(new Set(voices).size, voices.length, `distinct voices in a shot: ${voices}`);
      for (const l of s.lines) {
        assert.ok(l.start >= s.start && l.end <= s.end && l.end > l.start, `${id} line ${l.start}-${l.end} in ${s.start}-${s.end}`);
        for (const lang of [t.originalLanguage, ...t.dubs]) {
          const ws = l.words[lang]!;
          assert.ok(ws.length >= 1, `${id} ${lang}: words of "${l.text[lang]}"`);
          for (const w of ws) {
            assert.ok(l.text[lang]!.includes(w.word), `${lang} word "${w.word}" is from "${l.text[lang]}"`);
            assert.ok(w.start >= l.start - 1e-6 && w.end <= l.end + 1e-6 && w.end > w.start, `${lang} word "${w.word}" ${w.start}-${w.end} inside ${l.start}-${l.end}`);
          }
        }
        assert.ok(s.speakers.some((p) => p.id === l.speaker));
        assert.deepEqual(Object.keys(l.text).sort(), [t.originalLanguage, ...t.dubs].sort());
      }
      for (const p of s.speakers) assert.ok(s.lines.some((l) => l.speaker === p.id), 'every listed speaker speaks');
    });
  }
});

test('counterfactual tracks: identical bed outside speech, different audio inside the same line slots', async () => {
  const t = truthOf('syn0001');
  const path = join(dir, 'titles', 'syn0001.mkv');
  const [orig, dub] = await Promise.all([decode(path, 1), decode(path, 2)]);
  const removed = await decode(path, t.tracks.at(-1)!.stream);
  const lines = t.shots.flatMap((s) => s.lines);
  assert.ok(lines.length > 0, 'the fully dubbed title has dialogue');
  const inSpeech = (i: number) => lines.some((l) => i >= (l.start - 0.05) * SR && i < (l.end + 0.05) * SR);
  let quiet = 0, diffQuiet = 0, loud = 0, diffLoud = 0, speechE = 0, removedE = 0;
  for (let i = 0; i < Math.min(orig.length, dub.length, removed.length); i++) {
    if (inSpeech(i)) { loud += orig[i] ** 2; diffLoud += (orig[i] - dub[i]) ** 2; speechE += orig[i] ** 2; removedE += removed[i] ** 2; }
    else { quiet += orig[i] ** 2; diffQuiet += (orig[i] - dub[i]) ** 2; }
  }
  assert.ok(diffQuiet / quiet < 0.01, `outside speech the tracks share the bed (relative diff ${diffQuiet / quiet})`);
  assert.ok(diffLoud / loud > 0.3, `inside speech the languages differ (relative diff ${diffLoud / loud})`);
  assert.ok(speechE > 2 * removedE, 'the speech-removed stem has no speech energy');
  assert.ok(rms(removed) > 0, 'the stem keeps the bed');
});

test('speech stems are levelled: every language speaks at the same loudness over the shared bed', async () => {
  const t = truthOf('syn0001');
  const path = join(dir, 'titles', 'syn0001.mkv');
  const removed = await decode(path, t.tracks.at(-1)!.stream);
  const levels: number[] = [];
  for (const tr of t.tracks.slice(0, -1)) {
    const mix = await decode(path, tr.stream);
    const speech = new Float32Array(Math.min(mix.length, removed.length));
    for (let i = 0; i < speech.length; i++) speech[i] = mix[i] - removed[i];
    levels.push(integratedLoudness(speech));
  }
  assert.equal(levels.length, 3);
  for (const l of levels) assert.ok(Math.abs(l - levels[0]) < 1.0, `speech loudness per language: ${levels.map((x) => x.toFixed(2)).join(', ')} LUFS`);
});

test('the dubbing knobs are in corpus.json, every truth file, and `data stats` with what the truth measured', async () => {
  const m = JSON.parse(readFileSync(join(dir, 'corpus.json'), 'utf8')) as CorpusManifest;
  assert.deepEqual(m.dubbing, DEFAULT_DUBBING);
  const t = truthOf('syn0001');
  assert.deepEqual(t.dubbing, DEFAULT_DUBBING);
  assert.ok(t.room && t.room.tracks.join() === 'original' && Math.abs(t.room.measuredRt60 - 0.5) < 0.05, JSON.stringify(t.room));
  assert.ok(t.eq && Object.keys(t.eq.gains).sort().join() === [...t.dubs].sort().join(), 'EQ gains for every dub language');
  for (const l of t.shots.flatMap((s) => s.lines)) for (const d of t.dubs) assert.ok(Math.abs(l.loudness[d]! - l.loudness[t.originalLanguage]!) < 0.05, `line loudness ${JSON.stringify(l.loudness)}`);
  // the real CLI, in its own process (the test runner reports on this process's stdout)
  const { spawnSync } = await import('node:child_process');
  const bin = fileURLToPath(new URL('../../bin/lssdc.js', import.meta.url));
  const stats = (...extra: string[]) => spawnSync(process.execPath, [bin, 'data', 'stats', dir, '--root', join(root, 'stats-root'), ...extra], {
    env: { ...process.env, LSSD_SOURCES: '1' }, encoding: 'utf8', timeout: 120_000,
  });
  const plain = stats(), asJson = stats('--json');
  assert.equal(plain.status, 0, plain.stderr);
  assert.equal(asJson.status, 0, asJson.stderr);
  const text = plain.stdout, json = asJson.stdout;
  assert.match(text, /^dubbing: voice_match on: (\d+) of \1 speakers of dubbed titles keep the original's voice in every dub$/m);
  assert.match(text, /^dubbing: loudness bs1770, original dialogue at -23 LUFS: dub lines 0\.0\d LU from the original line on average/m);
  assert.match(text, /^dubbing: eq_match on: \d+ dubbed speakers EQ-matched/m);
  assert.match(text, /^dubbing: room gap \(rt60 0\.5 s, wet -10 dB\) on the original only: 2 titles, RT60 measured on the responses 0\.\d\d s$/m);
  const st = JSON.parse(json) as { dubbing: { dubbing: unknown; voices: { speakers: number; matched: number } } };
  assert.deepEqual(st.dubbing.dubbing, DEFAULT_DUBBING);
  assert.ok(st.dubbing.voices.speakers > 0 && st.dubbing.voices.matched === st.dubbing.voices.speakers);
});

test('an interrupted run keeps finished titles, leaves no partial media, and resumes', async () => {
  const d = join(root, 'interrupted');
  const o = { outDir: d, titles: 2, minutesPerTitle: 0.1, seed: 3, languages: ['en', 'fr'], probeClipsPerClass: 5, concurrency: 1 };
  const ac = new AbortController();
  await assert.rejects(
    synthesize({ ...o, signal: ac.signal, onProgress: (e) => { if (e.detail?.startsWith('syn0000')) ac.abort(); } }),
    (e: Error & { code?: string }) => e.code === 'LSSD5025',
  );
  assert.ok(existsSync(join(d, 'state', 'syn0000.done')));
  assert.ok(!existsSync(join(d, 'state', 'syn0001.done')));
  assert.ok(!readdirSync(join(d, 'titles')).some((f) => f.includes('.tmp-')), 'no half-written media');
  assert.equal((JSON.parse(readFileSync(join(d, 'corpus.json'), 'utf8')) as CorpusManifest).complete, false);
  assert.ok(!existsSync(join(d, 'LOCK')), 'the lock is released');
  const details: string[] = [];
  await synthesize({ ...o, onProgress: (e) => { if (e.detail) details.push(e.detail); } });
  assert.ok(!details.some((x) => x.startsWith('syn0000')), 'the finished title is not redone');
  assert.equal((JSON.parse(readFileSync(join(d, 'corpus.json'), 'utf8')) as CorpusManifest).complete, true);
});

test('HEAR task directories: metadata, folds, vocabulary, every listed clip exists with a known label', async () => {
  for (const task of TASKS) {
    const td = join(dir, 'tasks', task);
    const meta = JSON.parse(readFileSync(join(td, 'task_metadata.json'), 'utf8'));
    assert.equal(meta.task_name, task);
    assert.equal(meta.prediction_type, 'multiclass');
    assert.equal(meta.split_mode, 'new_split_kfold');
    assert.deepEqual(meta.splits, ['fold00', 'fold01', 'fold02', 'fold03', 'fold04']);
    const vocab = readFileSync(join(td, 'labelvocabulary.csv'), 'utf8').trim().split('\n');
    assert.equal(vocab[0], 'idx,label');
    const labels = vocab.slice(1).map((l) => l.split(',')[1]);
    const video = task.startsWith('video_');
    if (video) assert.equal(meta.modality, 'video');
    const seen = new Set<string>();
    for (const f of meta.splits as string[]) {
      const fold = JSON.parse(readFileSync(join(td, `${f}.json`), 'utf8')) as Record<string, string[]>;
      assert.ok(Object.keys(fold).length > 0, `${task}/${f} is not empty`);
      for (const [name, ls] of Object.entries(fold)) {
        assert.equal(ls.length, 1);
        assert.ok(labels.includes(ls[0]), `${task}: label ${ls[0]}`);
        seen.add(ls[0]);
        const file = video ? join(td, 'video', f, name) : join(td, String(SR), f, name);
        assert.ok(existsSync(file) && statSync(file).size > 1000, file);
      }
    }
    assert.deepEqual([...seen].sort(), [...labels].sort(), `${task}: every class has clips`);
    if (task === 'language_id') assert.deepEqual(labels, LANGS3);
  }
  const clip = readdirSync(join(dir, 'tasks', 'video_scene', 'video', 'fold00'))[0];
  const p = await ffprobe(join(dir, 'tasks', 'video_scene', 'video', 'fold00', clip));
  assert.equal(p.streams[0].width, 160);
  assert.ok(Math.abs(Number(p.format.duration) - 2) < 0.2, `clip duration ${p.format.duration}`);
  const wav = readWav(readFileSync(join(dir, 'tasks', 'scene', String(SR), 'fold00', readdirSync(join(dir, 'tasks', 'scene', String(SR), 'fold00'))[0])));
  assert.equal(wav.sr, SR);
  assert.equal(wav.samples.length, 3 * SR);
});

test('resume: a lost title is regenerated identically, finished ones are skipped', async () => {
  const before = readFileSync(join(dir, 'truth', 'syn0001.json'), 'utf8');
  // every track: the original and both dubs (dub fitting must not depend on what else the process rendered)
  const streams = [1, 2, 3, 4];
  const audioBefore = await Promise.all(streams.map((s) => decode(join(dir, 'titles', 'syn0001.mkv'), s)));
  rmSync(join(dir, 'titles', 'syn0001.mkv'));
  rmSync(join(dir, 'state', 'syn0001.done'));
  const details: string[] = [];
  await synthesize({ ...opts(), onProgress: (e) => { if (e.detail) details.push(e.detail); } });
  assert.ok(details.some((d) => /1 of 2 titles done/.test(d)), details.join(' | '));
  assert.ok(!details.some((d) => d.startsWith('syn0000')), 'title 0 was not regenerated');
  assert.equal(readFileSync(join(dir, 'truth', 'syn0001.json'), 'utf8'), before);
  const audioAfter = await Promise.all(streams.map((s) => decode(join(dir, 'titles', 'syn0001.mkv'), s)));
  streams.forEach((s, i) => assert.ok(Buffer.from(audioAfter[i].buffer).equals(Buffer.from(audioBefore[i].buffer)), `stream ${s} identical`));
});

test('ensureSyntheticCorpus: hashed directory under <root>/data/synthetic; parameters change the hash', () => {
  const c = { kind: 'synthetic' as const, titles: 2, minutes_per_title: 1, seed: 0, languages: ['en'] };
  const d = corpusDir(c, root);
  assert.ok(d.startsWith(join(root, 'data', 'synthetic')));
  assert.notEqual(corpusDir({ ...c, seed: 1 }, root), d);
  assert.notEqual(corpusDir({ ...c, languages: ['en', 'es'] }, root), d);
  assert.equal(corpusDir({ ...c }, root), d);
  assert.equal(typeof ensureSyntheticCorpus, 'function');
});

test('bad arguments are diagnostics with codes, not stack traces', async () => {
  await assert.rejects(synthesize({ ...opts(), outDir: join(root, 'x'), languages: ['en', 'xx'] }), (e: Error & { code?: string }) => e.code === 'LSSD5021' && /xx/.test(e.message));
  await assert.rejects(synthesize({ ...opts(), outDir: join(root, 'x'), titles: 0 }), (e: Error & { code?: string }) => e.code === 'LSSD5014');
  await assert.rejects(synthesize({ ...opts(), seed: 12 }), (e: Error & { code?: string }) => e.code === 'LSSD5023', 'another seed into the same directory is refused');
  const err: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  (process.stderr as { write: unknown }).write = (s: string) => { err.push(String(s)); return true; };
  try {
    assert.equal(await runSynthCli(['--titles', 'many']), 2);
    assert.equal(await runSynthCli(['--bogus']), 2);
    assert.equal(await runSynthCli(['--out', join(root, 'y'), '--languages', 'en,zz']), 1);
  } finally {
    (process.stderr as { write: unknown }).write = write;
  }
  assert.ok(err.some((l) => /LSSD5014.*--titles expects a whole number/.test(l)));
  assert.ok(err.some((l) => /LSSD5021.*'zz'/.test(l)));
  assert.ok(!err.some((l) => /\n\s+at /.test(l)), 'no stack traces');
});

test('without eSpeak NG, data synth fails with LSSD5020 and an install hint', async () => {
  const { spawnSync } = await import('node:child_process');
  const script = `import { runSynthCli } from ${JSON.stringify(new URL('../../cli/commands/data.ts', import.meta.url).href)};
process.exitCode = await runSynthCli(['--out', ${JSON.stringify(join(root, 'no-espeak'))}, '--titles', '1', '--minutes', '0.1', '--languages', 'en']);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, LSSD_ESPEAK_MODULE: 'lssd-no-such-espeak-module' }, encoding: 'utf8', timeout: 60_000,
  });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /error LSSD5020: .*eSpeak NG.*\(hint: install the optional dependency: npm install @echogarden\/espeak-ng-emscripten\)/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.ok(!existsSync(join(root, 'no-espeak', 'state', 'syn0000.done')));
});

test('probe labels are audible: a band-energy nearest-class-mean baseline beats chance on scene and music/speech', () => {
  const bands = Array.from({ length: 16 }, (_, i) => 100 * Math.pow(7000 / 100, i / 15));
  const feat = (x: Float32Array) => {
    const f = bands.map((fc) => Math.log(rms(biquad(Float32Array.from(x), 'bandpass', fc, 2)) + 1e-9));
    const m = f.reduce((a, b) => a + b, 0) / f.length;
    return f.map((v) => v - m); // level-free spectral shape
  };
  const accuracy = (task: string) => {
    const td = join(dir, 'tasks', task);
    const data: { f: number[]; y: string; fold: string }[] = [];
    for (const fold of ['fold00', 'fold01', 'fold02', 'fold03', 'fold04']) {
      const m = JSON.parse(readFileSync(join(td, `${fold}.json`), 'utf8')) as Record<string, string[]>;
      for (const [name, ls] of Object.entries(m)) data.push({ f: feat(readWav(readFileSync(join(td, String(SR), fold, name))).samples), y: ls[0], fold });
    }
    let correct = 0;
    for (const test of ['fold00', 'fold01', 'fold02', 'fold03', 'fold04']) {
      const means = new Map<string, { s: number[]; n: number }>();
      for (const x of data.filter((d) => d.fold !== test)) {
        const m = means.get(x.y) ?? { s: x.f.map(() => 0), n: 0 };
        x.f.forEach((v, i) => { m.s[i] += v; });
        m.n++;
        means.set(x.y, m);
      }
      for (const x of data.filter((d) => d.fold === test)) {
        let best = '', bd = Infinity;
        for (const [y, m] of means) { const d2 = m.s.reduce((a, v, i) => a + (v / m.n - x.f[i]) ** 2, 0); if (d2 < bd) { bd = d2; best = y; } }
        if (best === x.y) correct++;
      }
    }
    return { acc: correct / data.length, chance: 1 / new Set(data.map((d) => d.y)).size };
  };
  const scene = accuracy('scene'), ms = accuracy('music_speech');
  assert.ok(scene.acc > 2.5 * scene.chance, `scene: ${scene.acc} vs chance ${scene.chance}`);
  assert.ok(ms.acc > 0.85, `music_speech: ${ms.acc}`);
});
