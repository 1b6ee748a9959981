// The compiler front end in one screen: load → resolve → expand grids → check → validate.
// Pure: all reading goes through the CompilerHost. Returns whatever it could build plus diagnostics.
import type { Source, Span } from '../grammar/ast.ts';
import type { Diagnostic, Outcome } from './diagnostic.ts';
import type { CompilerHost } from './host.ts';
import type { ResolvedSpec } from './spec.ts';
import { M, diag } from './messages.ts';
import { loadProgram, type Loaded } from './resolve-load.ts';
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

export interface Program {
  /** Experiments declared in the entry file, grid cells expanded in place, in declaration order. */
  experiments: ResolvedSpec[];
  /** Every experiment reachable through imports (and every grid cell), by name. */
  all: Map<string, ResolvedSpec>;
  grids: GridInfo[];
  sources: Map<string, Source>;
}

export function compileFile(path: string, host: CompilerHost): Outcome<Program> {
  const diagnostics: Diagnostic[] = [];
  const loaded = loadProgram(path, host, diagnostics);
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
  for (const r of resolved.values()) {
    if (r.broken) continue;
    const ctx = makeContext(r, (n) => resolved.get(n), (d) => diagnostics.push(d));
    for (const rule of RULES) rule.check(ctx);
    if (!r.broken) diagnostics.push(...validateSpec(r));
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
  return { value: { experiments, all, grids, sources: loaded.sources }, diagnostics: sorted };
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
