// The diagnostic catalog: every code the front end emits, with its default severity, a one-line title
// (used by docs/language.md §9 and `--json`) and the reference section it belongs to. Call sites use
// the typed constants (`M.unknownField`, `TRAIN.badCheckpoint.code`), never ad-hoc code strings.
// Codes are stable: never renumber, only append.
//   LSSD1xxx syntax · 2xxx names/types/units/semantics · 3xxx schema · 4xxx lowering · 5xxx runtime · 6xxx diff/grid
import type { Diagnostic, Related, Severity } from './diagnostic.ts';
import type { Span } from '../grammar/ast.ts';
import { SYNTAX } from '../grammar/syntax-codes.ts';
import { RUNTIME_MESSAGES } from './messages-runtime.ts';

// 4xxx lowering and 5xxx runtime codes live in the sibling module (grouped by the runtime module that
// raises them); they are part of this one catalog.
export { LOWER, DATA, SYNTH, TRAIN, DOCTOR, PROBE, RUN, SCAFFOLD } from './messages-runtime.ts';

export interface MessageDef {
  code: string;
  severity: Severity;
  title: string;
  /** docs/language.md section the code belongs to. */
  section: string;
}

const def = (code: string, severity: Severity, title: string, section: string): MessageDef => ({ code, severity, title, section });

