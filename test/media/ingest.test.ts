import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { makeMixedDir, makeTitle } from './make-media.ts';
import { indexDirectory, readCatalog } from '../../runtime/media/index.ts';
import { decodeAudio, decodeVideo } from '../../runtime/media/decode.ts';
import { detectSceneCuts, cutsToShots, boundShots } from '../../runtime/media/shots.ts';
import { normaliseLanguage } from '../../runtime/media/lang.ts';

let dir: string, root: string, tmp: string;
let expected: Awaited<ReturnType<typeof makeMixedDir>>;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'lssd-ingest-'));
  dir = join(tmp, 'media'); root = join(tmp, '.lssd');
  expected = await makeMixedDir(dir);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('index: good titles catalogued, each bad file skipped with its own code, never aborts', async () => {
  const warnings: string[] = [];
  const s = await indexDirectory(dir, { root, events: { onWarning: (w) => warnings.push(w) } });
  assert.deepEqual(s.titles.map((t) => basename(t.path)).sort(), expected.good.sort());
  const codes = Object.fromEntries(s.skipped.map((x) => [basename(x.path), x.code]));
  assert.deepEqual(codes, expected.bad);
  for (const x of s.skipped) {
    assert.equal(x.line.split('\n').length, 1, 'one line per bad file');
    assert.match(x.line, /^error LSSD5\d{3}: \S+: .+\(hint: .+\)$/);
    assert.ok(!/ at .*\.ts:\d+/.test(x.line), 'no stack trace');
  }
  assert.equal(s.undTracks, 1, 'beta has one untagged stream');
  assert.ok(warnings.some((w) => w.includes('LSSD5004') && w.includes('beta.mkv')));
  // The catalog on disk is JSON Lines, one CatalogTitle per line, with content hashes.
  const cat = readCatalog(s.catalogPath);
  assert.equal(cat.length, 3);
  for (const t of cat) { assert.match(t.hash, /^[0-9a-f]{64}$/); assert.equal(t.id, t.hash.slice(0, 12)); }
});

test('index: roles, languages (ISO 639-2 → 639-1) and shots from scene cuts and sidecars', async () => {
  const s = await indexDirectory(dir, { root });
  const by = Object.fromEntries(s.titles.map((t) => [basename(t.path), t]));
  const alpha = by['alpha.mkv'];
  assert.equal(alpha.originalLanguage, 'en');
  assert.deepEqual(alpha.audio.map((a) => `${a.language}:${a.role}`), ['en:original', 'es:dub', 'fr:dub', 'zxx:speech_removed']);
  assert.deepEqual(by['beta.mkv'].audio.map((a) => `${a.language}:${a.role}`), ['ja:original', 'en:dub']);
  assert.ok(alpha.video && alpha.video.width === 160 && alpha.video.height === 120 && alpha.video.fps === 25);
  // alpha was built from hard cuts after 4, 9 and 12.5 s.
  const starts = alpha.shots.map((x) => x.start);
  assert.equal(alpha.shots.length, 4);
  [0, 4, 9, 12.5].forEach((c, i) => assert.ok(Math.abs(starts[i] - c) < 0.15, `cut ${i} at ${starts[i]}, expected ~${c}`));
  // gamma has a sidecar with cuts at 5 and 10 (the video cut at 10 is real, 5 is not a visual cut).
  assert.deepEqual(by['gamma.mkv'].shots.map((x) => [x.start, x.end]), [[0, 5], [5, 10], [10, by['gamma.mkv'].duration]]);
  const b = boundShots(s.titles.flatMap((t) => t.shots), 3, 12);
  assert.equal(b.kept.length + b.tooShort + b.tooLong, s.shots.total);
  assert.equal(s.shots.tooShort, b.tooShort);
});

test('index: incremental — unchanged files are reused, a touched file is probed again', async () => {
  const first = await indexDirectory(dir, { root });
  const again = await indexDirectory(dir, { root });
  assert.equal(again.reused, again.files);
  assert.equal(again.indexed, 0);
  assert.deepEqual(again.titles, first.titles);
  assert.equal(again.skipped.length, first.skipped.length, 'bad files are still reported on re-run');
  const f = join(dir, 'gamma.cuts.json');
  writeFileSync(f, JSON.stringify({ cuts: [4, 8] }));
  const later = new Date(Date.now() + 5000);
  utimesSync(f, later, later);
  const third = await indexDirectory(dir, { root });
  assert.equal(third.indexed, 1);
  const g = third.titles.find((t) => t.path.endsWith('gamma.mkv'))!;
  assert.deepEqual(g.shots.map((x) => x.start), [0, 4, 8]);
  writeFileSync(f, JSON.stringify({ cuts: [5, 10] }));
  utimesSync(f, new Date(Date.now() + 9000), new Date(Date.now() + 9000));
});

