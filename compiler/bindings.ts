// Catalog bindings (docs/language.md §4.6): the paper's files name catalogs (`external("paper-movies-
// episodes")`); a binding maps such a name to data on this machine — a media directory (indexed by
// `lssdc data index DIR`) or a catalog file (the JSON Lines that command writes). Bindings come from
// the project file (lssd.project, `project NAME { catalogs = [bind("NAME", "PATH"), …] }`) and from
// `--catalog NAME=PATH` flags, which win over the project's. Pure: the flag text is turned into a
// source of its own so a bad flag gets a diagnostic with carets like any file.
import type { BlockDecl, CallLit, Ident, Source, Span, StringLit, Value } from '../grammar/ast.ts';
import type { Diagnostic } from './diagnostic.ts';
import type { Assignment } from './resolve.ts';
import type { Loaded } from './resolve-load.ts';
import { M, diag, didYouMean } from './messages.ts';

/** The project file, at the project root (the directory `lssdc` runs in, where `.lssd/` lives). */
export const PROJECT_FILE = 'lssd.project';

export interface CatalogBinding {
  /** The catalog name the experiments use (`external("NAME")`). */
  name: string;
  path: string;
  by: 'flag' | 'project';
  /** Where the binding is written (the flag's own source, or the `bind(…)` call in the project file). */
  span: Span;
  /** The binding as a `data.catalog` assignment (`index("PATH")` or `file("PATH")`), ready to lay over an experiment's fields. */
  assignment: Assignment;
}

export interface ProjectSettings {
  decl?: BlockDecl;
  file?: string;
  /** `profile = NAME`: the default profile, and where it is written. */
  profile?: { name: string; span: Span };
  bindings: CatalogBinding[];
}

export const PROJECT_FIELDS = ['profile', 'catalogs'];

/** A path ending in `.jsonl` is a catalog file; anything else a media directory to index. */
const catalogCall = (path: string, span: Span): CallLit => {
  const str: StringLit = { kind: 'String', value: path, span };
  return { kind: 'Call', callee: { kind: 'Ident', name: /\.jsonl$/i.test(path) ? 'file' : 'index', span }, args: [str], named: [], span };
};

const assignmentFor = (value: Value, span: Span, decl: BlockDecl): Assignment => ({ path: 'data.catalog', keySpan: span, value, span, decl });

/** Reads the `project` declaration of the project file (at most one, only there). */
export function projectSettings(loaded: Loaded, projectFile: string | undefined, diagnostics: Diagnostic[]): ProjectSettings {
  const out: ProjectSettings = { bindings: [] };
  for (const [, file] of loaded.files) {
    for (const d of file.decls) {
      if (d.kind !== 'BlockDecl' || d.declKind !== 'project') continue;
      if (file.source.name !== projectFile) {
        diagnostics.push(diag(M.badProjectFile, d.name.span, `a \`project\` declaration belongs in ${PROJECT_FILE} at the project root, not in ${file.source.name}`,
          { hint: `move it to ${PROJECT_FILE}; elsewhere it would be ignored` }));
        continue;
      }
      if (out.decl) {
        diagnostics.push(diag(M.badProjectFile, d.name.span, `${PROJECT_FILE} declares a second project '${d.name.name}'`,
          { related: [{ span: out.decl.name.span, message: 'first project declared here' }], hint: 'one project per project file: merge them' }));
        continue;
      }
      out.decl = d; out.file = file.source.name;
      if (d.extends.length) diagnostics.push(diag(M.badProjectFile, d.extends[0].span, 'a project does not extend anything'));
      for (const e of d.body.entries) {
        const key = e.kind === 'InitFrom' ? 'init' : e.key.parts.map((p) => p.name).join('.');
        if (e.kind !== 'Field' || !PROJECT_FIELDS.includes(key)) {
          diagnostics.push(diag(M.badProjectFile, e.kind === 'InitFrom' ? e.span : e.key.span, `a project has no ${e.kind === 'Section' ? 'section' : 'field'} \`${key}\``,
            { hint: didYouMean(key, PROJECT_FIELDS) ?? 'fields of a project: `profile = NAME` (the default profile), `catalogs = [bind("NAME", "PATH"), …]`' }));
          continue;
        }
        if (key === 'profile') {
          if (e.value.kind === 'IdentValue' || e.value.kind === 'String') {
            out.profile = { name: e.value.kind === 'String' ? e.value.value : e.value.name, span: e.value.span };
          } else diagnostics.push(diag(M.badProjectFile, e.value.span, '`profile` expects a profile name, e.g. `profile = cpu`'));
          continue;
        }
        const items = e.value.kind === 'List' ? e.value.items : [e.value];
        for (const item of items) {
          const b = bindCall(item, d, diagnostics);
          if (b) out.bindings.push(b);
        }
      }
    }
  }
  checkTwice(out.bindings, diagnostics);
  return out;
}

