// Training-side user errors: LSSD53xx (runtime/train). They extend the runtime's LssdError so every
// command prints them as one-line diagnostics, never stack traces.
//   LSSD5301 requested backend unavailable           LSSD5302 batch shape does not match the plan
//   LSSD5303 checkpoint unreadable / incomplete      LSSD5304 checkpoint belongs to another spec / model
//   LSSD5305 `init from` parent has no final checkpoint   LSSD5306 gradient self-test failed
//   LSSD5307 loss became NaN / infinite               LSSD5308 plan not runnable by this runtime
import { LssdError } from '../media/errors.ts';

export const TrainCodes = {
  backendUnavailable: 'LSSD5301',
  shapeMismatch: 'LSSD5302',
  badCheckpoint: 'LSSD5303',
  foreignCheckpoint: 'LSSD5304',
  noParentCheckpoint: 'LSSD5305',
  selftestFailed: 'LSSD5306',
  nonFinite: 'LSSD5307',
  badPlan: 'LSSD5308',
} as const;

export type TrainCode = (typeof TrainCodes)[keyof typeof TrainCodes];

export class TrainError extends LssdError {
  constructor(code: TrainCode, message: string, opts: { hint?: string; path?: string } = {}) {
    super(code, message, opts);
    this.name = 'TrainError';
  }
}