test('index: a directory with no media, or missing, is one clear error', async () => {
  const empty = join(tmp, 'empty-dir');
  mkdirSync(empty);
  await assert.rejects(indexDirectory(empty, { root }), (e: Error & { code?: string }) => e.code === 'LSSD5011');
  await assert.rejects(indexDirectory(join(tmp, 'nope'), { root }), (e: Error & { code?: string }) => e.code === 'LSSD5011');
});

test('synthetic-corpus layout: only titles/ indexed, truth gives original language, kind and shot truth', async () => {
  const corpus = join(tmp, 'corpus');
  mkdirSync(join(corpus, 'titles'), { recursive: true });
  mkdirSync(join(corpus, 'truth'));
  mkdirSync(join(corpus, 'tasks', 'scene'), { recursive: true });
  writeFileSync(join(corpus, 'corpus.json'), JSON.stringify({ version: 1, seed: 1, titles: ['c1'], languages: ['en', 'es'], scenes: ['kitchen', 'street'], complete: true }));
  // Audio tagged with the dub first: the truth file, not stream order, decides the original language.
  await makeTitle(join(corpus, 'titles', 'c1.mkv'), { shots: [6, 6], audio: [{ lang: 'spa', title: 'dub', freq: 300 }, { lang: 'eng', title: 'original', freq: 400 }, { lang: 'zxx', title: 'speech_removed', freq: 200 }] });
  await makeTitle(join(corpus, 'tasks', 'scene', 'clip.mkv'), { shots: [1], audio: [{ lang: 'eng', freq: 100 }] });
  writeFileSync(join(corpus, 'titles', 'c1.cuts.json'), JSON.stringify({ cuts: [3.5, 6] }));
  writeFileSync(join(corpus, 'truth', 'c1.json'), JSON.stringify({ originalLanguage: 'en', kind: 'movie', shots: [
    { index: 0, start: 0, end: 3.5, scene: 'kitchen', speakers: 2, music: false },
    { index: 1, start: 3.5, end: 6, scene: 'street', speakers: [], speakerCount: 0, music: true },
    { index: 2, start: 6, end: 12, scene: 'kitchen', speakers: 1, music: false }] }));
  const s = await indexDirectory(corpus, { root, method: 'sidecar' });
  assert.equal(s.files, 1, 'tasks/ is not part of the pretraining catalog');
  const t = s.titles[0];
  assert.equal(t.originalLanguage, 'en');
  assert.equal(t.kind, 'movie');
  assert.deepEqual(t.audio.map((a) => `${a.stream}:${a.language}:${a.role}`), ['1:es:dub', '2:en:original', '3:zxx:speech_removed']);
  assert.deepEqual(t.shots.map((x) => [x.start, x.end]), [[0, 3.5], [3.5, 6], [6, t.duration]]);
  assert.deepEqual(t.shots.map((x) => x.truth), [{ scene: 'kitchen', speakers: 2, music: false }, { scene: 'street', speakers: 0, music: true }, { scene: 'kitchen', speakers: 1, music: false }]);
});

test('bad cuts sidecar: one line, file skipped, others indexed', async () => {
  const d = join(tmp, 'badside');
  mkdirSync(d);
  await makeTitle(join(d, 'a.mkv'), { shots: [4], audio: [{ lang: 'eng', freq: 300 }] });
  await makeTitle(join(d, 'b.mkv'), { shots: [4], audio: [{ lang: 'eng', freq: 300 }] });
  writeFileSync(join(d, 'a.cuts.json'), '{ "cuts": [1, "two"] }');
  const s = await indexDirectory(d, { root, method: 'sidecar', threshold: 0 });
  assert.equal(s.titles.length, 1, 'b.mkv has no sidecar: scene detection at the default threshold');
  assert.ok(s.warnings.some((w) => w.includes('b.mkv') && w.includes('threshold 0.3')));
  await assert.rejects(indexDirectory(d, { root, method: 'scene', threshold: 0 }), /threshold must be in \(0,1\), got 0/);
  assert.equal(s.skipped.length, 1);
  assert.equal(s.skipped[0].code, 'LSSD5007');
  assert.match(s.skipped[0].line, /a\.cuts\.json/);
});

