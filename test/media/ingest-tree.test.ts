// `lssdc data index` over hostile trees and hostile bytes: symlink loops, byte-identical copies, unreadable
// directories (as nobody: root ignores modes), files whose name and content disagree, synthetic-corpus
// layout, and broken media (truncated, wrong container, zero streams, huge headers). Every case is a
// coded line naming the path; nothing aborts the index.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync, chmodSync, chownSync, copyFileSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { makeTitle, truncateFile } from './make-media.ts';
import { indexDirectory, notIndexedLine, scanMedia } from '../../runtime/media/index.ts';
import { parseInputDump, sniffBytes } from '../../runtime/media/probe.ts';
import { runFfmpeg } from '../../runtime/media/decode.ts';
import { ffprobePath } from '../../runtime/media/ffmpeg.ts';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'lssdc.js');
let tmp: string;
const eng = (freq: number) => [{ lang: 'eng', title: 'original', freq }];

before(() => { tmp = mkdtempSync(join(tmpdir(), 'lssd-ingest-tree-')); });
after(() => rmSync(tmp, { recursive: true, force: true }));

async function fiveTitles(dir: string): Promise<void> {
  mkdirSync(join(dir, 'sub'), { recursive: true });
  for (let i = 0; i < 5; i++) await makeTitle(join(dir, i < 3 ? '' : 'sub', `t${i}.mkv`), { shots: [1.2, 1.2], audio: eng(300 + 40 * i) });
}

test('a directory symlink loop (sub/up -> ..) is walked once: 5 titles stay 5, LSSD5041 names the link', async () => {
  const d = join(tmp, 'loop');
  await fiveTitles(d);
  symlinkSync('..', join(d, 'sub', 'up'));
  symlinkSync(join(d, 'sub'), join(d, 'again'));       // a second way into sub/: also walked once
  const warnings: string[] = [];
  const s = await indexDirectory(d, { root: join(tmp, '.lssd'), events: { onWarning: (w) => warnings.push(w) } });
  assert.equal(s.titles.length, 5);
  assert.equal(new Set(s.titles.map((t) => t.id)).size, 5, 'one catalog row per title');
  // `again` sorts first, so sub/ is walked through it; the real `sub` is then the second way in.
  assert.ok(warnings.some((w) => /^warning LSSD5041: .*loop\/again\/up leads back to .*loop, already walked; not followed/.test(w)), warnings.join('\n'));
  assert.ok(warnings.some((w) => /^warning LSSD5041: .*loop\/sub leads back to .*loop\/again, already walked/.test(w)), warnings.join('\n'));
  assert.equal(warnings.filter((w) => w.includes('LSSD5041')).length, 2);
});

test('byte-identical files (copy, hard link, symlink): one title per content hash, LSSD5070 names the copies', async () => {
  const d = join(tmp, 'dupes');
  mkdirSync(join(d, 'b'), { recursive: true });
  await makeTitle(join(d, 'a.mkv'), { shots: [1.2, 1.2], audio: eng(500) });
  await makeTitle(join(d, 'other.mkv'), { shots: [1.2, 1.2], audio: eng(700) });
  copyFileSync(join(d, 'a.mkv'), join(d, 'b', 'copy.mkv'));
  linkSync(join(d, 'a.mkv'), join(d, 'b', 'hard.mkv'));
  symlinkSync(join(d, 'a.mkv'), join(d, 'b', 'soft.mkv'));
  const root = join(tmp, '.lssd');
  const s = await indexDirectory(d, { root });
  assert.deepEqual(s.titles.map((t) => basename(t.path)).sort(), ['a.mkv', 'other.mkv']);
  assert.equal(s.duplicates.length, 1);
  assert.equal(basename(s.duplicates[0].kept), 'a.mkv');
  assert.deepEqual(s.duplicates[0].others.map((p) => basename(p)), ['copy.mkv', 'hard.mkv', 'soft.mkv']);
  const w = s.warnings.filter((x) => x.includes('LSSD5070'));
  assert.equal(w.length, 1);
  assert.match(w[0], /^warning LSSD5070: .*a\.mkv: byte-identical to .*b\/copy\.mkv, .*b\/hard\.mkv, .*b\/soft\.mkv \(sha256 [0-9a-f]{12}…\); one title kept/);
  assert.equal(s.indexed, 2, 'copies are hashed, never probed');
  const again = await indexDirectory(d, { root });
  assert.equal(again.titles.length, 2);
  assert.equal(again.duplicates.length, 1, 'reported again on re-run');
});

