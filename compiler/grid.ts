// Grid expansion (docs/diff-and-grids.md §Grids): a `grid` declaration becomes one ordinary experiment
// declaration per cell, which the compiler then resolves and checks exactly like a written experiment.
//
//   grid group_a extends paper_main {
//     axis lambda_a = [0, 0.2] -> loss.lambda_a        // named axis bound to a field
//     axis dubs = [off as "✗", any as "✓"] -> dubs.policy
//     zip(a, b)                                         // advance axes together instead of crossing them
//     exclude { dubs = off, lambda_a = 0.2 }            // drop matching cells
//     name = "A{#}"  label = "A.{#}"                    // per-cell name / strings: {axis}, {#} (1-based ordinal)
//     data.budget = 4.6M shots                          // any other entry (or `cell { … }`) applies to every cell
//     when { lambda_a = 0.2 } { init from cell(lambda_a = 0) }   // per-cell entries and lineage
//   }
//
// Order: axes (and zip groups, at the position of their first axis) are crossed with the first axis
// outermost. Precedence inside a cell: shared entries < axis targets < matching `when` bodies (in source
// order). Every synthesized node keeps the span of the grid source it came from, so a bad axis value is
// reported at that value. Pure: no I/O.
import type { BlockDecl, CallLit, Entry, Field, GridAxis, GridDecl, Ident, IdentValue, InitFrom, Span, StringLit, Value } from '../grammar/ast.ts';
import type { Diagnostic, Outcome } from './diagnostic.ts';
import { M, diag, didYouMean } from './messages.ts';

export interface GridCell {
  /** Generated experiment name (`A3`). */
  name: string;
  /** Axis values in plain JSON form (numbers, identifiers as strings, lists; quantities as written). Goes to `origin.grid.axes`. */
  axes: Record<string, unknown>;
  /** Display labels (`off as "✗"`) for the axes that declare one. */
  labels: Record<string, string>;
  /** 0-based position of the cell's value on each axis. */
  index: Record<string, number>;
  /** The synthesized `experiment` declaration (spans point into the grid's source). */
  decl: BlockDecl;
}

export interface GridContext {
  /** Finds another grid by name, for `init from cell(other_grid, axis = v)`. */
  lookupGrid?(name: string): GridDecl | undefined;
  /** Refuse grids with more cells than this (default 1,000,000). */
  maxCells?: number;
}

/** Source-like text of a value (names, messages, `axes` JSON of calls and ranges). */
export function valueText(v: Value): string {
  switch (v.kind) {
    case 'Number': case 'Quantity': return v.text;
    case 'String': return JSON.stringify(v.value);
    case 'Bool': return String(v.value);
    case 'None': return 'none';
    case 'IdentValue': return v.name;
    case 'List': return `[${v.items.map(valueText).join(', ')}]`;
    case 'Range': return `${valueText(v.lo)} ..${v.hi ? ` ${valueText(v.hi)}` : ''}`;
    case 'Call': return `${v.callee.name}(${[...v.args.map(valueText), ...v.named.map((n) => `${n.name.name} = ${valueText(n.value)}`)].join(', ')})`;
    case 'Except': return `${valueText(v.base)} except ${valueText(v.removed)}`;
  }
}

/** Plain-JSON form of an axis value. */
export function valueJson(v: Value): unknown {
  switch (v.kind) {
    case 'Number': return v.value;
    case 'String': return v.value;
    case 'Bool': return v.value;
    case 'None': return null;
    case 'IdentValue': return v.name;
    case 'List': return v.items.map(valueJson);
    default: return valueText(v);
  }
}

