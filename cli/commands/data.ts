// `lssdc data index DIR` | `lssdc data synth …` | `lssdc data stats DIR`: media ingest from the command line.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from '../main.ts';
import type { CatalogTitle } from '../../runtime/contracts.ts';
import { indexDirectory, notIndexedLine, type IndexOptions, type IndexSummary } from '../../runtime/media/index.ts';
import { boundShots } from '../../runtime/media/shots.ts';
import { DataCodes, isLssdError, LssdError } from '../../runtime/media/errors.ts';
import { SYNTH_USAGE } from '../../runtime/media/synth/cli.ts';
import { corpusKnobSummary, knobLines } from '../../runtime/media/synth/knobs.ts';
import { corpusDubbingSummary, dubbingLines } from '../../runtime/media/synth/dubbing.ts';
import { defaultRoot } from '../../runtime/paths.ts';
import { nearest } from '../../compiler/messages.ts';
import { directoryProblem, numberOption, parseArgs, usageError, wantsJson, type ParsedArgs } from '../args.ts';

const USAGE = `usage: lssdc data <subcommand> [options]

subcommands:
  index DIR   ffprobe every media file under DIR (each real directory once; media decided by name and
              content; byte-identical copies indexed once), segment shots, write the catalog (JSON Lines)
              under <data-dir>/catalogs/; incremental on re-run. Bad files get one line each and are
              skipped; what is not media is counted by reason.
  synth ...   generate the synthetic dub corpus (see \`lssdc data synth --help\`)
  stats DIR   catalog statistics for DIR (indexes it first if needed); for a synthetic corpus also its
              generator knobs and the confound strengths its ground truth shows, and its dubbing knobs
              (voice match, loudness, EQ match, room) with what the truth measured

options (index, stats):
  --root DIR             where data, features and runs live (default: <project>/.lssd; --data-dir is the same)
  --method scene|sidecar cut detection (default scene; a <name>.cuts.json sidecar always wins)
  --threshold X          scene cuts: a cut changes the picture 10·X times more than the frames around
                         it, X in (0,1) (default 0.3; lower finds more cuts; docs/ingest.md)
  --original first|LANG  original language where tracks carry no 'original' title tag (default first)
  --min S --max S        shot length bounds for the reported counts (default 3 and 12)
  --json                 print the summary as JSON

` + SYNTH_USAGE.replace(/^usage: /, '');

const INDEX_ARGS = { flags: ['--json'], values: ['--root', '--method', '--threshold', '--original', '--min', '--max'], aliases: { '--data-dir': '--root' } } as const;

function num(p: ParsedArgs, k: string, def: number): number {
  const n = numberOption(p, k);
  if (typeof n === 'string') throw new LssdError(DataCodes.badArgument, n);
  return n ?? def;
}

function indexOptions(p: ParsedArgs): IndexOptions {
  const method = p.values.get('--method') ?? 'scene';
  if (method !== 'scene' && method !== 'sidecar') throw new LssdError(DataCodes.badArgument, `--method expects scene or sidecar, got '${method}'`);
  const bounds = { min: num(p, '--min', 3), max: num(p, '--max', 12) };
  if (bounds.min < 0 || bounds.max <= bounds.min) {
    throw new LssdError(DataCodes.badArgument, `shot bounds --min ${bounds.min} --max ${bounds.max}: need 0 ≤ min < max (seconds)`);
  }
  return {
    root: resolve(p.values.get('--root') ?? defaultRoot(process.cwd())),
    method, threshold: num(p, '--threshold', 0.3),
    original: p.values.get('--original'),
    bounds,
  };
}

/** `lssdc data synth ARGS…`: parsed here, run by runtime/media/synth/cli.ts. */
export async function runSynthCli(argv: string[]): Promise<number> {
  const { SYNTH_OPTIONS, synthArgs, synthUsageError, runSynth } = await import('../../runtime/media/synth/cli.ts');
  const p = parseArgs(argv, { flags: ['--json'], values: SYNTH_OPTIONS, aliases: { '--root': '--data-dir' } });
  const a = typeof p === 'string' ? p
    : p.positional.length ? `unexpected argument '${p.positional[0]}'`
      : synthArgs(p.values, p.flags.has('--json'));
  if (typeof a === 'string') {
    if (wantsJson(argv)) return usageError(argv, SYNTH_USAGE, a);
    process.stderr.write(synthUsageError(a)); return 2;
  }
  if (typeof p !== 'string' && !p.values.has('--data-dir')) a.dataDir = defaultRoot(process.cwd());
  return runSynth(a);
}

