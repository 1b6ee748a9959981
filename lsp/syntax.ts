// AST queries for the editor features: which entry (and its full field path) a position is in, and
// every place a file names a declaration. Works on the compiler's AST (grammar/ast.ts), nothing else.
import type { Decl, Entry, File, GridDecl, Ident, Span, Value } from '../grammar/ast.ts';
import type { DeclSchema } from '../compiler/schema/fields.ts';
import { fieldAt, sectionsOf } from '../compiler/schema/fields.ts';

export const contains = (s: Span, offset: number): boolean => s.start.offset <= offset && offset <= s.end.offset;

/** How a name occurs: its declaration, or a reference of one of these roles. */
export type Role = 'decl' | 'extends' | 'init' | 'backbone' | 'task' | 'base';

export interface Occurrence {
  name: string;
  span: Span;
  role: Role;
  /** The declaration the occurrence sits in. */
  in: Decl;
}

/** Fields whose values name declarations (the field table's backbone and task references). */
const REFERENCE_FIELDS: Record<string, Role> = { 'model.video': 'backbone', 'model.audio': 'backbone', probes: 'task' };

/** The first `n` characters of a one-line span. */
export const narrow = (s: Span, n: number): Span => ({ file: s.file, start: s.start, end: { ...s.start, offset: s.start.offset + n, column: s.start.column + n } });

/** Every declaration name and reference to one in a file, in source order. */
export function occurrences(file: File): Occurrence[] {
  const out: Occurrence[] = [];
  for (const d of file.decls) {
    out.push({ name: d.name.name, span: d.name.span, role: 'decl', in: d });
    for (const e of d.extends) out.push({ name: e.name, span: e.span, role: 'extends', in: d });
    const entries = (es: Entry[], prefix: string) => {
      for (const e of es) {
        if (e.kind === 'InitFrom') {
          const t = e.target;
          // `init from A2.final` is one dotted name: its first part is the experiment.
          if (t.kind === 'IdentValue' && t.name !== 'random') {
            const name = t.name.split('.')[0];
            out.push({ name, span: narrow(t.span, name.length), role: 'init', in: d });
          }
          continue;
        }
        const path = (prefix ? prefix + '.' : '') + e.key.parts.map((p) => p.name).join('.');
        if (e.kind === 'Section') { entries(e.body.entries, d.kind === 'GridDecl' && path === 'cell' ? '' : path); continue; }
        if (d.kind === 'GridDecl' && path === 'base') { valueNames(e.value, 'base'); continue; }
        const role = REFERENCE_FIELDS[path];
        if (role) valueNames(e.value, role);
      }
    };
    const valueNames = (v: Value, role: Role) => {
      if (v.kind === 'IdentValue' && v.name !== 'none') out.push({ name: v.name, span: v.span, role, in: d });
      else if (v.kind === 'List') for (const it of v.items) valueNames(it, role);
    };
    if (d.kind === 'BlockDecl') entries(d.body.entries, '');
    else {
      for (const it of d.items) {
        if (it.kind === 'GridWhen') entries(it.body.entries, '');
        else if (it.kind === 'Field' || it.kind === 'Section' || it.kind === 'InitFrom') entries([it], '');
      }
    }
  }
  return out.sort((a, b) => a.span.start.offset - b.span.start.offset);
}

export const occurrenceAt = (file: File, offset: number): Occurrence | undefined =>
  occurrences(file).find((o) => contains(o.span, offset));

/** The schema a declaration's body is checked against (a preset: the one its fields fit best). */
export function schemaOf(d: Decl): DeclSchema {
  if (d.kind === 'GridDecl' || d.declKind === 'experiment') return 'experiment';
  if (d.declKind === 'backbone' || d.declKind === 'task') return d.declKind;
  const score = (schema: DeclSchema) => {
    const sections = sectionsOf(schema); let n = 0;
    const walk = (es: Entry[], prefix: string) => {
      for (const e of es) {
        if (e.kind === 'InitFrom') continue;
        const path = (prefix ? prefix + '.' : '') + e.key.parts.map((p) => p.name).join('.');
        if (e.kind === 'Section') { if (sections.has(path)) { n++; walk(e.body.entries, path); } }
        else if (fieldAt(schema, path)) n++;
      }
    };
    walk(d.body.entries, '');
    return n;
  };
  const ranked = (['experiment', 'task', 'backbone'] as DeclSchema[]).map((s) => ({ s, n: score(s) }));
  ranked.sort((a, b) => b.n - a.n);
  return ranked[0].s;
}

export interface EntryHit {
  decl: Decl;
  schema: DeclSchema;
  /** Full dotted path of the key up to and including the part under the cursor (`data.batch`). */
  path: string;
  /** The key part under the cursor, when the cursor is on the key. */
  part?: Ident;
  /** The entry's value, when the cursor is on it. */
  value?: Value;
  /** Full path of the entry (the field's path, when `value` is set). */
  entryPath: string;
}

/** The entry whose key or value contains `offset`, with its full field path. */
export function entryAt(file: File, offset: number): EntryHit | undefined {
  for (const d of file.decls) {
    if (!contains(d.span, offset)) continue;
    const schema = schemaOf(d);
    let hit: EntryHit | undefined;
    const walk = (es: Entry[], prefix: string) => {
      for (const e of es) {
        if (hit || !contains(e.span, offset) || e.kind === 'InitFrom') continue;
        const parts = e.key.parts;
        const full = (prefix ? prefix + '.' : '') + parts.map((p) => p.name).join('.');
        const i = parts.findIndex((p) => contains(p.span, offset));
        if (i >= 0) {
          hit = { decl: d, schema, path: (prefix ? prefix + '.' : '') + parts.slice(0, i + 1).map((p) => p.name).join('.'), part: parts[i], entryPath: full };
          return;
        }
        if (e.kind === 'Section') walk(e.body.entries, d.kind === 'GridDecl' && full === 'cell' ? '' : full);
        else if (contains(e.value.span, offset)) hit = { decl: d, schema, path: full, value: e.value, entryPath: full };
      }
    };
    if (d.kind === 'BlockDecl') walk(d.body.entries, '');
    else for (const it of (d as GridDecl).items) {
      if (it.kind === 'GridWhen') walk(it.body.entries, '');
      else if (it.kind === 'Field' || it.kind === 'Section') walk([it], '');
    }
    return hit;
  }
  return undefined;
}

/** The innermost value at `offset` inside `v` (a list item, a call argument, a range bound). */
export function valueAt(v: Value, offset: number): Value {
  const inner = (x: Value): Value | undefined => {
    if (!contains(x.span, offset)) return undefined;
    switch (x.kind) {
      case 'List': for (const it of x.items) { const r = inner(it); if (r) return r; } break;
      case 'Call': for (const a of [...x.args, ...x.named.map((n) => n.value)]) { const r = inner(a); if (r) return r; } break;
      case 'Range': for (const b of [x.lo, x.hi]) { if (b) { const r = inner(b); if (r) return r; } } break;
      case 'Except': for (const b of [x.base, x.removed]) { const r = inner(b); if (r) return r; } break;
    }
    return x;
  };
  return inner(v) ?? v;
}