test('scene detection threshold is configurable; cutsToShots covers the whole title', async () => {
  const path = join(dir, 'alpha.mkv');
  const low = await detectSceneCuts(path, 0.3);
  const sensitive = await detectSceneCuts(path, 0.01);
  assert.equal(low.length, 3);
  assert.ok(sensitive.length > low.length, 'a lower threshold finds more cuts (testsrc moves)');
  const shots = cutsToShots([5, 2, 7].sort((a, b) => a - b), 10);
  assert.deepEqual(shots.map((s) => [s.start, s.end]), [[0, 2], [2, 5], [5, 7], [7, 10]]);
  await assert.rejects(detectSceneCuts(path, 1.5), /threshold/);
});

test('decodeAudio / decodeVideo: mono f32 at the rate asked, rgb24 centre-cropped squares', async () => {
  const path = join(dir, 'alpha.mkv');
  const a = await decodeAudio(path, { sampleRate: 8000, stream: 2, start: 1, duration: 2 });
  assert.ok(Math.abs(a.length - 16000) <= 200, `got ${a.length} samples`);
  // stream 2 is the 660 Hz 'spa' sine: count zero crossings over 2 s.
  let zc = 0;
  for (let i = 1; i < a.length; i++) if ((a[i - 1] < 0) !== (a[i] < 0)) zc++;
  assert.ok(Math.abs(zc / 2 / 2 - 660) < 15, `~660 Hz, got ${zc / 4}`);
  const v = await decodeVideo(path, { fps: 5, size: 32, start: 0, duration: 2 });
  assert.equal(v.h, 32); assert.equal(v.w, 32);
  assert.ok(Math.abs(v.n - 10) <= 1, `got ${v.n} frames`);
  assert.equal(v.frames.length, v.n * 32 * 32 * 3);
  // The third shot (9..12.5 s) is flat red.
  const red = await decodeVideo(path, { fps: 2, size: 16, start: 10, duration: 1 });
  const px = red.frames.subarray(0, 3);
  assert.ok(px[0] > 200 && px[1] < 60 && px[2] < 60, `red pixel, got ${Array.from(px)}`);
});

test('language tags normalise to ISO 639-1; und and unknown are rejected', () => {
  assert.equal(normaliseLanguage('eng'), 'en');
  assert.equal(normaliseLanguage('fre'), 'fr');
  assert.equal(normaliseLanguage('jpn'), 'ja');
  assert.equal(normaliseLanguage('pt-BR'), 'pt');
  assert.equal(normaliseLanguage('zxx'), 'zxx');
  assert.equal(normaliseLanguage('und'), null);
  assert.equal(normaliseLanguage(''), null);
  assert.equal(normaliseLanguage('qqq'), null);
});

test('lssdc data index: summary on stdout, one line per bad file on stderr; bad option is a usage error', () => {
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'lssdc.js');
  const r = spawnSync(process.execPath, [bin, 'data', 'index', dir, '--data-dir', join(tmp, 'cli-lssd')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /3 titles from 8 files/);
  assert.match(r.stdout, /skipped: 5 file\(s\)/);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.filter((l) => /^error LSSD5/.test(l)).length, 5);
  assert.equal(lines.filter((l) => /^warning LSSD5004/.test(l)).length, 1);
  assert.ok(!/\n\s+at /.test(r.stderr), 'no stack traces');
  const u = spawnSync(process.execPath, [bin, 'data', 'index', dir, '--threshold', 'abc'], { encoding: 'utf8' });
  assert.equal(u.status, 2);
  assert.match(u.stderr, /LSSD5014.*--threshold/);
  // shot bounds that admit nothing (min above max) were accepted and every count came out 0
  const b = spawnSync(process.execPath, [bin, 'data', 'index', dir, '--min', '20', '--max', '3', '--data-dir', join(tmp, 'cli-bounds')], { encoding: 'utf8' });
  assert.equal(b.status, 2, b.stderr);
  assert.match(b.stderr, /LSSD5014: shot bounds --min 20 --max 3/);
});
