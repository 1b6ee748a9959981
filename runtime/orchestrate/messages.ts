// Runtime diagnostics raised by orchestration (`lssdc run`). LSSD58xx is this module's block of the
// runtime range (5xxx); data (M2) and training (T) use their own blocks. Catalogued in
// compiler/messages-runtime.ts (`RUN`).
import type { Diagnostic } from '../../compiler/diagnostic.ts';
import { RUN } from '../../compiler/messages-runtime.ts';
import type { LockInfo } from './lock.ts';

const owner = (h: LockInfo) => (h.experiment ? `, running ${h.experiment}${h.file ? ` of ${h.file}` : ''}` : '');

export const RunMessages = {
  externalCatalog: (exp: string, catalog: string, file?: string): Diagnostic => ({
    code: RUN.externalCatalog.code, severity: 'error', related: [],
    message: `experiment '${exp}' trains on the external catalog '${catalog}', which exists only at the paper's scale and is not on this machine`,
    hint: `run it at CPU scale on the embedded corpus: \`npx lssdc run ${file ?? 'FILE'} --profile cpu\`; or bind the catalog to your own library: \`--catalog ${catalog}=DIR\` (a directory \`lssdc data index\` indexes, or its .jsonl catalog), or in lssd.project (docs/language.md §4.5–4.6)`,
  }),
  locked: (dir: string, holder: LockInfo): Diagnostic => ({
    code: RUN.locked.code, severity: 'error', related: [],
    message: `run directory ${dir} is in use by another lssdc run (pid ${holder.pid} on ${holder.host}, since ${holder.started}${owner(holder)})`,
    hint: 'one process trains a checkpoint at a time: pass --wait to wait for the other run (then only probe), wait for it to finish, or stop it (Ctrl-C checkpoints) and re-run to resume',
  }),
  /** Shown (as a warning event) while --wait waits for another process's lock. */
  waiting: (exp: string, dir: string, holder: LockInfo): string =>
    `${exp}: waiting for pid ${holder.pid} on ${holder.host} (since ${holder.started}${owner(holder)}), which holds ${dir}; it trains the same pretraining`,
  storeCollision: (exp: string, dir: string, mine: string, theirs: string): Diagnostic => ({
    code: RUN.storeCollision.code, severity: 'error', related: [],
    message: `experiment '${exp}' maps to ${dir}, which holds pretrain hash ${theirs}, not ${mine} (the first 12 hex digits coincide)`,
    hint: 'move that directory aside (or `lssdc gc` it) and re-run; nothing of it was touched',
  }),
  gcSkipped: (dir: string, reason: string): Diagnostic => ({
    code: RUN.gcSkipped.code, severity: 'warning', related: [],
    message: `kept ${dir}: ${reason}`,
  }),
  sharedFailed: (exp: string, other: string): Diagnostic => ({
    code: RUN.sharedFailed.code, severity: 'error', related: [],
    message: `experiment '${exp}' has the same pretraining as '${other}', which did not finish; '${exp}' was not run`,
    hint: `both map to one checkpoint (only names, labels or probes differ); fix '${other}' and re-run`,
  }),
  staleLock: (dir: string, holder: { pid: number; host: string; started: string }): Diagnostic => ({
    code: RUN.staleLock.code, severity: 'warning', related: [],
    message: `took over a stale lock on ${dir} left by pid ${holder.pid} (started ${holder.started}), which is no longer running`,
  }),
  unknownCell: (name: string, known: string[], guess?: string): Diagnostic => ({
    code: RUN.unknownCell.code, severity: 'error', related: [],
    message: `--cell '${name}' names no experiment in this file`,
    hint: guess ? `did you mean '${guess}'?` : `experiments here: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''}`,
  }),
  parentFailed: (exp: string, parent: string): Diagnostic => ({
    code: RUN.parentFailed.code, severity: 'error', related: [],
    message: `experiment '${exp}' is initialised from '${parent}', which did not finish; '${exp}' was not run`,
    hint: `fix '${parent}' and re-run; finished cells are kept and skipped`,
  }),
  cellFailed: (exp: string, reason: string): Diagnostic => ({
    code: RUN.cellFailed.code, severity: 'error', related: [],
    message: `experiment '${exp}' failed: ${reason}`,
    hint: 're-run to resume from its last checkpoint; LSSD_DEBUG=1 shows the stack trace',
  }),
  badFlag: (flag: string, value: string, expected: string): Diagnostic => ({
    code: RUN.badFlag.code, severity: 'error', related: [],
    message: `${flag} expects ${expected}, got '${value}'`,
  }),
  noExperiments: (file: string): Diagnostic => ({
    code: RUN.noExperiments.code, severity: 'error', related: [],
    message: `${file} declares no experiment to run`,
    hint: 'declare an `experiment` or a `grid` in this file; presets and imports alone do not run',
  }),
  lineageCycle: (names: string[]): Diagnostic => ({
    code: RUN.lineageCycle.code, severity: 'error', related: [],
    message: `experiments initialise from each other in a cycle: ${names.join(' → ')}`,
  }),
};
