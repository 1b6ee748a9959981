// The grammar's public entry: `parse(source)` → File AST plus syntax diagnostics.
// tokens.ts (chevrotain lexer) → cst-parser.ts (chevrotain CstParser) → cst-to-ast.ts (AST with spans).
import type { File, Source } from './ast.ts';
import type { Outcome } from '../compiler/diagnostic.ts';
import { parseSource } from './cst-to-ast.ts';
import { SYNTAX } from './syntax-codes.ts';

/**
 * Syntax errors kept per file. A few megabytes of junk give hundreds of thousands; past this many the
 * rest say nothing new, and holding them all costs memory and time in every later stage.
 */
export const MAX_SYNTAX_ERRORS = 500;

export type * from './ast.ts';
export { SYNTAX } from './syntax-codes.ts';
export { UNIT_WORDS } from './tokens.ts';
export { plainSpans, SourceSpan } from './span.ts';

/** Parse one source file. Always returns a File (possibly partial); errors are diagnostics. */
export function parse(source: Source): Outcome<File> {
  const { file, diagnostics } = parseSource(source);
  if (diagnostics.length <= MAX_SYNTAX_ERRORS) return { value: file, diagnostics };
  const rest = diagnostics.length - MAX_SYNTAX_ERRORS;
  const kept = diagnostics.slice(0, MAX_SYNTAX_ERRORS);
  kept.push({ code: SYNTAX.tooManyErrors, severity: 'error', span: diagnostics[MAX_SYNTAX_ERRORS].span, related: [],
    message: `${rest} more syntax error${rest === 1 ? '' : 's'} in this file not reported (${MAX_SYNTAX_ERRORS} kept)`,
    hint: 'is this an lssd file? fix the first errors and check again' });
  return { value: file, diagnostics: kept };
}
