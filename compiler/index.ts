// The compiler front end in one screen: load → resolve → expand grids → check → validate.
// Pure: all reading goes through the CompilerHost. Returns whatever it could build plus diagnostics.
import type { Source, Span } from '../grammar/ast.ts';
import type { Diagnostic, Outcome } from './diagnostic.ts';
import type { CompilerHost } from './host.ts';
import type { ResolvedSpec } from './spec.ts';
import { M, diag } from './messages.ts';
import { loadInto, loadProgram, type Loaded } from './resolve-load.ts';
import { flagBindings, mergeBindings, projectSettings, PROJECT_FILE, type CatalogBinding } from './bindings.ts';
import { applyProfile, resolveProfile, type ResolvedProfile } from './profile.ts';
import { bindingDiagnostics } from './feasibility.ts';
import { Resolver, type ResolvedExperiment } from './resolve.ts';
import { expandGrids } from './resolve-grid.ts';
import { RULES, makeContext } from './rules/index.ts';
import { validateSpec } from './validate.ts';
import { checkConfounds } from './confound.ts';

export { parse } from '../grammar/index.ts';

export interface GridInfo {
  name: string;
  cells: { name: string; axes: Record<string, unknown> }[];
  span: Span;
}

/** How to compile: `--profile`, `--catalog`, the project file (docs/language.md §4.5–4.6). */
export interface CompileOptions {
  /** Scale profile to apply (`--profile NAME`). Undefined: the project file's `profile`, if any; `'none'`: no profile. */
  profile?: string;
  /** `--catalog NAME=PATH` flags, as typed; they win over the project file's bindings of the same name. */
  catalogs?: string[];
  /** The project file, read through the host. Default `lssd.project` (the project root is the host's working directory); false: none. */
  project?: string | false;
  /** Measure each bound catalog (CompilerHost.catalogTitles) and report it: what `lssdc check` does. Default false. */
  feasibility?: boolean;
}

export interface Program {
  /** Experiments declared in the entry file, grid cells expanded in place, in declaration order. */
  experiments: ResolvedSpec[];
  /** Every experiment reachable through imports (and every grid cell), by name. */
  all: Map<string, ResolvedSpec>;
  grids: GridInfo[];
  sources: Map<string, Source>;
  /** The profile applied to every experiment (`experiments` and `all` are the profiled specs), if any. */
  profile?: { name: string; file: string; label: string };
  /** The catalog bindings in force (flags and project file), and whether an experiment of this program used each. */
  bindings: { binding: CatalogBinding; used: boolean }[];
}

