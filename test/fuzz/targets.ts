// Fuzz targets (every experiment and stdlib file, each with the entry that compiles it), the crash corpus
// location and format, and the CLI-level oracle. Shared by bench/fuzz.ts and test/fuzz/corpus.test.ts.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { LINE_LIMIT, type Failure } from './oracle.ts';

export const CORPUS_DIR = fileURLToPath(new URL('../fixtures/fuzz-crashes', import.meta.url));

/** One saved failing case (a JSON file in CORPUS_DIR); replayed by the suite, which expects no failure now. */
export interface CorpusEntry {
  mode: 'compile' | 'fmt' | 'cli' | 'index';
  entry: string;
  victim: string;
  text: string;
  /** Instead of `text` for a mutant over 16 KB: its UTF-8 bytes gzipped, base64. */
  textGz?: string;
  profile?: string;
  command?: CliCommand;
  /** index mode: the file's bytes (base64) and name. */
  media?: { name: string; base64: string };
  property: string;
  detail: string;
  seed: number;
  case: number;
  kinds: string[];
  /** What was wrong and which commit fixed it (written by hand after the fix). */
  fixed?: string;
}

/** The mutant's text, whichever way it was stored. */
export const corpusText = (e: CorpusEntry): string => (e.textGz !== undefined ? gunzipSync(Buffer.from(e.textGz, 'base64')).toString('utf8') : e.text);

/** `e` ready to write: a long text gzipped. */
export function packEntry(e: CorpusEntry): CorpusEntry {
  if (e.text.length <= 16_384) return e;
  const { text, ...rest } = e;
  return { ...rest, text: '', textGz: gzipSync(Buffer.from(text, 'utf8'), { level: 9 }).toString('base64') };
}

export interface Target { entry: string; victim: string }

/** Every experiment (compiled as itself) and every stdlib file (compiled through an experiment that imports it). */
export function targets(root: string): Target[] {
  const out: Target[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (f.isDirectory()) walk(`${dir}/${f.name}`);
      else if (f.name.endsWith('.lssd')) out.push({ entry: `${dir}/${f.name}`, victim: `${dir}/${f.name}` });
    }
  };
  walk('experiments');
  out.push({ entry: 'test/cases/check/grid-cells.lssd', victim: 'test/cases/check/grid-cells.lssd' });
  const via: Record<string, string> = { paper: 'experiments/A4.lssd', controlled: 'experiments/controlled/AUD.lssd', profiles: 'experiments/quickstart.lssd' };
  for (const f of readdirSync(join(root, 'stdlib')).filter((x) => x.endsWith('.lssd')).sort()) {
    const name = f.replace(/\.lssd$/, '');
    out.push({ entry: via[name] ?? 'experiments/quickstart.lssd', victim: `stdlib/${f}` });
  }
  return out;
}

/** The path the compiler asks the host for when it reads `victim` (stdlib files through stdlibDir). */
export const victimPath = (victim: string, stdlibDir: string) => (victim.startsWith('stdlib/') ? join(stdlibDir, victim.slice(7)) : victim);

export type CliCommand = 'check' | 'fmt' | 'show' | 'check-json';

const RAW_ESC = /[\u0000-\u0008\u000b-\u001f\u007f-\u009b]/;

/**
 * Runs the real CLI on a mutant written into a scratch copy of experiments/ (so its relative imports
 * resolve): exit 0/1/2 only, no "internal error", stderr bounded (lines ≤ LINE_LIMIT, ≤ 256 KiB) and
 * free of raw control characters (NO_COLOR), `--json` output one JSON object per line.
 */
export function cliCase(o: { root: string; tmp: string; victim: string; text: string; command: CliCommand; sources?: boolean }): Failure[] {
  const proj = join(o.tmp, 'proj');
  if (!existsSync(join(proj, 'package.json'))) {
    mkdirSync(proj, { recursive: true });
    writeFileSync(join(proj, 'package.json'), '{}\n');
    cpSync(join(o.root, 'experiments'), join(proj, 'experiments'), { recursive: true });
  }
  const file = join(proj, o.victim);
  writeFileSync(file, o.text);
  try { return runCli(o, proj); } finally { cpSync(join(o.root, o.victim), file); }
}

function runCli(o: { root: string; victim: string; command: CliCommand; sources?: boolean }, proj: string): Failure[] {
  const argv = o.command === 'check' ? ['check', o.victim] : o.command === 'fmt' ? ['fmt', '--check', o.victim]
    : o.command === 'show' ? ['show', '--hash', o.victim] : ['check', '--json', o.victim];
  const res = spawnSync(process.execPath, [join(o.root, 'bin/lssdc.js'), ...argv], {
    cwd: proj, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...(o.sources ? { LSSD_SOURCES: '1' } : {}) },
  });
  const out: Failure[] = [];
  const name = `${o.command} ${basename(o.victim)}`;
  if (res.error) { out.push({ property: 'cli-exit', detail: `${name}: ${res.error.message}` }); return out; }
  if (![0, 1, 2].includes(res.status ?? -1)) out.push({ property: 'cli-exit', detail: `${name}: exit ${res.status ?? res.signal}: ${(res.stderr ?? '').split('\n').slice(0, 3).join(' | ').slice(0, 300)}` });
  const all = (res.stdout ?? '') + (res.stderr ?? '');
  if (/internal error|this is a bug/i.test(all)) out.push({ property: 'no-internal-error', detail: `${name}: ${all.slice(all.search(/internal error|this is a bug/i), 300)}` });
  const err = res.stderr ?? '';
  if (err.length > 256 << 10) out.push({ property: 'bounded', detail: `${name}: ${err.length} bytes on stderr` });
  const long = err.split('\n').find((l) => l.length > LINE_LIMIT);
  if (long) out.push({ property: 'bounded', detail: `${name}: a stderr line of ${long.length} characters` });
  if (RAW_ESC.test(err)) out.push({ property: 'escaped', detail: `${name}: raw control character U+${err.charCodeAt(err.search(RAW_ESC)).toString(16)} on stderr` });
  if (o.command === 'check-json') {
    // `check --json` prints one JSON object (pretty-printed); a stream would be one object per line.
    const text = res.stdout ?? '';
    let whole = false;
    try { JSON.parse(text); whole = true; } catch { /* not one object: try lines */ }
    if (!whole) {
      for (const l of text.split('\n').filter(Boolean)) {
        try { JSON.parse(l); } catch { out.push({ property: 'json', detail: `${name}: stdout is not JSON: ${l.slice(0, 120)}` }); break; }
      }
    }
  }
  return out;
}