/** Structural identity of a value, ignoring spans and spelling (`0.2` = `0.20`, `1/8` = `0.125`). */
export function valueKey(v: Value): string {
  switch (v.kind) {
    case 'Number': return `n:${v.value}`;
    case 'Quantity': return `q:${v.value}:${v.unit}`;
    case 'String': return `s:${JSON.stringify(v.value)}`;
    case 'Bool': return `b:${v.value}`;
    case 'None': return 'none';
    case 'IdentValue': return `i:${v.name}`;
    case 'List': return `[${v.items.map(valueKey).join(',')}]`;
    case 'Range': return `r:${valueKey(v.lo)}..${v.hi ? valueKey(v.hi) : ''}`;
    case 'Call': return `c:${v.callee.name}(${v.args.map(valueKey).join(',')};${v.named.map((n) => `${n.name.name}=${valueKey(n.value)}`).join(',')})`;
    case 'Except': return `x:${valueKey(v.base)}\\${valueKey(v.removed)}`;
  }
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const sanitize = (s: string) => s.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');

interface Axis { decl: GridAxis; name: string; keys: string[]; target?: string }
interface ShapeCell { pos: number[]; excluded: boolean; name: string; ordinal: number }
interface Shape {
  decl: GridDecl;
  axes: Axis[];
  cells: ShapeCell[];
  /** Name pattern field (absent: default pattern). */
  pattern?: StringLit;
  base: Ident[];
  shared: Entry[];
  ok: boolean;
}

const spanOf = (s: Span) => s;

/** Structural analysis of a grid (axes, zips, exclusions, names); memoised per declaration. */
const shapes = new WeakMap<GridDecl, { shape: Shape; diagnostics: Diagnostic[] }>();

function analyze(g: GridDecl, maxCells: number): { shape: Shape; diagnostics: Diagnostic[] } {
  const memo = shapes.get(g);
  if (memo) return memo;
  const ds: Diagnostic[] = [];
  const axes: Axis[] = [];
  const byName = new Map<string, number>();
  const zips: Ident[][] = [];
  let pattern: StringLit | undefined;
  let base: Ident[] = g.extends;
  const shared: Entry[] = [];
  let ok = true;
  const err = (d: Diagnostic) => { ds.push(d); if (d.severity === 'error') ok = false; };

  for (const it of g.items) {
    if (it.kind === 'GridAxis') {
      const prev = byName.get(it.name.name);
      if (prev !== undefined) {
        err(diag(M.gridDuplicateAxis, it.name.span, `axis '${it.name.name}' is declared twice in grid '${g.name.name}'`,
          { related: [{ span: axes[prev].decl.name.span, message: 'first declared here' }] }));
        continue;
      }
      if (it.values.length === 0) {
        err(diag(M.gridEmptyAxis, it.span, `axis '${it.name.name}' has no values`, { hint: 'list at least one value: `axis x = [a, b]`' }));
        continue;
      }
      const keys = it.values.map(valueKey);
      const dup = keys.findIndex((k, i) => keys.indexOf(k) !== i);
      if (dup >= 0) {
        err(diag(M.gridDuplicateAxis, it.values[dup].span, `value \`${valueText(it.values[dup])}\` appears twice on axis '${it.name.name}'`,
          { related: [{ span: it.values[keys.indexOf(keys[dup])].span, message: 'first here' }] }));
        continue;
      }
      byName.set(it.name.name, axes.length);
      axes.push({ decl: it, name: it.name.name, keys, target: it.target?.parts.map((p) => p.name).join('.') });
    } else if (it.kind === 'GridZip') zips.push(it.axes);
    else if (it.kind === 'Field' && it.key.parts.length === 1 && it.key.parts[0].name === 'name') {
      if (it.value.kind !== 'String') err(diag(M.gridBadPattern, it.value.span, 'the cell name pattern must be a string, e.g. `name = "A{dubs}_{lambda_a}"`'));
      else pattern = it.value;
    } else if (it.kind === 'Field' && it.key.parts.length === 1 && it.key.parts[0].name === 'base') {
      if (it.value.kind !== 'IdentValue') err(diag(M.gridBadItem, it.value.span, '`base` names the experiment or preset every cell extends, e.g. `base = A1`'));
      else base = [...g.extends, { kind: 'Ident', name: it.value.name, span: it.value.span }];
    } else if (it.kind === 'Section' && it.key.parts.length === 1 && it.key.parts[0].name === 'cell') shared.push(...it.body.entries);
    else if (it.kind === 'Field' || it.kind === 'Section' || it.kind === 'InitFrom') shared.push(it);
  }

  // Dimensions: each zip group is one dimension at the position of its first axis.
  const zipOf = new Map<number, number>();
  zips.forEach((z, zi) => {
    const idx: number[] = [];
    for (const a of z) {
      const i = byName.get(a.name);
      if (i === undefined) { err(diag(M.gridUnknownAxis, a.span, `zip names unknown axis '${a.name}'`, { hint: didYouMean(a.name, byName.keys()) })); continue; }
      if (zipOf.has(i)) { err(diag(M.gridZipTwice, a.span, `axis '${a.name}' is already in another zip`, { hint: 'an axis can be zipped with others only once; list them all in one zip(…)' })); continue; }
      idx.push(i);
    }
    const n0 = idx.length ? axes[idx[0]].keys.length : 0;
    const bad = idx.find((i) => axes[i].keys.length !== n0);
    if (bad !== undefined) {
      err(diag(M.gridZipLength, z[0].span.file ? { file: z[0].span.file, start: z[0].span.start, end: z[z.length - 1].span.end } : undefined,
        `zipped axes must have the same number of values: ${idx.map((i) => `${axes[i].name} has ${axes[i].keys.length}`).join(', ')}`,
        { related: idx.map((i) => ({ span: axes[i].decl.span, message: `axis '${axes[i].name}'` })) }));
      return;
    }
    for (const i of idx) zipOf.set(i, zi);
  });
  const dims: number[][] = [];
  const placed = new Set<number>();
  axes.forEach((_, i) => {
    if (placed.has(i)) return;
    const zi = zipOf.get(i);
    const group = zi === undefined ? [i] : axes.map((_, j) => j).filter((j) => zipOf.get(j) === zi);
    group.forEach((j) => placed.add(j));
    dims.push(group);
  });

  // Exclusions: each item is a list of (axis, value index) that must all match.
  const excludes: { at: Span; match: [number, number][]; used: boolean }[] = [];
  for (const it of g.items) {
    if (it.kind !== 'GridExclude') continue;
    const m = matchPairs(it.match, axes, byName, err);
    if (m) excludes.push({ at: it.span, match: m, used: false });
  }

  const total = dims.reduce((n, d) => n * axes[d[0]].keys.length, axes.length ? 1 : 0);
  const cells: ShapeCell[] = [];
  if (total > maxCells) {
    err(diag(M.gridTooLarge, g.name.span, `grid '${g.name.name}' has ${total} cells (limit ${maxCells})`, { hint: 'zip or exclude axes, or split the grid' }));
  } else if (ok) {
    const pos = new Array<number>(axes.length).fill(0);
    const counter = new Array<number>(dims.length).fill(0);
    for (let c = 0; c < total; c++) {
      let rem = c;
      for (let d = dims.length - 1; d >= 0; d--) { const n = axes[dims[d][0]].keys.length; counter[d] = rem % n; rem = Math.floor(rem / n); }
      dims.forEach((group, d) => { for (const a of group) pos[a] = counter[d]; });
      let excluded = false;
      for (const e of excludes) if (e.match.every(([a, v]) => pos[a] === v)) { excluded = true; e.used = true; }
      cells.push({ pos: pos.slice(), excluded, name: '', ordinal: 0 });
    }
    for (const e of excludes) if (!e.used) err(diag(M.gridExcludeNothing, e.at, 'this exclude matches no cell (zipped axes only take their values together)'));
    if (axes.length === 0) err(diag(M.gridEmpty, g.name.span, `grid '${g.name.name}' declares no axis`, { hint: 'add one: `axis lambda_a = [0, 0.2] -> loss.lambda_a`' }));
    else if (!cells.some((c) => !c.excluded)) err(diag(M.gridEmpty, g.name.span, `every cell of grid '${g.name.name}' is excluded`));
  }

  // Names.
  if (ok) {
    let ordinal = 0;
    for (const c of cells) if (!c.excluded) c.ordinal = ++ordinal;
    const placeholders = pattern ? [...pattern.value.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]) : [];
    for (const p of placeholders) {
      if (p !== '#' && !byName.has(p)) {
        err(diag(M.gridBadPattern, pattern!.span, `the name pattern uses {${p}}, which is not an axis of '${g.name.name}'`,
          { hint: didYouMean(p, byName.keys()) ?? `placeholders: {#} (cell number) and the axes ${axes.map((a) => `{${a.name}}`).join(', ')}` }));
      }
    }
    if (pattern && !placeholders.includes('#') && !axes.every((a, i) => placeholders.includes(a.name) || isConstant(i, cells))) {
      // Not an error by itself: a collision check below reports the concrete clash.
    }
    if (ok) {
      const seen = new Map<string, ShapeCell>();
      for (const c of cells) {
        c.name = pattern ? interpolate(pattern.value, axes, c, 'name') : [g.name.name, ...axes.map((a, i) => nameText(a, c.pos[i]))].join('_');
        if (c.excluded) continue;
        if (!IDENT.test(c.name)) {
          err(diag(M.gridBadPattern, pattern?.span ?? g.name.span, `cell ${describeCell(axes, c)} would be named '${c.name}', which is not a valid name`,
            { hint: 'names are letters, digits and `_`, starting with a letter' }));
          break;
        }
        const prev = seen.get(c.name);
        if (prev) {
          err(diag(M.gridDuplicateCell, pattern?.span ?? g.name.span, `cells ${describeCell(axes, prev)} and ${describeCell(axes, c)} both get the name '${c.name}'`,
            { hint: `put every varying axis (or {#}) in the pattern: e.g. "${g.name.name}{#}"` }));
          break;
        }
        seen.set(c.name, c);
      }
    }
  }

  const out = { shape: { decl: g, axes, cells, pattern, base, shared, ok }, diagnostics: ds };
  shapes.set(g, out);
  return out;
}

