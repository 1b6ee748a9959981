// `lssdc doctor`: the backend `auto` picks here, why the others are unavailable, and how to fix each
// problem (runtime/doctor). Exit 0 when nothing is wrong or only warnings, 1 when a problem is an error
// (e.g. no native backend), 2 on usage errors.
import type { Command } from '../main.ts';
import { parseArgs, usageError } from '../args.ts';
import { diagnose, realProbes, renderReport } from '../../runtime/doctor/index.ts';

const USAGE = `usage: lssdc doctor [--json]

Report what training will run on: the backend runtime.backend = auto picks and why the others are
unavailable, the TensorFlow version, threads (wasm: the XNNPACK threads a run takes and why, the cores
available to it by default or LSSD_WASM_THREADS, and whether the threaded build starts here), CPU
features, GPU devices, the native-backend cache (location and size), what npm install's provisioning
did (provision/README.md), and a fix for each problem. Exit 1 when a problem is an error (no native backend), else 0.

options:
  --json    the report as one JSON object on stdout`;

export const command: Command = {
  name: 'doctor',
  summary: 'which backend training uses here, what is missing, how to fix it',
  usage: USAGE,
  async run(args) {
    const p = parseArgs(args, { flags: ['--json'] });
    if (typeof p === 'string') return usageError(args, USAGE, p);
    if (p.positional.length) return usageError(args, USAGE, `doctor takes no operands (got '${p.positional[0]}')`);
    const report = await diagnose(realProbes());
    if (p.flags.has('--json')) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else process.stdout.write(renderReport(report) + '\n');
    return report.problems.some((x) => x.severity === 'error') ? 1 : 0;
  },
};
