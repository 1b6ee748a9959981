// Files parsed at build time. From the sources this table is empty and every file is parsed; the build
// (scripts/build-plugins.mjs PRECOMPILED) replaces this module with the ASTs of the stdlib's files,
// which every `check` imports (two thirds of the bytes `check experiments` parses), as JSON keyed by
// the file's exact text: a file whose text matches is rebuilt with JSON.parse instead of being lexed
// and parsed cold, an edited one is parsed as usual. The build admits only files that parse without a
// diagnostic and whose rebuilt AST equals the parsed one (assert.deepStrictEqual, with the file's name
// put in: the name is the only input besides the text; the parser's SourceSpans made plain, as the
// rebuilt spans are plain `{ file, start, end }` objects: the same reads and the same JSON);
// test/build/precompiled.test.ts checks it too.
import type { File, Source } from '../grammar/ast.ts';

/** The stand-in for the file name in the JSON (a control character no lssd file contains). */
export const NAME_MARK = '\u0000lssd-file\u0000';

/** Text → AST as JSON with NAME_MARK for the name and `source` null (set on use, in its place). */
export const PREPARSED: ReadonlyMap<string, string> = new Map();

/** The AST of `source` if the build parsed its exact text (no diagnostics), else undefined. */
export function preparsed(source: Source, table: ReadonlyMap<string, string> = PREPARSED): File | undefined {
  const json = table.get(source.text);
  if (json === undefined) return undefined;
  const file = JSON.parse(json.split(JSON.stringify(NAME_MARK)).join(JSON.stringify(source.name))) as File;
  file.source = source;
  return file;
}
