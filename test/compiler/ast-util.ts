// Test helpers: AST comparison that ignores positions (spans), the source text, and spelling that the
// formatter normalises (a quantity's spacing).
import type { File } from '../../grammar/ast.ts';

export function stripAst(file: File): unknown {
  return JSON.parse(JSON.stringify({ imports: file.imports, decls: file.decls }, (k, v) => {
    if (k === 'span' || k === 'source') return undefined;
    if (v && typeof v === 'object' && v.kind === 'Quantity') return { kind: 'Quantity', value: v.value, unit: v.unit };
    return v;
  }));
}

export const commentTexts = (file: File): string[] => file.comments.map((c) => c.text);
