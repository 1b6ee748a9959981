// The grammar's public entry: `parse(source)` → File AST plus syntax diagnostics.
// tokens.ts (chevrotain lexer) → cst-parser.ts (chevrotain CstParser) → cst-to-ast.ts (AST with spans).
import type { File, Source } from './ast.ts';
import type { Outcome } from '../compiler/diagnostic.ts';
import { parseSource } from './cst-to-ast.ts';

export type * from './ast.ts';
export { SYNTAX } from './syntax-codes.ts';
export { UNIT_WORDS } from './tokens.ts';

/** Parse one source file. Always returns a File (possibly partial); errors are diagnostics. */
export function parse(source: Source): Outcome<File> {
  const { file, diagnostics } = parseSource(source);
  return { value: file, diagnostics };
}
