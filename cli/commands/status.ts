// `lssdc status FILE`: where each cell of a file submitted with `--executor slurm` stands — job id,
// state (pending / running / requeued / done / failed / interrupted / cancelled), node, step and last
// loss — from squeue (sacct where accounting is on) and the cells' run directories.
import { resolve } from 'node:path';
import type { Command } from '../main.ts';
import { directoryProblem, parseArgs, printDiagnostics, usageError, useColor, wantsJson } from '../args.ts';
import { prepareForCluster } from '../cluster.ts';
import { compileOptions, PROFILE_ARGS, PROFILE_USAGE } from '../profile-flags.ts';

const USAGE = `usage: lssdc status FILE.lssd [options]

The cluster state of every cell of FILE submitted with \`lssdc run FILE --executor slurm\`: job id, state,
node, training step and last loss. Exit status: 0 when every cell is done, 3 while any is pending,
running or requeued, 1 when any failed, was interrupted or cancelled (or on errors), 2 usage.

options:
  --root DIR   where the runs live (as given to \`lssdc run\`; default: <project>/.lssd)
  --json       one JSON object: { cells: [...] }
${PROFILE_USAGE}
Cells submitted are followed in the run directories their submission recorded; the profile only matters
for cells not submitted yet.`;

export const command: Command = {
  name: 'status',
  summary: 'cluster state of a file\'s cells submitted with --executor slurm (job, state, node, step, loss)',
  usage: USAGE,
  async run(args) {
    const p = parseArgs(args, { flags: ['--json', '--no-color'], values: ['--root', ...PROFILE_ARGS.values], repeat: [...PROFILE_ARGS.repeat], aliases: { '--runs-dir': '--root' } });
    if (typeof p === 'string') return usageError(args, USAGE, p);
    if (p.positional.length !== 1) return usageError(args, USAGE, p.positional.length ? 'one FILE at a time' : 'missing FILE');
    const dirProblem = directoryProblem(p.positional[0], 'file');
    if (dirProblem) return usageError(args, USAGE, dirProblem);
    const json = wantsJson(args);
    const color = useColor(process.stderr, p.flags.has('--no-color'));
    const file = resolve(p.positional[0]);
    const prep = await prepareForCluster(file, p.values.get('--root'), compileOptions(p, file));
    if (!prep.value) { printDiagnostics(json, prep.diagnostics, prep.sources, color); return 1; }
    const slurm = await import('../../executors/slurm/index.ts');
    const st = slurm.cellStatuses(prep.value.prepared, prep.value.root);
    if (st.diagnostics.length) printDiagnostics(json, st.diagnostics, prep.sources, color);
    if (!st.value) return 1;
    if (json) process.stdout.write(JSON.stringify({ type: 'slurm-status', file: prep.value.prepared.file, cells: st.value }) + '\n');
    else process.stdout.write(slurm.formatStatus(st.value) + '\n');
    const states = new Set(st.value.map((c) => c.state));
    if (['failed', 'interrupted', 'cancelled', 'not submitted'].some((s) => states.has(s as never))) return 1;
    if (['pending', 'running', 'requeued'].some((s) => states.has(s as never))) return 3;
    return 0;
  },
};
