// Go to definition, find references and rename for declaration names (experiments, presets, tasks,
// backbones, grids) and imports, plus document symbols. A reference in file W means the declaration
// that W's own program (W and what it imports) binds the name to, so two unrelated files that each
// declare `base` are never confused.
import { isAbsolute } from 'node:path';
import type { Decl, Entry, File, Span } from '../grammar/ast.ts';
import { occurrenceAt, occurrences, contains, type Occurrence } from './syntax.ts';
import type { Workspace } from './workspace.ts';

export interface Loc { file: string; span: Span }

/** The declaration (or imported file) the name or import string at `offset` refers to. */
export function definition(ws: Workspace, path: string, offset: number): Loc | { file: string; span?: undefined } | undefined {
  const loaded = ws.load(path);
  const file = loaded.files.get(path);
  if (!file) return undefined;
  const imp = file.imports.find((i) => contains(i.path.span, offset));
  if (imp) {
    const target = ws.host.resolveImport(imp.path.value, path);
    return target === undefined ? undefined : { file: target };
  }
  const occ = occurrenceAt(file, offset);
  if (!occ) return undefined;
  const sym = loaded.symbols.get(occ.name);
  return sym ? { file: sym.file, span: sym.decl.name.span } : undefined;
}

export interface Target { kind: 'decl'; name: string; file: string; offset: number; decl: Decl }

/** The declaration under the cursor (on its name or on a reference to it). */
export function targetAt(ws: Workspace, path: string, offset: number): Target | undefined {
  const loaded = ws.load(path);
  const file = loaded.files.get(path);
  const occ = file && occurrenceAt(file, offset);
  if (!occ) return undefined;
  const sym = loaded.symbols.get(occ.name);
  return sym ? { kind: 'decl', name: occ.name, file: sym.file, offset: sym.decl.name.span.start.offset, decl: sym.decl } : undefined;
}

/** Every occurrence of the target across the workspace (each file's own occurrences, bound by its own program). */
export function references(ws: Workspace, t: Target, includeDeclaration: boolean): (Occurrence & { file: string })[] {
  const out: (Occurrence & { file: string })[] = [];
  for (const w of ws.files()) {
    const text = ws.text(w);
    if (text === undefined || !new RegExp(`\\b${t.name}\\b`).test(text)) continue;
    const loaded = ws.load(w);
    const sym = loaded.symbols.get(t.name);
    if (!sym || sym.file !== t.file || sym.decl.name.span.start.offset !== t.offset) continue;
    const file = loaded.files.get(w)!;
    for (const o of occurrences(file)) {
      if (o.name !== t.name) continue;
      if (o.role === 'decl' && (!includeDeclaration || w !== t.file)) continue;
      out.push({ ...o, file: w });
    }
  }
  return out;
}

/** Imports, across the workspace, of the file the import at `offset` names. */
export function importReferences(ws: Workspace, path: string, offset: number): Loc[] | undefined {
  const file = ws.fileAst(path);
  const imp = file?.imports.find((i) => contains(i.path.span, offset));
  if (!imp) return undefined;
  const target = ws.host.resolveImport(imp.path.value, path);
  if (target === undefined) return [];
  const out: Loc[] = [];
  for (const w of ws.files()) {
    const text = ws.text(w);
    if (!text?.includes('import')) continue;
    const f = ws.fileAst(w);
    for (const i of f?.imports ?? []) if (ws.host.resolveImport(i.path.value, w) === target) out.push({ file: w, span: i.path.span });
  }
  return out;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(['import', 'experiment', 'preset', 'backbone', 'task', 'grid', 'extends', 'init', 'from', 'true', 'false', 'none', 'random', 'all', 'except']);

/** Only experiments and presets are renamed (their names are what users pick; stdlib backbones and tasks are shared). */
export function renameTarget(ws: Workspace, path: string, offset: number): { target: Target; span: Span } | string {
  const t = targetAt(ws, path, offset);
  if (!t) return 'nothing to rename here: put the cursor on an experiment or preset name';
  if (t.decl.declKind !== 'experiment' && t.decl.declKind !== 'preset') return `only experiments and presets can be renamed; '${t.name}' is a ${t.decl.declKind}`;
  // A path that stays absolute lies outside the workspace (an installed stdlib): not ours to edit.
  if (isAbsolute(t.file)) return `'${t.name}' is declared outside the workspace (${t.file})`;
  const occ = occurrenceAt(ws.load(path).files.get(path)!, offset)!;
  return { target: t, span: occ.span };
}

export function rename(ws: Workspace, t: Target, newName: string): Map<string, { span: Span; newText: string }[]> | string {
  if (!NAME.test(newName) || RESERVED.has(newName)) return `'${newName}' is not a valid declaration name (letters, digits and _; not a keyword)`;
  const refs = references(ws, t, true);
  const files = new Set(refs.map((r) => r.file));
  for (const w of files) {
    const other = ws.load(w).symbols.get(newName);
    if (other) return `'${newName}' is already declared (${other.decl.declKind} in ${other.file})`;
  }
  const edits = new Map<string, { span: Span; newText: string }[]>();
  for (const r of refs) edits.set(r.file, [...(edits.get(r.file) ?? []), { span: r.span, newText: newName }]);
  return edits;
}

export interface Sym { name: string; detail: string; kind: 'experiment' | 'preset' | 'backbone' | 'task' | 'profile' | 'project' | 'grid' | 'section' | 'field'; span: Span; selection: Span; children: Sym[] }

export function documentSymbols(file: File): Sym[] {
  const entries = (es: Entry[]): Sym[] => es.flatMap((e): Sym[] => {
    if (e.kind === 'InitFrom') return [{ name: 'init from', detail: '', kind: 'field', span: e.span, selection: e.span, children: [] }];
    const name = e.key.parts.map((p) => p.name).join('.');
    if (e.kind === 'Section') return [{ name, detail: '', kind: 'section', span: e.span, selection: e.key.span, children: entries(e.body.entries) }];
    return [{ name, detail: '', kind: 'field', span: e.span, selection: e.key.span, children: [] }];
  });
  return file.decls.map((d) => ({
    name: d.name.name,
    detail: d.extends.length ? `extends ${d.extends.map((e) => e.name).join(', ')}` : d.declKind,
    kind: d.declKind,
    span: d.span,
    selection: d.name.span,
    children: d.kind === 'BlockDecl' ? entries(d.body.entries) : entries(d.items.filter((i): i is Entry => i.kind === 'Field' || i.kind === 'Section' || i.kind === 'InitFrom')),
  }));
}
