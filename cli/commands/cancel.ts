// `lssdc cancel FILE`: scancel every job array of FILE's SLURM submissions that still has tasks queued
// or running (dependent arrays too, so no child waits forever on a cancelled parent). Running cells get
// SIGTERM from SLURM and checkpoint; a later `lssdc run` resumes them.
import { resolve } from 'node:path';
import type { Command } from '../main.ts';
import { directoryProblem, parseArgs, printDiagnostics, usageError, useColor, wantsJson } from '../args.ts';
import { defaultRoot } from '../../runtime/paths.ts';

const USAGE = `usage: lssdc cancel FILE.lssd [options]

Cancels the SLURM job arrays submitted for FILE by \`lssdc run FILE --executor slurm\` that are still
queued or running. Finished cells and their checkpoints are kept.

options:
  --root DIR   where the runs live (as given to \`lssdc run\`; default: <project>/.lssd)
  --json       one JSON object: { cancelled: [job ids] }`;

export const command: Command = {
  name: 'cancel',
  summary: 'cancel a file\'s SLURM job arrays that are still queued or running',
  usage: USAGE,
  async run(args) {
    const p = parseArgs(args, { flags: ['--json', '--no-color'], values: ['--root'], aliases: { '--runs-dir': '--root' } });
    if (typeof p === 'string') return usageError(args, USAGE, p);
    if (p.positional.length !== 1) return usageError(args, USAGE, p.positional.length ? 'one FILE at a time' : 'missing FILE');
    const dirProblem = directoryProblem(p.positional[0], 'file');
    if (dirProblem) return usageError(args, USAGE, dirProblem);
    const json = wantsJson(args);
    const file = resolve(p.positional[0]);
    const root = resolve(p.values.get('--root') ?? defaultRoot(file));
    const { cancelRun } = await import('../../executors/slurm/index.ts');
    const r = cancelRun(file, root);
    if (r.diagnostics.length) printDiagnostics(json, r.diagnostics, [], useColor(process.stderr, p.flags.has('--no-color')));
    if (!r.value) return 1;
    if (json) process.stdout.write(JSON.stringify({ type: 'slurm-cancel', cancelled: r.value }) + '\n');
    else process.stdout.write(r.value.length ? `cancelled job arrays ${r.value.join(', ')}\n` : 'nothing queued or running to cancel\n');
    return 0;
  },
};
