// Diagnostics of the synthetic-corpus generator (LSSD502x, beside runtime/media's LSSD500x/501x).
import { LssdError, DataCodes } from '../errors.ts';

export const SynthCodes = {
  /** Bad argument to `data synth` / `synthesize()` (shared with the other data commands). */
  badArgument: DataCodes.badArgument,
  /** The optional dependency @echogarden/espeak-ng-emscripten is not installed or fails to load. */
  espeakMissing: 'LSSD5020',
  /** A language the generator has no voice and sentence bank for. */
  unsupportedLanguage: 'LSSD5021',
  /** ffmpeg failed while rendering a title or a probe clip set. */
  renderFailed: 'LSSD5022',
  /** The corpus directory exists but does not belong to these parameters, or cannot be written. */
  corpusConflict: 'LSSD5023',
  /** Another process is generating the same corpus and did not finish in time. */
  corpusLocked: 'LSSD5024',
  /** Generation was interrupted (signal); finished titles are kept and a re-run resumes. */
  interrupted: 'LSSD5025',
} as const;

export { LssdError };

export function synthError(code: string, message: string, opts: { hint?: string; path?: string } = {}): LssdError {
  return new LssdError(code, message, opts);
}