function bindCall(v: Value, decl: BlockDecl, diagnostics: Diagnostic[]): CatalogBinding | undefined {
  const strs = v.kind === 'Call' && v.callee.name === 'bind' && v.named.length === 0 ? v.args.filter((a): a is StringLit => a.kind === 'String') : [];
  if (v.kind !== 'Call' || v.callee.name !== 'bind' || v.args.length !== 2 || strs.length !== 2 || !strs[0].value || !strs[1].value) {
    diagnostics.push(diag(M.badBinding, v.span, 'a catalog binding is `bind("CATALOG-NAME", "PATH")`',
      { hint: 'PATH: a media directory (indexed by `lssdc data index DIR`) or a catalog file (.jsonl) that command wrote' }));
    return undefined;
  }
  const [name, path] = strs;
  return { name: name.value, path: path.value, by: 'project', span: v.span, assignment: assignmentFor(catalogCall(path.value, path.span), v.span, decl) };
}

/** `--catalog NAME=PATH` flags, each parsed from a source of its own (named like the flag). */
export function flagBindings(flags: string[], diagnostics: Diagnostic[]): { bindings: CatalogBinding[]; sources: Source[] } {
  const bindings: CatalogBinding[] = []; const sources: Source[] = [];
  flags.forEach((text, i) => {
    const source: Source = { name: flags.length > 1 ? `--catalog#${i + 1}` : '--catalog', text };
    sources.push(source);
    const at = (a: number, b: number): Span => ({ file: source.name, start: { offset: a, line: 1, column: a + 1 }, end: { offset: b, line: 1, column: b + 1 } });
    const eq = text.indexOf('=');
    const name = eq > 0 ? text.slice(0, eq).trim() : '';
    const path = eq > 0 ? text.slice(eq + 1).trim() : '';
    if (!name || !path || text.includes('\n')) {
      diagnostics.push(diag(M.badBinding, at(0, Math.max(1, text.length)), `--catalog expects NAME=PATH, got '${text}'`,
        { hint: 'e.g. --catalog paper-movies-episodes=/srv/media (a directory indexed by `lssdc data index`, or a .jsonl catalog file)' }));
      return;
    }
    const span = at(0, text.length);
    const ident: Ident = { kind: 'Ident', name: '--catalog', span };
    const decl: BlockDecl = { kind: 'BlockDecl', declKind: 'project', name: ident, extends: [], body: { kind: 'Block', entries: [], span }, span };
    bindings.push({ name, path, by: 'flag', span, assignment: assignmentFor(catalogCall(path, at(eq + 1, text.length)), span, decl) });
  });
  checkTwice(bindings, diagnostics);
  return { bindings, sources };
}

function checkTwice(bindings: CatalogBinding[], diagnostics: Diagnostic[]) {
  const first = new Map<string, CatalogBinding>();
  for (const b of bindings) {
    const prev = first.get(b.name);
    if (prev && prev.path !== b.path) {
      diagnostics.push(diag(M.bindingTwice, b.span, `catalog '${b.name}' is bound twice: to ${prev.path} and to ${b.path}`,
        { related: [{ span: prev.span, message: 'first bound here' }], hint: 'keep one binding per catalog name' }));
    }
    if (!prev) first.set(b.name, b);
  }
}

/** Flags win over the project file; one binding per name. */
export function mergeBindings(project: CatalogBinding[], flags: CatalogBinding[]): Map<string, CatalogBinding> {
  const m = new Map<string, CatalogBinding>();
  for (const b of project) if (!m.has(b.name)) m.set(b.name, b);
  for (const b of flags) if (!m.has(b.name) || m.get(b.name)!.by === 'project') m.set(b.name, b);
  return m;
}

/** LSSD2056 for each binding that no experiment of any of the programs used (flags and project file alike). */
export function unusedBindings(programs: { binding: CatalogBinding; used: boolean }[][]): Diagnostic[] {
  const used = new Set<string>(); const all = new Map<string, CatalogBinding>();
  for (const bs of programs) for (const { binding, used: u } of bs) { if (u) used.add(binding.name); if (!all.has(binding.name)) all.set(binding.name, binding); }
  return [...all.values()].filter((b) => !used.has(b.name)).map((b) => diag(M.bindingUnused, b.span,
    `catalog '${b.name}' is bound to ${b.path}, but no experiment checked here names \`external("${b.name}")\``,
    { hint: 'check the catalog name against the experiments\' `data.catalog` (e.g. paper-movies-episodes, controlled-748-movies)' }));
}