const isConstant = (axis: number, cells: ShapeCell[]) => cells.every((c) => c.pos[axis] === cells[0].pos[axis]);

function nameText(a: Axis, i: number): string {
  const s = sanitize(valueText(a.decl.values[i]).replace(/\./g, 'p'));
  return s || String(i + 1);
}

function interpolate(text: string, axes: Axis[], c: ShapeCell, mode: 'name' | 'string'): string {
  return text.replace(/\{([^{}]*)\}/g, (whole, p: string) => {
    if (p === '#') return String(c.ordinal);
    const i = axes.findIndex((a) => a.name === p);
    if (i < 0) return whole;
    if (mode === 'name') return nameText(axes[i], c.pos[i]);
    const label = axes[i].decl.labels?.[c.pos[i]]?.value;
    return label ?? valueText(axes[i].decl.values[c.pos[i]]).replace(/^"|"$/g, '');
  });
}

const describeCell = (axes: Axis[], c: ShapeCell) => `(${axes.map((a, i) => `${a.name} = ${valueText(a.decl.values[c.pos[i]])}`).join(', ')})`;

function matchPairs(match: { axis: Ident; value: Value }[], axes: Axis[], byName: Map<string, number>,
  err: (d: Diagnostic) => void): [number, number][] | undefined {
  const out: [number, number][] = [];
  let good = true;
  for (const { axis, value } of match) {
    const i = byName.get(axis.name);
    if (i === undefined) {
      err(diag(M.gridUnknownAxis, axis.span, `unknown axis '${axis.name}'`, { hint: didYouMean(axis.name, byName.keys()) ?? `axes: ${[...byName.keys()].join(', ')}` }));
      good = false; continue;
    }
    const v = axes[i].keys.indexOf(valueKey(value));
    if (v < 0) {
      err(diag(M.gridValueNotOnAxis, value.span, `\`${valueText(value)}\` is not a value of axis '${axis.name}'`,
        { hint: `its values: ${axes[i].decl.values.map(valueText).join(', ')}`, related: [{ span: axes[i].decl.span, message: `axis '${axis.name}' declared here` }] }));
      good = false; continue;
    }
    out.push([i, v]);
  }
  return good ? out : undefined;
}

