// Training-side user errors: LSSD53xx (runtime/train), catalogued in compiler/messages-runtime.ts
// (`TRAIN`). They extend the runtime's LssdError so every command prints them as one-line diagnostics,
// never stack traces.
import { TRAIN, WASM } from '../../compiler/messages-runtime.ts';
import { LssdError } from '../media/errors.ts';

export const TrainCodes = {
  backendUnavailable: TRAIN.backendUnavailable.code,
  shapeMismatch: TRAIN.shapeMismatch.code,
  badCheckpoint: TRAIN.badCheckpoint.code,
  foreignCheckpoint: TRAIN.foreignCheckpoint.code,
  noParentCheckpoint: TRAIN.noParentCheckpoint.code,
  selftestFailed: TRAIN.selftestFailed.code,
  nonFinite: TRAIN.nonFinite.code,
  badPlan: TRAIN.badPlan.code,
  badWasmThreads: WASM.badThreads.code,
  badJobs: WASM.badJobs.code,
} as const;

export type TrainCode = (typeof TrainCodes)[keyof typeof TrainCodes];

export class TrainError extends LssdError {
  constructor(code: TrainCode, message: string, opts: { hint?: string; path?: string } = {}) {
    super(code, message, opts);
    this.name = 'TrainError';
  }
}
