// `lssdc data index DIR` | `lssdc data synth …` | `lssdc data stats DIR`: media ingest from the command line.
import { resolve } from 'node:path';
import type { Command } from '../main.ts';
import type { CatalogTitle } from '../../runtime/contracts.ts';
import { indexDirectory, type IndexOptions, type IndexSummary } from '../../runtime/media/index.ts';
import { boundShots } from '../../runtime/media/shots.ts';
import { DataCodes, isLssdError, LssdError } from '../../runtime/media/errors.ts';
import { SYNTH_USAGE } from '../../runtime/media/synth/cli.ts';

const USAGE = `usage: lssdc data <subcommand> [options]

subcommands:
  index DIR   ffprobe every media file under DIR, segment shots, write the catalog (JSON Lines) under
              <data-dir>/catalogs/; incremental on re-run. Bad files get one line each and are skipped.
  synth ...   generate the synthetic dub corpus (see \`lssdc data synth --help\`)
  stats DIR   catalog statistics for DIR (indexes it first if needed)

options (index, stats):
  --data-dir PATH        the .lssd directory (default ./.lssd)
  --method scene|sidecar cut detection (default scene; a <name>.cuts.json sidecar always wins)
  --threshold X          scene-change threshold in (0,1) (default 0.3)
  --original first|LANG  original language where tracks carry no 'original' title tag (default first)
  --min S --max S        shot length bounds for the reported counts (default 3 and 12)
  --json                 print the summary as JSON

` + SYNTH_USAGE.replace(/^usage: /, '');

interface Parsed { positional: string[]; flags: Record<string, string | true> }

function parse(args: string[]): Parsed | string {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  const valued = new Set(['--data-dir', '--method', '--threshold', '--original', '--min', '--max']);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const [k, v] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
      if (valued.has(k)) {
        const val = v ?? args[++i];
        if (val === undefined) return `option ${k} needs a value`;
        flags[k] = val;
      } else if (k === '--json') flags[k] = true;
      else return `unknown option '${k}'`;
    } else positional.push(a);
  }
  return { positional, flags };
}

function num(flags: Parsed['flags'], k: string, def: number): number {
  const v = flags[k];
  if (v === undefined) return def;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n)) throw new LssdError(DataCodes.badArgument, `${k} expects a number, got '${String(v)}'`);
  return n;
}

function indexOptions(p: Parsed): IndexOptions {
  const method = (p.flags['--method'] ?? 'scene') as string;
  if (method !== 'scene' && method !== 'sidecar') throw new LssdError(DataCodes.badArgument, `--method expects scene or sidecar, got '${method}'`);
  return {
    root: resolve(String(p.flags['--data-dir'] ?? '.lssd')),
    method, threshold: num(p.flags, '--threshold', 0.3),
    original: p.flags['--original'] as string | undefined,
    bounds: { min: num(p.flags, '--min', 3), max: num(p.flags, '--max', 12) },
  };
}

function summaryLines(s: IndexSummary): string[] {
  const byCode = new Map<string, number>();
  for (const x of s.skipped) byCode.set(x.code, (byCode.get(x.code) ?? 0) + 1);
  return [
    `indexed ${s.dir}: ${s.titles.length} titles from ${s.files} files (${s.indexed} probed, ${s.reused} unchanged) in ${s.seconds.toFixed(1)} s`,
    `  shots: ${s.shots.total} total, ${s.shots.inBounds} within bounds, ${s.shots.tooShort} too short, ${s.shots.tooLong} too long`,
    `  skipped: ${s.skipped.length} file(s)${byCode.size ? ' (' + [...byCode].map(([c, n]) => `${c} ×${n}`).join(', ') + ')' : ''}; ${s.undTracks} untagged audio stream(s) ignored`,
    `  catalog: ${s.catalogPath}`,
  ];
}

