// Data-side errors: one line each (code, path, message, hint), never a stack trace. Codes are LSSD500x/501x
// (runtime/data), catalogued with severities and titles in compiler/messages-runtime.ts (`DATA`).
import { DATA, INGEST } from '../../compiler/messages-runtime.ts';
import { cleanText } from '../../compiler/render.ts';

/** One terminal line: control and bidi characters of a file name escaped (a name may hold anything), newlines too. */
export const oneLine = (s: string): string => cleanText(s).replace(/\n/g, '\\n');

export const DataCodes = {
  unreadable: DATA.unreadable.code,
  zeroLength: DATA.zeroLength.code,
  noAudio: DATA.noAudio.code,
  undLanguage: DATA.undLanguage.code,
  truncated: DATA.truncated.code,
  noVideo: DATA.noVideo.code,
  badSidecar: DATA.badSidecar.code,
  decodeFailed: DATA.decodeFailed.code,
  externalCatalog: DATA.externalCatalog.code,
  noMedia: DATA.noMedia.code,
  emptyDataset: DATA.emptyDataset.code,
  missingPrimary: DATA.missingPrimary.code,
  badArgument: DATA.badArgument.code,
  duplicateMedia: INGEST.duplicateMedia.code,
  containerMismatch: INGEST.containerMismatch.code,
  outsideCorpus: INGEST.outsideCorpus.code,
  notIndexed: INGEST.notIndexed.code,
} as const;

export type DataCode = (typeof DataCodes)[keyof typeof DataCodes];

/** A Diagnostic-like error: `{ code, message, hint, path }`; `line()` is what the CLI prints. */
export class LssdError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly path?: string;
  constructor(code: string, message: string, opts: { hint?: string; path?: string } = {}) {
    super(message);
    this.name = 'LssdError';
    this.code = code;
    this.hint = opts.hint;
    this.path = opts.path;
  }
  /** `error LSSD5001: <path>: <message> (hint: …)` — one line. */
  line(severity: 'error' | 'warning' | 'info' = 'error'): string {
    return oneLine(`${severity} ${this.code}: ${this.path ? this.path + ': ' : ''}${this.message}${this.hint ? ` (hint: ${this.hint})` : ''}`);
  }
  toDiagnostic(severity: 'error' | 'warning' = 'error') {
    return { code: this.code, severity, message: this.path ? `${this.path}: ${this.message}` : this.message, related: [], hint: this.hint };
  }
}

export const isLssdError = (e: unknown): e is LssdError => e instanceof LssdError;

/** First meaningful line of an ffmpeg/ffprobe error, for one-line diagnostics. */
export function firstLine(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  // ffmpeg prefixes lines with `[demuxer @ 0x55…]`: the address changes every run, so drop it.
  const lines = s.split('\n').map((l) => l.replace(/\[[^\]]*@ 0x[0-9a-f]+\]\s*/g, '').trim()).filter(Boolean);
  const useful = lines.find((l) => /invalid|error|no such|not found|moov|EBML|truncat|end of file/i.test(l) && !/^ffprobe exited|^ffmpeg exited/i.test(l));
  return (useful ?? lines[lines.length - 1] ?? s).slice(0, 200);
}