/** Flattens entries to dotted fields (`data.titles { dubs = 1.. }` → `data.titles.dubs = 1..`), keyed by path. */
function flatten(entries: Entry[], prefix: Ident[], out: Map<string, Entry[]>, rewrite: (e: Entry) => Entry): void {
  for (const e of entries) {
    if (e.kind === 'InitFrom') { push(out, '@init', rewrite(e)); continue; }
    const parts = [...prefix, ...e.key.parts];
    if (e.kind === 'Section') { flatten(e.body.entries, parts, out, rewrite); continue; }
    const f: Field = prefix.length ? { ...e, key: { ...e.key, parts } } : e;
    push(out, parts.map((p) => p.name).join('.'), rewrite(f));
  }
}
const push = (m: Map<string, Entry[]>, k: string, e: Entry) => { const l = m.get(k); if (l) l.push(e); else m.set(k, [e]); };

/** Expands a grid into its cells. Diagnostics point into the grid's source. */
export function expandGrid(decl: GridDecl, ctx: GridContext = {}): Outcome<{ cells: GridCell[] }> {
  const maxCells = ctx.maxCells ?? 1_000_000;
  const { shape, diagnostics: structural } = analyze(decl, maxCells);
  const ds: Diagnostic[] = [...structural];
  if (!shape.ok) return { value: { cells: [] }, diagnostics: ds };
  const { axes, cells } = shape;
  const byName = new Map(axes.map((a, i) => [a.name, i]));
  const whens = decl.items.filter((it) => it.kind === 'GridWhen').map((w) => {
    const m = matchPairs(w.match, axes, byName, (d) => ds.push(d));
    return { w, m };
  });
  const reported = new Set<string>();
  const report = (key: string, d: Diagnostic) => { if (!reported.has(key)) { reported.add(key); ds.push(d); } };

  // Flatten shared entries and `when` bodies once; per cell only entries with `{…}` strings or
  // `cell(…)` need rewriting (10,000-cell grids: this loop is the whole cost of expansion).
  const flat = (entries: Entry[]) => { const m = new Map<string, Entry[]>(); flatten(entries, [], m, (e) => e); return [...m]; };
  const needsRewrite = (e: Entry) => e.kind === 'InitFrom' ? e.target.kind === 'Call' && e.target.callee.name === 'cell'
    : e.kind === 'Field' && e.value.kind === 'String' && e.value.value.includes('{');
  const sharedFlat = flat(shape.shared);
  const whenFlat = whens.map(({ w, m }) => ({ m, entries: flat(w.body.entries) }));
  // Axis value fields, built once per (axis, value).
  const axisField = axes.map((a) => a.decl.target ? a.decl.values.map((value): Field => ({ kind: 'Field', key: a.decl.target!, value,
    span: { file: a.decl.target!.span.file, start: a.decl.target!.span.start, end: a.decl.span.end.offset > value.span.end.offset ? a.decl.span.end : value.span.end } })) : undefined);
  const axisKeys = axes.map((a) => a.target);

  const out: GridCell[] = [];
  for (const c of cells) {
    if (c.excluded) continue;
    const rewrite = (e: Entry): Entry => {
      if (e.kind === 'InitFrom') return rewriteInit(e, shape, c, ctx, maxCells, report);
      if (e.kind === 'Field' && e.value.kind === 'String') return { ...e, value: { ...e.value, value: interpolate(e.value.value, axes, c, 'string') } };
      return e;
    };
    const fix = (es: Entry[]) => (es.some(needsRewrite) ? es.map((e) => (needsRewrite(e) ? rewrite(e) : e)) : es);
    // Layers, later wins per path: shared entries, axis targets, matching `when` bodies.
    const merged = new Map<string, Entry[]>();
    for (const [k, es] of sharedFlat) merged.set(k, fix(es));
    axes.forEach((a, i) => {
      const k = axisKeys[i];
      if (!k) return;
      const f = axisField[i]![c.pos[i]];
      if (merged.has(k)) {
        const first = merged.get(k)![0];
        report(`ovr:${k}`, diag(M.gridAxisOverridden, first.span, `\`${k}\` is set by axis '${a.name}', which overrides this entry`,
          { related: [{ span: f.span, message: 'the axis sets it here' }], hint: 'remove the entry, or drop the axis target and set the field in `when` blocks' }));
      }
      merged.set(k, [f]);
    });
    for (const { m, entries } of whenFlat) if (m && m.every(([a, v]) => c.pos[a] === v)) for (const [k, es] of entries) merged.set(k, fix(es));

    const entries = [...merged.values()].flat();
    const axesJson: Record<string, unknown> = {}; const labels: Record<string, string> = {}; const index: Record<string, number> = {};
    axes.forEach((a, i) => {
      axesJson[a.name] = valueJson(a.decl.values[c.pos[i]]);
      index[a.name] = c.pos[i];
      const l = a.decl.labels?.[c.pos[i]]?.value;
      if (l !== undefined) labels[a.name] = l;
    });
    const nameSpan = shape.pattern?.span ?? decl.name.span;
    const cellDecl: BlockDecl = {
      kind: 'BlockDecl', declKind: 'experiment',
      name: { kind: 'Ident', name: c.name, span: spanOf(nameSpan) },
      extends: shape.base,
      body: { kind: 'Block', entries, span: decl.span },
      span: decl.span,
    };
    if (decl.doc) cellDecl.doc = decl.doc;
    out.push({ name: c.name, axes: axesJson, labels, index, decl: cellDecl });
  }
  return { value: { cells: out }, diagnostics: ds };
}