function summaryLines(s: IndexSummary): string[] {
  const byCode = new Map<string, number>();
  for (const x of s.skipped) byCode.set(x.code, (byCode.get(x.code) ?? 0) + 1);
  return [
    `indexed ${s.dir}: ${s.titles.length} titles from ${s.files} files (${s.indexed} probed, ${s.reused} unchanged) in ${s.seconds.toFixed(1)} s`,
    `  shots: ${s.shots.total} total, ${s.shots.inBounds} within bounds, ${s.shots.tooShort} too short, ${s.shots.tooLong} too long`,
    `  skipped: ${s.skipped.length} file(s)${byCode.size ? ' (' + [...byCode].map(([c, n]) => `${c} ×${n}`).join(', ') + ')' : ''}; ${s.undTracks} untagged audio stream(s) ignored`,
    ...(s.duplicates.length ? [`  duplicates: ${s.duplicates.reduce((a, d) => a + d.others.length, 0)} byte-identical copies of ${s.duplicates.length} title(s) not indexed (${DataCodes.duplicateMedia})`] : []),
    ...(s.ignored.length ? [`  not media: ${s.ignored.map((g) => `${g.count} ${g.reason}`).join(', ')} (${DataCodes.notIndexed} on stderr)`] : []),
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
  if (!sub) return usageError(args, USAGE, 'missing subcommand (index, synth or stats)');
  if (sub === 'synth') {
    if (rest.includes('--help') || rest.includes('-h')) { process.stdout.write(SYNTH_USAGE + '\n'); return 0; }
    return runSynthCli(rest);
  }
  if (sub !== 'index' && sub !== 'stats') {
    const guess = nearest(sub, ['index', 'synth', 'stats']);
    return usageError(args, USAGE, `unknown subcommand 'data ${sub}'`, guess ? `did you mean 'data ${guess}'?` : undefined);
  }
  const p = parseArgs(rest, INDEX_ARGS);
  if (typeof p === 'string') return usageError(args, USAGE, p);
  if (p.positional.length !== 1) return usageError(args, USAGE, `'data ${sub}' takes one directory, got ${p.positional.length}`);
  const dirProblem = directoryProblem(p.positional[0], 'file-or-dir');
  if (dirProblem) return usageError(args, USAGE, dirProblem);
  try {
    const o = indexOptions(p);
    const tty = process.stderr.isTTY && !p.flags.has('--json');
    const s = await indexDirectory(p.positional[0], {
      ...o,
      events: {
        onWarning: (w) => process.stderr.write((tty ? '\r\x1b[K' : '') + w + '\n'),
        onProgress: (e) => { if (tty) process.stderr.write(`\r\x1b[K${e.phase} ${e.done}/${e.total} ${e.detail ?? ''}`); },
      },
    });
    if (tty) process.stderr.write('\r\x1b[K');
    const info = notIndexedLine(s);
    if (info && sub === 'index') process.stderr.write(info + '\n');
    if (sub === 'index') {
      if (p.flags.has('--json')) process.stdout.write(JSON.stringify({ ...s, titles: s.titles.length }, null, 2) + '\n');
      else process.stdout.write(summaryLines(s).join('\n') + '\n');
    } else {
      const st = catalogStats(s.titles, o.bounds!);
      // a synthetic corpus (corpus.json + truth/): the knobs it was generated with, measured back from its truth
      const dir = resolve(p.positional[0]);
      const generator = existsSync(join(dir, 'corpus.json')) && existsSync(join(dir, 'truth')) ? corpusKnobSummary(dir) : null;
      const dubbing = generator ? corpusDubbingSummary(dir) : null;
      if (p.flags.has('--json')) process.stdout.write(JSON.stringify(generator ? { ...st, generator, ...(dubbing ? { dubbing } : {}) } : st, null, 2) + '\n');
      else {
        const fmt = (r: Record<string, number>) => Object.entries(r).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
        process.stdout.write([
          `${st.titles} titles, ${st.hours.toFixed(2)} h, ${st.avgDubs.toFixed(2)} dubs per title on average`,
          `original languages: ${fmt(st.originalLanguages)}`,
          `audio tracks: ${fmt(st.trackLanguages)}`,
          `shots: ${st.shots} (${st.shotsInBounds} within ${o.bounds!.min}..${o.bounds!.max} s, ${st.tooShort} shorter, ${st.tooLong} longer)`,
          `shot lengths (s): ${Object.entries(st.shotLengthHistogram).sort((a, b) => Number(a[0]) - Number(b[0])).map(([k, v]) => `${k === '20' ? '20+' : k}:${v}`).join(' ')}`,
          ...(generator ? knobLines(generator).map((l) => `generator: ${l}`) : []),
          ...(dubbing ? dubbingLines(dubbing).map((l) => `dubbing: ${l}`) : []),
        ].join('\n') + '\n');
      }
    }
    return 0;
  } catch (e) {
    if (isLssdError(e)) {
      if (p.flags.has('--json')) process.stdout.write(JSON.stringify({ type: 'error', code: e.code, message: e.message }) + '\n');
      else process.stderr.write(e.line() + '\n');
      return e.code === DataCodes.badArgument ? 2 : 1;
    }
    throw e;
  }
}

export const command: Command = { name: 'data', summary: 'index media, generate the synthetic corpus, catalog statistics', usage: USAGE, run };
