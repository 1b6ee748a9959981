// Test helpers: AST comparison that ignores positions (spans), the source text, and spelling that the
// formatter normalises (a quantity's spacing).
import type { File } from '../../grammar/ast.ts';

const stripSpans = (k: string, v: unknown) => {
  if (k === 'span' || k === 'source') return undefined;
  if (v && typeof v === 'object' && (v as { kind?: string }).kind === 'Quantity') return { kind: 'Quantity', value: (v as { value: unknown }).value, unit: (v as { unit: unknown }).unit };
  return v;
};

export function stripAst(file: File): unknown {
  return JSON.parse(astKey(file));
}

/** The AST without spans as one string: equal strings, equal trees (what stripAst compares, one serialisation instead of three). */
export const astKey = (file: File): string => JSON.stringify({ imports: file.imports, decls: file.decls }, stripSpans);

export const commentTexts = (file: File): string[] => file.comments.map((c) => c.text);