test('names and bytes: .ts TypeScript is not probed, real MPEG-TS is; .mka audio-only, suffix-less and misnamed containers are indexed; the rest is counted', async () => {
  const d = join(tmp, 'content');
  mkdirSync(join(d, 'src'), { recursive: true });
  mkdirSync(join(d, 'node_modules', 'x'), { recursive: true });
  mkdirSync(join(d, '.git'));
  for (let i = 0; i < 4; i++) writeFileSync(join(d, 'src', `mod${i}.ts`), `export const x${i}: number = ${i};\n// not a transport stream\n`);
  writeFileSync(join(d, 'README.md'), '# notes\n');
  writeFileSync(join(d, 'data.json'), '{}\n');
  writeFileSync(join(d, 'node_modules', 'x', 'index.ts'), 'export {};\n');
  await runFfmpeg(['-y', '-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=16000:duration=3', '-c:a', 'pcm_s16le', join(d, 'music.wav')]);
  await makeTitle(join(d, 'clip.mkv'), { shots: [1.5, 1.5], audio: eng(350) });
  // Real MPEG-TS (the shipped ffprobe crashes on it: probe falls back to ffmpeg's demuxer).
  await runFfmpeg(['-y', '-v', 'error', '-i', join(d, 'clip.mkv'), '-map', '0', '-c:v', 'copy', '-c:a', 'aac', '-f', 'mpegts', join(d, 'broadcast.ts')]);
  await runFfmpeg(['-y', '-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=450:sample_rate=16000:duration=3', '-metadata:s:a:0', 'language=spa', '-c:a', 'flac', join(d, 'radio.mka')]);
  await makeTitle(join(d, 'noext.mkv'), { shots: [1.5], audio: eng(600) });   // ffmpeg picks the muxer by suffix: build, then rename
  renameSync(join(d, 'noext.mkv'), join(d, 'noext'));
  await makeTitle(join(d, 'mis.mkv'), { shots: [1.5], audio: eng(650) });
  copyFileSync(join(d, 'mis.mkv'), join(d, 'named.mp4'));
  rmSync(join(d, 'mis.mkv'));
  const scan = scanMedia(d);
  assert.deepEqual(scan.candidates.map((c) => basename(c.path)), ['broadcast.ts', 'clip.mkv', 'named.mp4', 'noext', 'radio.mka']);
  const by = Object.fromEntries(scan.ignored.map((g) => [g.reason, g]));
  assert.equal(by['text-ts'].count, 4);
  assert.equal(by['single-track-audio'].count, 1);
  assert.deepEqual(by['other-name'].examples, ['.json ×1', '.md ×1']);
  assert.equal(by['directories'].count, 2, '.git and node_modules are not entered');
  assert.ok(scan.lines.some((l) => /^warning LSSD5071: .*named\.mp4: named \.mp4 \(MP4\/QuickTime\) but holds Matroska\/WebM; indexed by its content/.test(l)), scan.lines.join('\n'));
  const s = await indexDirectory(d, { root: join(tmp, '.lssd') });
  assert.deepEqual(s.skipped, [], s.skipped.map((x) => x.line).join('\n'));
  const t = Object.fromEntries(s.titles.map((x) => [basename(x.path), x]));
  assert.deepEqual(Object.keys(t).sort(), ['broadcast.ts', 'clip.mkv', 'named.mp4', 'noext', 'radio.mka']);
  assert.equal(t['radio.mka'].video, null);
  assert.equal(t['radio.mka'].originalLanguage, 'es');
  assert.equal(t['broadcast.ts'].video?.width, 160);
  assert.equal(t['broadcast.ts'].shots.length, 2, 'cuts found in the transport stream (its start time removed)');
  assert.ok(Math.abs(t['broadcast.ts'].shots[1].start - 1.5) < 0.1, `cut at ${t['broadcast.ts'].shots[1].start}`);
  const info = notIndexedLine(s)!;
  assert.match(info, /^info LSSD5073: .*: not indexed as media: .*4 `\.ts` files holding text/);
  // The CLI prints the same, and the summary names it.
  const r = spawnSync(process.execPath, [bin, 'data', 'index', d, '--data-dir', join(tmp, 'cli-lssd')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /5 titles from 5 files/);
  assert.match(r.stdout, /not media: 1 sidecar|not media: .*text-ts/);
  assert.match(r.stderr, /info LSSD5073/);
});

test('synthetic-corpus layout: media at the top level are not silently ignored (LSSD5072), tasks/ clips are counted', async () => {
  const c = join(tmp, 'corpus');
  mkdirSync(join(c, 'titles'), { recursive: true });
  mkdirSync(join(c, 'tasks', 'scene'), { recursive: true });
  mkdirSync(join(c, 'truth'));
  writeFileSync(join(c, 'corpus.json'), JSON.stringify({ version: 1, seed: 1, titles: ['c1'], complete: true }));
  writeFileSync(join(c, 'truth', 'c1.json'), JSON.stringify({ originalLanguage: 'en', shots: [] }));
  await makeTitle(join(c, 'titles', 'c1.mkv'), { shots: [1.5, 1.5], audio: eng(300) });
  await makeTitle(join(c, 'stray.mkv'), { shots: [1.5], audio: eng(310) });
  await makeTitle(join(c, 'tasks', 'scene', 'clip.mkv'), { shots: [1], audio: eng(320) });
  const s = await indexDirectory(c, { root: join(tmp, '.lssd') });
  assert.deepEqual(s.titles.map((t) => basename(t.path)), ['c1.mkv']);
  assert.ok(s.warnings.some((w) => /^warning LSSD5072: .*1 media file\(s\) outside titles\/ .* not indexed: stray\.mkv/.test(w)), s.warnings.join('\n'));
  const by = Object.fromEntries(s.ignored.map((g) => [g.reason, g.count]));
  assert.equal(by['corpus-tasks'], 1);
  assert.equal(by['outside-corpus'], 1);
  assert.equal(by['corpus-files'], 2, 'corpus.json and truth/c1.json');
});

test('broken media: truncated, wrong container, zero streams, huge headers, text under a media name, unreadable — one coded line each', async () => {
  const d = join(tmp, 'broken');
  mkdirSync(d);
  await makeTitle(join(d, 'good.mkv'), { shots: [2, 2, 2, 2], audio: eng(440) });
  truncateFile(join(d, 'good.mkv'), join(d, 'truncated.mkv'), 0.4);
  // Wrong container: MP4 bytes with a Matroska head spliced on, and a Matroska file cut inside its header.
  const mp4 = join(tmp, 'x.mp4');
  await makeTitle(mp4, { shots: [2], audio: eng(450) });
  const { readFileSync } = await import('node:fs');
  writeFileSync(join(d, 'wrong.mkv'), Buffer.concat([Buffer.from('1a45dfa3', 'hex'), readFileSync(mp4).subarray(4)]));
  // Zero streams: a Matroska file holding only subtitles; an MP4 with a header and no tracks.
  writeFileSync(join(tmp, 's.srt'), '1\n00:00:00,000 --> 00:00:01,000\nhello\n');
  await runFfmpeg(['-y', '-v', 'error', '-i', join(tmp, 's.srt'), '-c:s', 'srt', join(d, 'subs-only.mkv')]);
  const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypisom'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2')]);
  // Huge headers: a box and an EBML element claiming sizes far beyond the file.
  const bigBox = Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xf0]), Buffer.from('moov'), Buffer.alloc(1 << 16)]);
  writeFileSync(join(d, 'huge-box.mp4'), Buffer.concat([ftyp, bigBox]));
  writeFileSync(join(d, 'huge-ebml.mkv'), Buffer.concat([Buffer.from('1a45dfa301ffffffffffffff42868101', 'hex'), Buffer.alloc(1 << 16)]));
  writeFileSync(join(d, 'notes.mkv'), 'these are my notes about the film\n'.repeat(50));
  writeFileSync(join(d, 'esc\x1b[2J\nname\u202e.mp4'), Buffer.from('00000018667479706d703432', 'hex'));   // an MP4 head and nothing else
  writeFileSync(join(d, 'locked.mkv'), readFileSync(join(d, 'good.mkv')).subarray(0, 1000));
  chmodSync(join(d, 'locked.mkv'), 0o000);
  const root = join(tmp, '.lssd');
  const asRoot = process.getuid?.() === 0;
  const s = await indexDirectory(d, { root });
  const codes = Object.fromEntries(s.skipped.map((x) => [basename(x.path), x.code]));
  assert.deepEqual(s.titles.map((t) => basename(t.path)), ['good.mkv']);
  assert.equal(codes['truncated.mkv'], 'LSSD5005');
  assert.equal(codes['subs-only.mkv'], 'LSSD5003');
  assert.equal(codes['huge-box.mp4'], 'LSSD5003');
  assert.equal(codes['huge-ebml.mkv'], 'LSSD5001');
  assert.equal(codes['notes.mkv'], 'LSSD5001');
  assert.ok(codes['wrong.mkv'] === 'LSSD5001' || codes['wrong.mkv'] === 'LSSD5003', `wrong.mkv: ${codes['wrong.mkv']}`);
  if (!asRoot) assert.equal(codes['locked.mkv'], 'LSSD5001');
  for (const x of s.skipped) {
    assert.match(x.line, /^error LSSD50\d\d: \S+: .+ \(hint: .+\)$/, x.line);
    assert.equal(x.line.split('\n').length, 1);
  }
  assert.match(s.skipped.find((x) => x.path.endsWith('subs-only.mkv'))!.line, /no audio or video stream \(1 stream\(s\): subtitle\)/);
  // A hostile name is escaped in its line (no raw ESC, newline or bidi override reaches the terminal).
  const hostile = s.skipped.find((x) => x.path.includes('name'))!;
  assert.match(hostile.line, /esc␛\[2J\\nname\\u\{202e\}\.mp4/);
  for (const l of [...s.skipped.map((x) => x.line), ...s.warnings]) assert.doesNotMatch(l, /[\u0000-\u0008\u000a-\u001f\u007f\u202a-\u202e]/);
  assert.match(s.skipped.find((x) => x.path.endsWith('notes.mkv'))!.line, /holds text, not a media container/);
  void statSync;
});

