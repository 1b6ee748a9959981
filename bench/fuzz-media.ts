// `bench/fuzz.ts --mode index`: broken media through `indexDirectory` (runtime/media/index.ts).
// Seeds are two small real titles made with ffmpeg (test/media/make-media.ts: an MKV and an MP4 with two
// language-tagged audio tracks and hard cuts); each case is one file derived from a seed by one kind:
//   truncate        the first 0–100 % of the bytes (a copy cut short)
//   byte-flip       1–16 bytes flipped, half the time within the first 4 KiB (headers)
//   wrong-container MP4 bytes named .mkv/.webm/.avi, MKV bytes named .mp4/.mov
//   zero-streams    the container's header alone (EBML header / ftyp box): a container with no streams
//   huge-header     the first element's size field set to its maximum (EBML 2^56-2, MP4 box 2^32-1 / 64-bit)
//   splice          the head of one seed and the tail of the other
//   zero-length, random-bytes, text-junk
//   hostile-name    a good title under a name with ESC, a newline, U+202E or CJK
// Batches of --batch (20) files are indexed in a fresh directory. Properties: no exception and no hang
// (--batch-timeout 300 s); every file is a title or a skip whose code is in the catalog; each skip's line
// is one line, at most LINE_LIMIT long, without raw control characters. A failing batch is re-run file
// by file to name the culprit, which is saved (bytes base64 when ≤ 256 KiB) to the crash corpus.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CATALOG } from '../compiler/messages.ts';
import { indexDirectory } from '../runtime/media/index.ts';
import { makeTitle } from '../test/media/make-media.ts';
import { rng, type Rng } from '../test/fuzz/mutate.ts';
import { LINE_LIMIT, type Failure } from '../test/fuzz/oracle.ts';
import type { CorpusEntry } from '../test/fuzz/targets.ts';

export const MEDIA_KINDS = ['truncate', 'byte-flip', 'wrong-container', 'zero-streams', 'huge-header', 'splice', 'zero-length', 'random-bytes', 'text-junk', 'hostile-name'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

const CODES = new Set(CATALOG.map((m) => m.code));
const RAW_CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

export interface Seeds { mkv: Buffer; mp4: Buffer }

export async function makeSeeds(dir: string): Promise<Seeds> {
  const audio = [{ lang: 'eng', title: 'original', freq: 440 }, { lang: 'spa', title: 'dub', freq: 660 }];
  await makeTitle(join(dir, 'seed.mkv'), { shots: [2, 2.5], audio });
  await makeTitle(join(dir, 'seed.mp4'), { shots: [2.5, 2], audio });
  return { mkv: readFileSync(join(dir, 'seed.mkv')), mp4: readFileSync(join(dir, 'seed.mp4')) };
}

/** One broken file: its name (with a media extension) and bytes. */
export function brokenMedia(kind: MediaKind, s: Seeds, r: Rng, n: number): { name: string; bytes: Buffer } {
  const seedIsMkv = r() < 0.5;
  const seed = seedIsMkv ? s.mkv : s.mp4;
  const ext = seedIsMkv ? '.mkv' : '.mp4';
  const name = (e: string) => `case-${String(n).padStart(6, '0')}${e}`;
  switch (kind) {
    case 'truncate': return { name: name(ext), bytes: seed.subarray(0, Math.floor(r() * seed.length)) };
    case 'byte-flip': {
      const b = Buffer.from(seed);
      const head = r() < 0.5;
      for (let k = 1 + Math.floor(r() * 16); k > 0; k--) { const i = Math.floor(r() * (head ? Math.min(4096, b.length) : b.length)); b[i] ^= 1 << Math.floor(r() * 8); }
      return { name: name(ext), bytes: b };
    }
    case 'wrong-container': return { name: name(seedIsMkv ? pick(r, ['.mp4', '.mov']) : pick(r, ['.mkv', '.webm', '.avi'])), bytes: seed };
    case 'zero-streams': {
      // Matroska: the EBML header element alone; MP4: the ftyp box alone.
      if (seedIsMkv) { const size = 5 + (s.mkv[4] & 0x7f); return { name: name('.mkv'), bytes: s.mkv.subarray(0, 4 + 1 + size) }; }
      return { name: name('.mp4'), bytes: s.mp4.subarray(0, s.mp4.readUInt32BE(0)) };
    }
    case 'huge-header': {
      const b = Buffer.from(seed);
      if (seedIsMkv) {
        // The EBML header's size vint → 8-byte vint of all ones but the last (2^56-2): a header longer than any file.
        const rest = b.subarray(5);
        return { name: name('.mkv'), bytes: Buffer.concat([b.subarray(0, 4), Buffer.from([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]), rest]) };
      }
      if (r() < 0.5) { b.writeUInt32BE(0xffffffff, 0); return { name: name('.mp4'), bytes: b }; }
      // 64-bit largesize box: size 1, then a 2^63-1 largesize after the type.
      const big = Buffer.alloc(8); big.writeBigUInt64BE(0x7fffffffffffffffn);
      return { name: name('.mp4'), bytes: Buffer.concat([Buffer.from([0, 0, 0, 1]), b.subarray(4, 8), big, b.subarray(8)]) };
    }
    case 'splice': {
      const a = seedIsMkv ? s.mkv : s.mp4, o = seedIsMkv ? s.mp4 : s.mkv;
      return { name: name(ext), bytes: Buffer.concat([a.subarray(0, Math.floor(r() * a.length)), o.subarray(Math.floor(r() * o.length))]) };
    }
    case 'zero-length': return { name: name(pick(r, ['.mkv', '.mp4', '.webm'])), bytes: Buffer.alloc(0) };
    case 'random-bytes': return { name: name(pick(r, ['.mkv', '.mp4', '.ts', '.avi'])), bytes: Buffer.from(Array.from({ length: 1 + Math.floor(r() * 65536) }, () => Math.floor(r() * 256))) };
    case 'text-junk': return { name: name(pick(r, ['.mkv', '.mp4'])), bytes: Buffer.from('#EXTM3U\nthis is not media \x1b[2J\n'.repeat(1 + Math.floor(r() * 200))) };
    case 'hostile-name': return { name: `${pick(r, ['esc\x1b[2Jname', 'new\nline', 'rtl\u202egnp', '漢字タイトル', 'tab\tname', 'bell\x07'])}-${n}${ext}`, bytes: seed };
  }
}

function checkSummary(files: string[], s: Awaited<ReturnType<typeof indexDirectory>>): Failure[] {
  const out: Failure[] = [];
  const titled = new Set(s.titles.map((t) => t.path.split('/').pop()!));
  // Byte-identical copies are accounted for as duplicates of the title kept (LSSD5070).
  for (const d of s.duplicates) for (const p of d.others) titled.add(p.split('/').pop()!);
  const skipped = new Map(s.skipped.map((k) => [k.path.split('/').pop()!, k]));
  for (const f of files) {
    if (!titled.has(f) && !skipped.has(f)) out.push({ property: 'accounted', detail: `index-file: ${JSON.stringify(f)} is neither a title nor a skip` });
  }
  for (const k of s.skipped) {
    if (!CODES.has(k.code)) out.push({ property: 'coded', detail: `${k.code}: not in the catalog: ${k.line.slice(0, 200)}` });
    if (k.line.length > LINE_LIMIT) out.push({ property: 'bounded', detail: `${k.code}: a skip line of ${k.line.length} characters` });
    if (RAW_CONTROL.test(k.line)) out.push({ property: 'escaped', detail: `${k.code}: raw control character U+${k.line.charCodeAt(k.line.search(RAW_CONTROL)).toString(16)} in ${JSON.stringify(k.line.slice(0, 160))}` });
  }
  for (const w of s.warnings) if (RAW_CONTROL.test(w)) out.push({ property: 'escaped', detail: `warning: raw control character in ${JSON.stringify(w.slice(0, 160))}` });
  return out;
}

async function indexWithin(dir: string, root: string, seconds: number): Promise<{ summary?: Awaited<ReturnType<typeof indexDirectory>>; failure?: Failure }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`HANG: no result after ${seconds} s`)), seconds * 1000); });
  try {
    return { summary: await Promise.race([indexDirectory(dir, { root, concurrency: 2 }), timeout]) };
  } catch (e) {
    const msg = (e as Error)?.stack ?? String(e);
    return { failure: { property: msg.startsWith('Error: HANG') ? 'no-hang' : 'no-exception', detail: `index: ${msg}`.slice(0, 1500) } };
  } finally { clearTimeout(timer); }
}

