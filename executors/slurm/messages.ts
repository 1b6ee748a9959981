// Diagnostics of the SLURM executor (LSSD586x, catalogued in compiler/messages-runtime.ts as `EXEC`).
import type { Diagnostic, Severity } from '../../compiler/diagnostic.ts';
import { EXEC } from '../../compiler/messages-runtime.ts';

const d = (m: { code: string; severity: Severity }, message: string, hint?: string): Diagnostic =>
  ({ code: m.code, severity: m.severity, related: [], message, ...(hint ? { hint } : {}) });

export const ExecMessages = {
  noSlurm: (cmd: string, why: string) => d(EXEC.noSlurm, `'${cmd}' failed: ${why}`,
    'run on a SLURM login node (sbatch, squeue and scancel on PATH, SLURM_CONF set if your site needs it), or use --executor local; executors/slurm/dev-cluster.sh starts a one-node cluster for trying it'),
  submitFailed: (why: string) => d(EXEC.submitFailed, `sbatch refused the job array: ${why}`,
    'check the executor settings (runtime.slurm.* or --slurm KEY=VALUE: partition, account, qos, time); `--dry-run` prints the scripts'),
  badSetting: (what: string, hint?: string) => d(EXEC.badSetting, what, hint),
  noSubmission: (file: string) => d(EXEC.noSubmission, `no SLURM submission recorded for ${file} under this root`,
    `submit it with \`lssdc run ${file} --executor slurm\` (the same --root)`),
  alreadyQueued: (cell: string, task: string, state: string) => d(EXEC.alreadyQueued,
    `'${cell}' is already on the cluster as ${task} (${state.toLowerCase()}): not submitted again`, `\`lssdc cancel\` first to resubmit it`),
  parentQueued: (cell: string, parent: string, task: string) => d(EXEC.parentQueued,
    `'${cell}' initialises from '${parent}', still on the cluster as ${task}: submitted now, it could start before its parent's checkpoint exists`,
    `submit '${cell}' once '${parent}' is done (\`lssdc status\` shows it), or \`lssdc cancel\` and resubmit both together`),
  noAccounting: () => d(EXEC.noAccounting, 'SLURM accounting is disabled on this cluster: states of tasks that left the queue come from their run directories'),
};