const canDropPrivileges = ((): true | string => {
  const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'true']);
  return r.status === 0 ? true : 'setpriv or the nobody user is unavailable';
})();

test('as nobody: an unreadable subdirectory and an unreadable file are coded lines naming them; the rest is indexed', { skip: canDropPrivileges === true ? false : String(canDropPrivileges) }, async () => {
  const d = join(tmp, 'perm');
  mkdirSync(join(d, 'locked'), { recursive: true });
  await makeTitle(join(d, 'open.mkv'), { shots: [1.2, 1.2], audio: eng(300) });
  await makeTitle(join(d, 'locked', 'hidden.mkv'), { shots: [1.2, 1.2], audio: eng(310) });
  await makeTitle(join(d, 'secret.mkv'), { shots: [1.2, 1.2], audio: eng(320) });
  const own = (p: string) => { chownSync(p, 65534, 65534); if (statSync(p).isDirectory()) for (const n of readdirSync(p)) own(join(p, n)); };
  chmodSync(tmp, 0o755);
  own(d);
  chmodSync(join(d, 'locked'), 0o000);
  chmodSync(join(d, 'secret.mkv'), 0o000);
  const data = join(d, '.lssd');
  // @ffprobe-installer ships its binary as 0744 (executable by the installing user only): nobody runs a copy.
  const probe = join(tmp, 'ffprobe');
  copyFileSync(ffprobePath(), probe);
  chmodSync(probe, 0o755);
  const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, bin, 'data', 'index', '.', '--data-dir', data],
    { cwd: d, encoding: 'utf8', env: { ...process.env, LSSD_SOURCES: '1', HOME: d, FFPROBE_PATH: probe } });
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /error LSSD5040: cannot read directory locked: permission denied \(EACCES\); its files were not read/);
  assert.match(r.stderr, /error LSSD5001: .*secret\.mkv: cannot read file: permission denied \(EACCES\)/);
  assert.match(r.stdout, /1 titles from 2 files/);
  chmodSync(join(d, 'locked'), 0o755);
});