export function catalogStats(titles: CatalogTitle[], bounds: { min: number; max: number }) {
  const langs: Record<string, number> = {};
  const orig: Record<string, number> = {};
  let dubs = 0;
  for (const t of titles) {
    orig[t.originalLanguage] = (orig[t.originalLanguage] ?? 0) + 1;
    for (const a of t.audio) langs[a.language] = (langs[a.language] ?? 0) + 1;
    dubs += t.audio.filter((a) => a.role === 'dub').length;
  }
  const shots = titles.flatMap((t) => t.shots);
  const b = boundShots(shots, bounds.min, bounds.max);
  const hist: Record<string, number> = {};
  for (const s of shots) { const k = String(Math.min(20, Math.floor(s.end - s.start))); hist[k] = (hist[k] ?? 0) + 1; }
  return {
    titles: titles.length, hours: titles.reduce((a, t) => a + t.duration, 0) / 3600,
    avgDubs: titles.length ? dubs / titles.length : 0, originalLanguages: orig, trackLanguages: langs,
    shots: shots.length, shotsInBounds: b.kept.length, tooShort: b.tooShort, tooLong: b.tooLong,
    shotLengthHistogram: hist,
  };
}

async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub) { process.stderr.write(USAGE + '\n'); return 2; }
  if (sub === 'synth') {
    const { runSynthCli } = await import('../../runtime/media/synth/cli.ts');
    return runSynthCli(rest);
  }
  if (sub !== 'index' && sub !== 'stats') { process.stderr.write(`error: unknown subcommand 'data ${sub}'\n\n${USAGE}\n`); return 2; }
  const p = parse(rest);
  if (typeof p === 'string') { process.stderr.write(`error: ${p}\n\n${USAGE}\n`); return 2; }
  if (p.positional.length !== 1) { process.stderr.write(`error: 'data ${sub}' takes one directory, got ${p.positional.length}\n\n${USAGE}\n`); return 2; }
  try {
    const o = indexOptions(p);
    const tty = process.stderr.isTTY && !p.flags['--json'];
    const s = await indexDirectory(p.positional[0], {
      ...o,
      events: {
        onWarning: (w) => process.stderr.write((tty ? '\r\x1b[K' : '') + w + '\n'),
        onProgress: (e) => { if (tty) process.stderr.write(`\r\x1b[K${e.phase} ${e.done}/${e.total} ${e.detail ?? ''}`); },
      },
    });
    if (tty) process.stderr.write('\r\x1b[K');
    if (sub === 'index') {
      if (p.flags['--json']) process.stdout.write(JSON.stringify({ ...s, titles: s.titles.length }, null, 2) + '\n');
      else process.stdout.write(summaryLines(s).join('\n') + '\n');
    } else {
      const st = catalogStats(s.titles, o.bounds!);
      if (p.flags['--json']) process.stdout.write(JSON.stringify(st, null, 2) + '\n');
      else {
        const fmt = (r: Record<string, number>) => Object.entries(r).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
        process.stdout.write([
          `${st.titles} titles, ${st.hours.toFixed(2)} h, ${st.avgDubs.toFixed(2)} dubs per title on average`,
          `original languages: ${fmt(st.originalLanguages)}`,
          `audio tracks: ${fmt(st.trackLanguages)}`,
          `shots: ${st.shots} (${st.shotsInBounds} within ${o.bounds!.min}..${o.bounds!.max} s, ${st.tooShort} shorter, ${st.tooLong} longer)`,
          `shot lengths (s): ${Object.entries(st.shotLengthHistogram).sort((a, b) => Number(a[0]) - Number(b[0])).map(([k, v]) => `${k === '20' ? '20+' : k}:${v}`).join(' ')}`,
        ].join('\n') + '\n');
      }
    }
    return 0;
  } catch (e) {
    if (isLssdError(e)) { process.stderr.write(e.line() + '\n'); return e.code === DataCodes.badArgument ? 2 : 1; }
    throw e;
  }
}

export const command: Command = { name: 'data', summary: 'index media, generate the synthetic corpus, catalog statistics', usage: USAGE, run };
