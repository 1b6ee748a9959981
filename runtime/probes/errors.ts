// User-facing failures of the probe stage (bad task directories, missing runs, unsupported task kinds).
// They carry a diagnostic (code LSSD54xx, the offending path, a hint) so commands print them as
// diagnostics instead of stack traces. Codes (catalogued in compiler/messages-runtime.ts, `PROBE`):
//   LSSD5401 task directory missing or unreadable          LSSD5402 task_metadata.json invalid
//   LSSD5403 fold / split file missing or invalid           LSSD5404 label not in labelvocabulary.csv
//   LSSD5405 unsupported HEAR task kind (event/timestamp)    LSSD5406 audio/video clip missing
//   LSSD5407 no encoder / checkpoint in the run directory    LSSD5408 split empty (nothing to train or test on)
//   LSSD5409 probe settings invalid (empty grid, bad sizes)  LSSD5410 report input invalid (no runs / no results)
//   LSSD5411 template failed to compile or render
import type { Diagnostic } from '../../compiler/diagnostic.ts';
import { PROBE } from '../../compiler/messages-runtime.ts';

export { PROBE };

export type ProbeCode = (typeof PROBE)[keyof typeof PROBE]['code'];

export class ProbeError extends Error {
  constructor(readonly code: ProbeCode, message: string, readonly path?: string, readonly hint?: string) {
    super(message);
    this.name = 'ProbeError';
  }

  toDiagnostic(): Diagnostic {
    return {
      code: this.code,
      severity: 'error',
      message: this.path ? `${this.message} (${this.path})` : this.message,
      related: [],
      ...(this.hint ? { hint: this.hint } : {}),
    };
  }
}

export const isProbeError = (e: unknown): e is ProbeError => e instanceof ProbeError;