test('sniffBytes: containers by their first bytes; text and MPEG-TS told apart; ffmpeg -i dumps parse', () => {
  assert.equal(sniffBytes(Buffer.from('1a45dfa3a3428681', 'hex')), 'matroska');
  assert.equal(sniffBytes(Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypisom')])), 'mp4');
  assert.equal(sniffBytes(Buffer.from('RIFF\0\0\0\0AVI LIST')), 'avi');
  assert.equal(sniffBytes(Buffer.from('RIFF\0\0\0\0WAVEfmt ')), 'unknown');
  assert.equal(sniffBytes(Buffer.from('import { x } from "./y.ts";\nexport const z = 1;\n')), 'text');
  const ts = Buffer.alloc(188 * 3); ts[0] = ts[188] = ts[376] = 0x47;
  assert.equal(sniffBytes(ts), 'mpegts');
  const m2ts = Buffer.alloc(192 * 3 + 4); m2ts[4] = m2ts[196] = m2ts[388] = 0x47;
  assert.equal(sniffBytes(m2ts), 'mpegts');
  assert.equal(sniffBytes(Buffer.from('G is for Gauss\n')), 'text', 'a text file starting with G is not a transport stream');
  assert.equal(sniffBytes(new Uint8Array(0)), 'empty');
  const d = parseInputDump([
    "Input #0, matroska,webm, from 'x.mkv':", '  Metadata:', '    title           : A Film', '  Duration: 00:01:02.50, start: 0.500000, bitrate: 294 kb/s',
    '    Stream #0:0: Video: h264 (High), yuv420p(progressive), 160x90 [SAR 1:1 DAR 16:9], 15 fps, 15 tbr, 1k tbn (default)',
    '    Stream #0:1(eng): Audio: flac, 16000 Hz, mono, s16', '    Metadata:', '      title           : original',
    '    Stream #0:2(spa): Audio: aac (LC), 48000 Hz, stereo, fltp', 'At least one output file must be specified'].join('\n'))!;
  assert.equal(d.format.duration, 62.5);
  assert.equal(d.format.start_time, 0.5);
  assert.equal(d.format.tags?.title, 'A Film');
  assert.deepEqual(d.streams.map((s) => [s.index, s.codec_type, s.tags?.language ?? '', s.tags?.title ?? '', s.channels ?? s.width]),
    [[0, 'video', '', '', 160], [1, 'audio', 'eng', 'original', 1], [2, 'audio', 'spa', '', 2]]);
  assert.equal(parseInputDump('x.mkv: Invalid data found when processing input'), null);
});