export const M = {
  // ---- 1xxx syntax (codes owned by grammar/syntax-codes.ts) ----
  unexpectedChar: def(SYNTAX.unexpectedChar, 'error', 'unexpected character', '§2'),
  unterminatedString: def(SYNTAX.unterminatedString, 'error', 'unterminated string', '§2'),
  unexpectedToken: def(SYNTAX.unexpectedToken, 'error', 'unexpected token', '§2'),
  unexpectedEof: def(SYNTAX.unexpectedEof, 'error', 'unexpected end of file', '§2'),
  unclosedBlock: def(SYNTAX.unclosedBlock, 'error', 'unclosed bracket or brace', '§2'),
  badNumber: def(SYNTAX.badNumber, 'error', 'invalid number', '§2'),
  expectedDecl: def(SYNTAX.expectedDecl, 'error', 'expected a declaration', '§2'),
  expectedEntry: def(SYNTAX.expectedEntry, 'error', 'expected a field', '§2'),
  expectedValue: def(SYNTAX.expectedValue, 'error', 'expected a value', '§2'),
  badRange: def(SYNTAX.badRange, 'error', 'invalid range bound', '§2'),
  positionalAfterNamed: def(SYNTAX.positionalAfterNamed, 'error', 'positional argument after named argument', '§2'),
  badEscape: def(SYNTAX.badEscape, 'error', 'unknown escape in a string', '§2'),
  invalidUtf8: def(SYNTAX.invalidUtf8, 'error', 'file is not valid UTF-8', '§2'),
  notText: def(SYNTAX.notText, 'error', 'file is not lssd text', '§2'),
  tooManyErrors: def(SYNTAX.tooManyErrors, 'error', 'too many syntax errors in one file', '§2'),

  // ---- 2xxx names, types, units ----
  unknownField: def('LSSD2001', 'error', 'unknown field', '§5'),
  duplicateField: def('LSSD2002', 'error', 'field set twice in one declaration', '§4'),
  duplicateDecl: def('LSSD2003', 'error', 'name declared twice', '§3'),
  unknownName: def('LSSD2004', 'error', 'unknown name', '§3'),
  typeMismatch: def('LSSD2005', 'error', 'value has the wrong type', '§6'),
  unitMismatch: def('LSSD2006', 'error', 'wrong or missing unit', '§7'),
  outOfRange: def('LSSD2007', 'error', 'value out of range', '§6'),
  extendsCycle: def('LSSD2008', 'error', 'cycle in extends', '§4'),
  initCycle: def('LSSD2009', 'error', 'cycle in init from', '§4.3'),
  importNotFound: def('LSSD2010', 'error', 'import not found', '§3'),
  unknownLanguage: def('LSSD2011', 'error', 'unknown language code', '§7.3'),
  wrongDeclKind: def('LSSD2012', 'error', 'name refers to the wrong kind of declaration', '§3'),
  unknownEnum: def('LSSD2013', 'error', 'unknown option', '§6'),
  badArguments: def('LSSD2014', 'error', 'bad arguments to a constructor', '§6'),
  missingField: def('LSSD2015', 'error', 'required field missing', '§5'),
  initBackboneMismatch: def('LSSD2016', 'error', 'init from an experiment with a different backbone', '§8'),
  initDimMismatch: def('LSSD2017', 'error', 'init from an experiment with a different embedding size', '§8'),
  dubsNoEffect: def('LSSD2018', 'warning', 'dub augmentation has no effect', '§8'),
  withinModalNoView: def('LSSD2019', 'error', 'within-modal weight for a modality without a second view', '§8'),
  probeModality: def('LSSD2020', 'error', 'probe needs a modality the model does not have', '§8'),
  sameTitleBatch: def('LSSD2021', 'error', 'same-title share does not fit the batch', '§8'),
  headDimMismatch: def('LSSD2022', 'error', 'projection dims differ between modalities', '§8'),
  backboneModality: def('LSSD2023', 'error', 'backbone of the wrong modality', '§8'),
  cropExceedsScale: def('LSSD2024', 'error', 'crop larger than the scaled frame', '§8'),
  clipExceedsWindow: def('LSSD2025', 'error', 'video clip longer than the temporal window', '§8'),
  nothingToOptimise: def('LSSD2026', 'error', 'loss optimises nothing', '§8'),
  missingVideoBackbone: def('LSSD2027', 'error', 'cross-modal model without a video backbone', '§8'),
  melBins: def('LSSD2028', 'error', 'more mel bins than FFT bins', '§8'),
  warmupTooLong: def('LSSD2029', 'warning', 'warm-up as long as training', '§8'),
  dubLanguageIsPrimary: def('LSSD2030', 'warning', 'secondary language equals the primary language', '§8'),
  budgetBelowBatch: def('LSSD2031', 'error', 'sample budget smaller than one global batch', '§8'),
  dubsSpeechRemoved: def('LSSD2032', 'warning', 'dub augmentation on speech-removed audio', '§8'),
  unusedVideoBackbone: def('LSSD2033', 'warning', 'video backbone ignored by an audio-only model', '§8'),
  dubLanguageNotInCatalog: def('LSSD2034', 'warning', 'dub language absent from the catalog', '§8'),
  hopExceedsFft: def('LSSD2035', 'warning', 'hop longer than the FFT window', '§8'),
  initModalityMismatch: def('LSSD2036', 'error', 'init from an experiment with a different modality setup', '§8'),
  cellOutsideGrid: def('LSSD2037', 'error', '`cell(…)` outside a grid', '§4.3'),
  primaryFilterMismatch: def('LSSD2038', 'warning', 'fixed primary language excluded by the title filter', '§8'),
  rangeEmpty: def('LSSD2039', 'error', 'empty range', '§6'),
  initInputMismatch: def('LSSD2042', 'error', 'init from an experiment with a different input geometry', '§8'),
  probeUnavailable: def('LSSD2043', 'warning', 'probe task unavailable for a runnable experiment', '§8'),
  expectedStatsMismatch: def('LSSD2041', 'warning', 'expected catalog statistics contradict the filters or budget', '§8'),

  // ---- 2050–2079 scale profiles and catalog bindings (compiler/profile.ts, compiler/bindings.ts) ----
  unknownProfile: def('LSSD2050', 'error', 'unknown profile', '§4.5'),
  profileMissingBackbone: def('LSSD2051', 'error', 'profile has no stand-in for a backbone the experiment uses', '§4.5'),
  profileSetsVariedField: def('LSSD2052', 'error', 'profile sets a field experiments vary on purpose', '§4.5'),
  profileMissingTask: def('LSSD2053', 'error', 'profile has no stand-in for a probe task with external data', '§4.5'),
  profileBadEntry: def('LSSD2054', 'error', 'profile entry malformed', '§4.5'),
  badBinding: def('LSSD2055', 'error', 'catalog binding malformed', '§4.6'),
  bindingUnused: def('LSSD2056', 'warning', 'binding names a catalog no experiment uses', '§4.6'),
  catalogBinding: def('LSSD2057', 'info', 'catalog binding and what the experiment finds in it', '§4.6'),
  catalogUnreadable: def('LSSD2058', 'warning', 'bound catalog not indexed or unreadable', '§4.6'),
  badProjectFile: def('LSSD2059', 'error', 'project file malformed', '§4.6'),
  bindingTwice: def('LSSD2060', 'error', 'catalog bound twice', '§4.6'),
  // ---- 208x views and batches measured on a bound catalog (compiler/feasibility.ts) ----
  dubLanguageMissingFromTitles: def('LSSD2080', 'warning', 'titles lack a dub language the policy asks for', '§4.6'),
  audioChannelsMismatch: def('LSSD2081', 'error', 'audio channels do not match the audio backbone', '§8'),

  // ---- 504x files and directories the CLI reads and writes (runtime/files) ----
  pathUnreadable: def('LSSD5040', 'error', 'path cannot be read', '§9.4'),
  symlinkLoop: def('LSSD5041', 'warning', 'directory symlink loop not followed', '§9.4'),
  danglingSymlink: def('LSSD5042', 'warning', 'dangling symlink skipped', '§9.4'),
  writeFailed: def('LSSD5043', 'error', 'file could not be written', '§9.4'),
  importOutsideRoot: def('LSSD5044', 'error', 'import outside the project root', '§9.4'),
  checkpointWriteFailed: def('LSSD5045', 'error', 'checkpoint could not be written', '§9.4'),
  fileSystemRefused: def('LSSD5046', 'error', 'the file system refused a read or write', '§9.4'),

  // ---- 3xxx schema ----
  schemaViolation: def('LSSD3001', 'error', 'resolved spec violates the schema', '§5'),

  // ---- 6xxx grids and diff (owned by compiler/grid.ts, compiler/confound.ts, cli diff/expand/table) ----
  gridUnknownAxis: def('LSSD6001', 'error', 'unknown grid axis', '§4.4'),
  gridValueNotOnAxis: def('LSSD6002', 'error', 'value is not on the axis', '§4.4'),
  gridDuplicateAxis: def('LSSD6003', 'error', 'axis declared twice', '§4.4'),
  gridZipLength: def('LSSD6004', 'error', 'zipped axes of different lengths', '§4.4'),
  gridZipTwice: def('LSSD6005', 'error', 'axis in more than one zip', '§4.4'),
  gridEmpty: def('LSSD6006', 'error', 'grid has no cells', '§4.4'),
  gridExcludeNothing: def('LSSD6007', 'warning', 'exclude matches no cell', '§4.4'),
  gridBadPattern: def('LSSD6008', 'error', 'bad cell name pattern', '§4.4'),
  gridDuplicateCell: def('LSSD6009', 'error', 'two cells get the same name', '§4.4'),
  gridCellNoMatch: def('LSSD6010', 'error', '`cell(…)` matches no cell', '§4.4'),
  gridCellAmbiguous: def('LSSD6011', 'error', '`cell(…)` matches several cells', '§4.4'),
  gridUnknownGrid: def('LSSD6012', 'error', 'unknown grid', '§4.4'),
  gridAxisOverridden: def('LSSD6013', 'warning', 'entry overrides an axis', '§4.4'),
  gridEmptyAxis: def('LSSD6014', 'error', 'axis without values', '§4.4'),
  gridTooLarge: def('LSSD6015', 'error', 'grid too large', '§4.4'),
  gridBadItem: def('LSSD6016', 'error', 'bad grid item', '§4.4'),
  confound: def('LSSD6020', 'warning', 'cells compared along an axis differ elsewhere', '§4.4'),
  diffNotFound: def('LSSD6030', 'error', 'nothing to compare', '§9'),
  diffGit: def('LSSD6031', 'error', 'git revision unavailable', '§9'),
  expandWouldOverwrite: def('LSSD6040', 'error', '`expand --write` would overwrite a file', '§4.4'),
  expandOverwritesSource: def('LSSD6041', 'error', '`expand --write` would overwrite its source', '§4.4'),
} as const;