export async function indexCampaign(o: { files: number; seed: number; say: (s: string) => void; record: (sig: string, e: CorpusEntry) => void; batch?: number; batchTimeout?: number }) {
  const r = rng(o.seed);
  const tmp = mkdtempSync(join(tmpdir(), 'lssd-fuzz-index-'));
  const byKind = new Map<string, number>();
  let failing = 0;
  const batch = o.batch ?? 20, limit = o.batchTimeout ?? 300;
  try {
    const seeds = await makeSeeds(tmp);
    o.say(`fuzz index: ${o.files} files in batches of ${batch}, seeds ${seeds.mkv.length} B mkv / ${seeds.mp4.length} B mp4, seed ${o.seed}`);
    for (let n = 0; n < o.files; n += batch) {
      const dir = join(tmp, `b${n}`); mkdirSync(dir);
      const made: { kind: MediaKind; name: string; bytes: Buffer }[] = [];
      for (let k = n; k < Math.min(o.files, n + batch); k++) {
        const kind = pick(r, MEDIA_KINDS);
        const m = brokenMedia(kind, seeds, r, k);
        writeFileSync(join(dir, m.name), m.bytes);
        made.push({ kind, ...m });
        byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
      }
      const res = await indexWithin(dir, join(tmp, 'root'), limit);
      const fails = res.failure ? [res.failure] : checkSummary(readdirSync(dir), res.summary!);
      if (fails.length) {
        // Name the culprit(s): each file alone.
        for (const m of made) {
          const one = join(tmp, `one-${n}-${made.indexOf(m)}`); mkdirSync(one);
          writeFileSync(join(one, m.name), m.bytes);
          const r1 = await indexWithin(one, join(tmp, 'root1'), limit);
          const f1 = r1.failure ? [r1.failure] : checkSummary(readdirSync(one), r1.summary!);
          rmSync(one, { recursive: true, force: true });
          if (!f1.length) continue;
          failing++;
          for (const f of f1) {
            const sig = `${f.property}:${m.kind}:${f.detail.split('\n')[0].replace(/case-\d+|\d+/g, 'N').slice(0, 100)}`;
            o.record(sig, { mode: 'index', entry: '', victim: '', text: '', media: m.bytes.length <= 256 << 10 ? { name: m.name, base64: m.bytes.toString('base64') } : undefined,
              property: f.property, detail: f.detail.slice(0, 500), seed: o.seed, case: n + made.indexOf(m), kinds: [m.kind] });
          }
        }
      }
      rmSync(dir, { recursive: true, force: true });
      if ((n / batch) % 5 === 4) process.stderr.write(`  ${n + batch} files, ${failing} failing\n`);
    }
  } finally { rmSync(tmp, { recursive: true, force: true }); }
  return { failing, byKind };
}
