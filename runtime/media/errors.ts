// Data-side errors: one line each (code, path, message, hint), never a stack trace. Codes are LSSD5xxx
// (runtime/data); they are listed here so a user can grep one place.
export const DataCodes = {
  /** The file cannot be opened or parsed by ffprobe. */
  unreadable: 'LSSD5001',
  /** The file is empty (0 bytes) or reports zero duration. */
  zeroLength: 'LSSD5002',
  /** No usable audio stream (none at all, or every one tagged `und`). */
  noAudio: 'LSSD5003',
  /** One audio stream has no language tag or `und`: that stream is skipped. */
  undLanguage: 'LSSD5004',
  /** The file ends before its declared duration (cut short while copying/downloading). */
  truncated: 'LSSD5005',
  /** No video stream in a file used for cross-modal training. */
  noVideo: 'LSSD5006',
  /** A cuts sidecar exists but is not `{ "cuts": number[] }`. */
  badSidecar: 'LSSD5007',
  /** Feature extraction (ffmpeg decode) failed for a title. */
  decodeFailed: 'LSSD5008',
  /** The catalog only exists at paper scale. */
  externalCatalog: 'LSSD5010',
  /** The directory to index does not exist or holds no media. */
  noMedia: 'LSSD5011',
  /** The spec's filters leave no titles / shots to train on. */
  emptyDataset: 'LSSD5012',
  /** A language required by the spec (dubs.primary) is missing from a title: the title is filtered out. */
  missingPrimary: 'LSSD5013',
  /** Bad argument to a data command or API. */
  badArgument: 'LSSD5014',
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
  line(severity: 'error' | 'warning' = 'error'): string {
    return `${severity} ${this.code}: ${this.path ? this.path + ': ' : ''}${this.message}${this.hint ? ` (hint: ${this.hint})` : ''}`;
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