/** `init from cell(axis = v, …)` / `cell(other_grid, axis = v, …)` → `init from <cell name>`. */
function rewriteInit(e: InitFrom, shape: Shape, c: ShapeCell, ctx: GridContext, maxCells: number,
  report: (key: string, d: Diagnostic) => void): InitFrom {
  const t = e.target;
  if (t.kind !== 'Call' || t.callee.name !== 'cell') return e;
  const call = t as CallLit;
  let target = shape;
  if (call.args.length > 1 || (call.args.length === 1 && call.args[0].kind !== 'IdentValue')) {
    report(`arg:${call.span.start.offset}`, diag(M.gridBadItem, call.span, '`cell(…)` takes an optional grid name followed by `axis = value` pairs',
      { hint: 'e.g. `init from cell(lambda_a = 0)` or `init from cell(group_b, languages = all)`' }));
    return e;
  }
  if (call.args.length === 1) {
    const gname = (call.args[0] as IdentValue).name;
    if (gname !== shape.decl.name.name) {
      const other = ctx.lookupGrid?.(gname);
      if (!other) {
        report(`grid:${call.span.start.offset}`, diag(M.gridUnknownGrid, call.args[0].span, `unknown grid '${gname}'`,
          { hint: 'the first argument of `cell(…)` names a grid declared in this program' }));
        return e;
      }
      target = analyze(other, maxCells).shape;
      if (!target.ok) {
        report(`grid:${call.span.start.offset}`, diag(M.gridUnknownGrid, call.args[0].span, `grid '${gname}' has errors; its cells cannot be referenced`));
        return e;
      }
    }
  }
  const byName = new Map(target.axes.map((a, i) => [a.name, i]));
  const errs: Diagnostic[] = [];
  const m = matchPairs(call.named.map((n) => ({ axis: n.name, value: n.value })), target.axes, byName, (d) => errs.push(d));
  if (!m) { errs.forEach((d, i) => report(`m:${call.span.start.offset}:${i}`, d)); return e; }
  // Axes not named in cell(…) keep this cell's value where the target has the same axis and value.
  const named = new Set(m.map(([a]) => a));
  const inherited: [number, number][] = [];
  target.axes.forEach((ta, ti) => {
    if (named.has(ti)) return;
    const si = shape.axes.findIndex((a) => a.name === ta.name);
    if (si < 0) return;
    const v = ta.keys.indexOf(shape.axes[si].keys[c.pos[si]]);
    if (v >= 0) inherited.push([ti, v]);
  });
  let cands: ShapeCell[];
  const direct = m.length + inherited.length === target.axes.length ? cellIndex(target).get(posKey(target.axes.length, [...m, ...inherited])) : undefined;
  if (direct) cands = [direct]; // every axis determined: one lookup instead of a scan (large grids)
  else {
    cands = target.cells.filter((x) => m.every(([a, v]) => x.pos[a] === v));
    for (const [ti, v] of inherited) {
      const narrowed = cands.filter((x) => x.pos[ti] === v);
      if (narrowed.length) cands = narrowed;
    }
  }
  const live = cands.filter((x) => !x.excluded);
  const here = describeCell(shape.axes, c);
  if (live.length === 0) {
    report(`none:${call.span.start.offset}:${c.name}`, diag(M.gridCellNoMatch, call.span,
      cands.length ? `\`${valueTextCall(call)}\` for cell ${c.name} ${here} refers to an excluded cell` : `\`${valueTextCall(call)}\` matches no cell of grid '${target.decl.name.name}' (from cell ${c.name} ${here})`));
    return e;
  }
  if (live.length > 1) {
    const free = target.axes.filter((_, i) => !named.has(i) && new Set(live.map((x) => x.pos[i])).size > 1).map((a) => a.name);
    report(`many:${call.span.start.offset}`, diag(M.gridCellAmbiguous, call.span,
      `\`${valueTextCall(call)}\` matches ${live.length} cells of '${target.decl.name.name}' (${live.slice(0, 4).map((x) => x.name).join(', ')}${live.length > 4 ? ', …' : ''})`,
      { hint: `also give ${free.map((a) => `\`${a} = …\``).join(', ')}` }));
    return e;
  }
  const hit = live[0];
  if (target === shape && hit === c) {
    report(`self:${call.span.start.offset}:${c.name}`, diag(M.initCycle, call.span, `cell ${c.name} ${here} would be initialised from itself`,
      { hint: 'restrict the `when` block to the cells that have a parent' }));
    return e;
  }
  const ident: IdentValue = { kind: 'IdentValue', name: hit.name, span: call.span };
  return { ...e, target: ident };
}

const valueTextCall = (c: CallLit) => valueText(c);

const posKey = (n: number, pairs: [number, number][]) => {
  const pos = new Array<number>(n).fill(-1);
  for (const [a, v] of pairs) pos[a] = v;
  return pos.join(',');
};
const cellIndexes = new WeakMap<Shape, Map<string, ShapeCell>>();
function cellIndex(shape: Shape): Map<string, ShapeCell> {
  let m = cellIndexes.get(shape);
  if (!m) { m = new Map(shape.cells.map((c) => [c.pos.join(','), c])); cellIndexes.set(shape, m); }
  return m;
}

/** Axis metadata of a grid for tables and `expand`: targets and per-value labels. */
export interface GridInfoAxis { name: string; target?: string; values: { json: unknown; text: string; label?: string }[] }
export function gridAxes(decl: GridDecl): GridInfoAxis[] {
  return decl.items.filter((it): it is GridAxis => it.kind === 'GridAxis').map((a) => ({
    name: a.name.name,
    target: a.target?.parts.map((p) => p.name).join('.'),
    values: a.values.map((v, i) => {
      const o: { json: unknown; text: string; label?: string } = { json: valueJson(v), text: valueText(v) };
      const l = a.labels?.[i]?.value;
      if (l !== undefined) o.label = l;
      return o;
    }),
  }));
}

/** The kept cells of a grid with their value index per axis, the axes' zip groups, and each `when`
 * block's match as (axis index, value index) pairs — for the confound check. Undefined when the grid
 * has structural errors (already reported by expandGrid). */
export interface GridLayout {
  axes: { name: string; decl: GridAxis; target?: string; zip: number }[];
  cells: { name: string; pos: number[] }[];
  whens: { decl: import('../grammar/ast.ts').GridWhen; match: [number, number][] }[];
}
export function gridLayout(decl: GridDecl, maxCells = 1_000_000): GridLayout | undefined {
  const { shape } = analyze(decl, maxCells);
  if (!shape.ok) return undefined;
  const byName = new Map(shape.axes.map((a, i) => [a.name, i]));
  const zipOf = new Map<string, number>();
  decl.items.forEach((it, zi) => { if (it.kind === 'GridZip') for (const a of it.axes) if (!zipOf.has(a.name)) zipOf.set(a.name, zi); });
  const axes = shape.axes.map((a, i) => ({ name: a.name, decl: a.decl, target: a.target, zip: zipOf.has(a.name) ? -1 - zipOf.get(a.name)! : i }));
  const whens: GridLayout['whens'] = [];
  for (const it of decl.items) {
    if (it.kind !== 'GridWhen') continue;
    const m = matchPairs(it.match, shape.axes, byName, () => {});
    if (m) whens.push({ decl: it, match: m });
  }
  return { axes, cells: shape.cells.filter((c) => !c.excluded).map((c) => ({ name: c.name, pos: c.pos })), whens };
}