export type MessageKey = keyof typeof M;

export interface DiagOptions {
  related?: Related[];
  hint?: string;
  severity?: Severity;
}

/** Build a diagnostic from the catalog. */
export function diag(m: MessageDef, span: Span | undefined, message: string, opts: DiagOptions = {}): Diagnostic {
  const d: Diagnostic = { code: m.code, severity: opts.severity ?? m.severity, message, span, related: opts.related ?? [] };
  if (opts.hint) d.hint = opts.hint;
  return d;
}

/** Every catalogued code, in code order (docs and the golden-coverage test iterate this). */
// Codes are `LSSD` and four digits: code-unit order is their order. (localeCompare would load ICU's
// collator at startup, ~10 ms of every `lssdc` run, for this one sort.)
export const CATALOG: MessageDef[] = [...Object.values(M), ...RUNTIME_MESSAGES].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));

/** Nearest candidate by edit distance, for "did you mean …?" hints; undefined when nothing is close. */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined; let bestD = Infinity;
  const w = word.toLowerCase();
  const limit = Math.max(1, Math.floor(word.length / 3));
  for (const c of candidates) {
    // The distance is at least the length difference: a candidate that far off can never be suggested,
    // and skipping it keeps a 200 KB name (a fuzz case) from costing a 200 K-row table per candidate.
    if (Math.abs(c.length - w.length) > limit) continue;
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD || (d === bestD && best !== undefined && c < best)) { bestD = d; best = c; }
  }
  return best !== undefined && bestD <= limit ? best : undefined;
}

export const didYouMean = (word: string, candidates: Iterable<string>): string | undefined => {
  const n = nearest(word, candidates);
  return n ? `did you mean '${n}'?` : undefined;
};

/** Optimal string alignment distance: edits plus adjacent transpositions (`lable` → `label` is 1). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
