// Diagnostics of the synthetic-corpus generator (LSSD502x, beside runtime/media's LSSD500x/501x),
// catalogued in compiler/messages-runtime.ts (`SYNTH`).
import { SYNTH } from '../../../compiler/messages-runtime.ts';
import { LssdError, DataCodes } from '../errors.ts';

export const SynthCodes = {
  /** Bad argument to `data synth` / `synthesize()` (shared with the other data commands). */
  badArgument: DataCodes.badArgument,
  espeakMissing: SYNTH.espeakMissing.code,
  unsupportedLanguage: SYNTH.unsupportedLanguage.code,
  renderFailed: SYNTH.renderFailed.code,
  corpusConflict: SYNTH.corpusConflict.code,
  corpusLocked: SYNTH.corpusLocked.code,
  interrupted: SYNTH.interrupted.code,
} as const;

export { LssdError };

export function synthError(code: string, message: string, opts: { hint?: string; path?: string } = {}): LssdError {
  return new LssdError(code, message, opts);
}