export function compileFile(path: string, host: CompilerHost, opts: CompileOptions = {}): Outcome<Program> {
  const diagnostics: Diagnostic[] = [];
  const loaded = loadProgram(path, host, diagnostics);
  // The project file and the stdlib's profiles join the program only when they can matter.
  const projectFile = opts.project === false ? undefined : opts.project ?? PROJECT_FILE;
  if (projectFile !== undefined && projectFile !== path && host.readFile(projectFile) !== undefined) loadInto(loaded, projectFile, undefined, host, diagnostics);
  const project = projectSettings(loaded, projectFile, diagnostics);
  const flags = flagBindings(opts.catalogs ?? [], diagnostics);
  for (const s of flags.sources) loaded.sources.set(s.name, s);
  const bindings = mergeBindings(project.bindings, flags.bindings);
  const profileName = opts.profile ?? project.profile?.name;
  const wantProfile = profileName !== undefined && profileName !== 'none';
  if (wantProfile && needsStdlibProfiles(loaded, profileName)) {
    const stdProfiles = host.resolveImport('profiles', path);
    if (stdProfiles) loadInto(loaded, stdProfiles, undefined, host, diagnostics);
  }
  const resolver = new Resolver(loaded, diagnostics);
  // Grid cells become ordinary experiment declarations (with their axis values as provenance).
  const expanded = expandGrids(loaded, diagnostics);
  const cellOf = new Map<string, { name: string; axes: Record<string, unknown> }>();
  for (const g of expanded) for (const c of g.cells) cellOf.set(c.name, { name: g.decl.name.name, axes: c.axes });

  // Resolve every declaration in the program (imports included: a broken parent breaks its children;
  // a backbone or task is checked even when nothing uses it yet).
  const resolved = new Map<string, ResolvedExperiment>();
  for (const [name, sym] of loaded.symbols) {
    if (sym.decl.kind !== 'BlockDecl') continue;
    if (sym.decl.declKind === 'experiment') {
      const r = resolver.experiment(sym.decl, sym.file, cellOf.get(name));
      if (r) resolved.set(name, r);
    } else if (sym.decl.declKind === 'backbone') resolver.backbone(sym.decl);
    else if (sym.decl.declKind === 'task') resolver.task(sym.decl);
  }
  // Presets no declaration extends would otherwise never be checked.
  const extended = new Set<string>();
  for (const s of loaded.symbols.values()) for (const e of s.decl.extends) extended.add(e.name);
  for (const [name, sym] of loaded.symbols) {
    if (sym.decl.kind === 'BlockDecl' && sym.decl.declKind === 'preset' && !extended.has(name)) resolver.preset(sym.decl);
  }
  const grids: GridInfo[] = expanded.filter((g) => g.file === path).map((g) => ({ name: g.decl.name.name, cells: g.cells, span: g.decl.span }));

  checkInitCycles(resolved, diagnostics);
  const resolvedUnprofiled = new Map(resolved);

  // Profile and bindings: every experiment is rebuilt as they make it; the checks below see that one.
  let profile: ResolvedProfile | undefined;
  if (wantProfile) profile = resolveProfile(profileName, opts.profile === undefined ? project.profile?.span : undefined, resolver, diagnostics);
  const used = new Set<string>();
  if ((wantProfile && profile) || bindings.size) {
    for (const [name, r] of resolved) {
      if (r.broken) continue;
      const p = applyProfile(r, resolver, { profile, bindings, used }, diagnostics);
      if (p !== r) resolved.set(name, p);
    }
  }
  if (wantProfile && !profile) for (const r of resolved.values()) r.broken = true;

  for (const r of resolved.values()) {
    if (r.broken) continue;
    const ctx = makeContext(r, (n) => resolved.get(n), (d) => diagnostics.push(d));
    for (const rule of RULES) rule.check(ctx);
    if (!r.broken) diagnostics.push(...validateSpec(r));
  }
  // What each bound experiment finds in its catalog (entry-file experiments only: `check` lists them).
  if (opts.feasibility && host.catalogTitles) {
    const lists = new Map<string, ReturnType<NonNullable<CompilerHost['catalogTitles']>>>();
    for (const d of loaded.files.get(path)?.decls ?? []) {
      const names = d.kind === 'GridDecl' ? expanded.find((g) => g.decl === d)?.cells.map((c) => c.name) ?? [] : d.kind === 'BlockDecl' && d.declKind === 'experiment' ? [d.name.name] : [];
      for (const n of names) {
        const r = resolved.get(n);
        const by = r?.spec.origin.catalog;
        if (!r || r.broken || !by) continue;
        const cat = r.spec.data.catalog; const cuts = r.spec.data.shots.cut_detection;
        const key = JSON.stringify([cat, cuts]);
        if (!lists.has(key)) lists.set(key, host.catalogTitles(cat, cuts));
        const bound = r.fields.get('data.catalog');
        const original = resolvedUnprofiled.get(n)?.fields.get('data.catalog');
        diagnostics.push(...bindingDiagnostics({ spec: r.spec, at: bound?.span ?? r.decl.name.span, named: original?.value.span, listing: lists.get(key)! }));
      }
    }
  }

  const all = new Map<string, ResolvedSpec>();
  for (const [name, r] of resolved) all.set(name, r.spec);
  // Confounds (docs/diff-and-grids.md): comparisons along an axis that also differ elsewhere. Entry-file
  // grids only, and only cells that resolved cleanly. [added by D, grid/diff owner]
  for (const g of expanded) {
    if (g.file !== path) continue;
    diagnostics.push(...checkConfounds(g.decl, (n) => { const r = resolved.get(n); return r && !r.broken ? r.spec : undefined; },
      (n, p) => resolved.get(n)?.fields.get(p)?.keySpan));
  }
  const experiments: ResolvedSpec[] = [];
  for (const d of loaded.files.get(path)?.decls ?? []) {
    if (d.kind === 'BlockDecl' && d.declKind === 'experiment') {
      const r = resolved.get(d.name.name);
      if (r && loaded.symbols.get(d.name.name)?.decl === d) experiments.push(r.spec);
    } else if (d.kind === 'GridDecl') {
      const g = grids.find((x) => x.name === d.name.name);
      for (const c of g?.cells ?? []) { const s = all.get(c.name); if (s) experiments.push(s); }
    }
  }
  const order = [...loaded.files.keys()];
  const sorted = dedupe(diagnostics).sort((a, b) => {
    const fa = a.span ? order.indexOf(a.span.file) : -1; const fb = b.span ? order.indexOf(b.span.file) : -1;
    return fa - fb || (a.span?.start.offset ?? 0) - (b.span?.start.offset ?? 0);
  });
  const program: Program = { experiments, all, grids, sources: loaded.sources, bindings: [...bindings.values()].map((binding) => ({ binding, used: used.has(binding.name) })) };
  if (profile) program.profile = { name: profile.name, file: profile.file, label: profile.label };
  return { value: program, diagnostics: sorted };
}

/** The stdlib's profiles are loaded when the profile, or one it extends, is not declared in the program. */
function needsStdlibProfiles(loaded: Loaded, name: string, seen = new Set<string>()): boolean {
  if (seen.has(name)) return false;
  seen.add(name);
  const sym = loaded.symbols.get(name);
  if (!sym) return true;
  return sym.decl.extends.some((e) => needsStdlibProfiles(loaded, e.name, seen));
}

/** `init from` must form a DAG (docs/language.md §4.3). */
function checkInitCycles(resolved: Map<string, ResolvedExperiment>, diagnostics: Diagnostic[]) {
  const state = new Map<string, 'active' | 'done'>();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'active') {
      // Rotate to start at the smallest name so every entry file reports the same diagnostic.
      const ring = path.slice(path.indexOf(name));
      const k = ring.indexOf([...ring].sort()[0]);
      const rot = [...ring.slice(k), ...ring.slice(0, k)];
      const at = (n: string) => { const x = resolved.get(n)!; return x.init?.target.span ?? x.decl.name.span; };
      diagnostics.push(diag(M.initCycle, at(rot[0]), `cycle in init from: ${[...rot, rot[0]].join(' → ')}`, {
        related: rot.slice(1).map((n, i) => ({ span: at(n), message: `'${n}' initialises from '${rot[(i + 2) % rot.length]}'` })),
        hint: 'an experiment cannot start from its own (eventual) weights; one of them must `init from random`',
      }));
      for (const n of ring) { const x = resolved.get(n); if (x) x.broken = true; }
      return;
    }
    state.set(name, 'active');
    const r = resolved.get(name);
    if (r?.spec.init.kind === 'from' && resolved.has(r.spec.init.experiment)) visit(r.spec.init.experiment, [...path, name]);
    state.set(name, 'done');
  };
  for (const name of resolved.keys()) visit(name, []);
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.code}|${d.span?.file}|${d.span?.start.offset}|${d.span?.end.offset}|${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k); return true;
  });
}

export type { Loaded };
