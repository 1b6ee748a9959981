// Resolution (docs/language.md §4): `extends` chains are linearised, entries flattened to dotted
// paths (later declarations override earlier ones), each path is looked up in the field table,
// converted to base units, references (`mvit_s`, `esc50`, `init from A2`) are bound, and defaults
// fill the rest. The result is a ResolvedSpec plus provenance (which source span set each field),
// which the check rules use to point at the right place.
import type { BlockDecl, Decl, Entry, IdentValue, InitFrom, Span, Value } from '../grammar/ast.ts';
import type { Diagnostic } from './diagnostic.ts';
import type { BackboneSpec, InitSpec, ProbeSpec, ResolvedSpec } from './spec.ts';
import { M, diag, didYouMean } from './messages.ts';
import { childrenOf, fieldAt, FIELDS, sectionsOf, type DeclSchema, type FieldDef, type SameTitle } from './schema/index.ts';
import { INVALID, type ConvertCtx } from './schema/types.ts';
import type { Loaded } from './resolve-load.ts';

/** One `key = value` as it applies to a declaration after flattening. */
export interface Assignment {
  path: string;
  keySpan: Span;
  value: Value;
  span: Span;
  /** Declaration whose body holds the entry. */
  decl: BlockDecl;
}

/** A resolved experiment with the provenance the rules need. */
export interface ResolvedExperiment {
  spec: ResolvedSpec;
  decl: BlockDecl;
  file: string;
  /** Surface path → the assignment that set it (absent: default). */
  fields: Map<string, Assignment>;
  /** Converted values of fields that are not stored verbatim in the spec (same_title, head dims…). */
  extras: Map<string, unknown>;
  /** The `init from` entry, if any. */
  init?: InitFrom;
  /** True when resolution reported errors for this experiment. */
  broken: boolean;
  /** The linearised `extends` chain (ancestors first) and the grid cell it came from: what a profile rebuilds from. */
  chain: BlockDecl[];
  grid?: { name: string; axes: Record<string, unknown> };
}

const KIND_SCHEMA: Record<BlockDecl['declKind'], DeclSchema | undefined> = {
  experiment: 'experiment', preset: undefined, backbone: 'backbone', task: 'task', profile: undefined, project: undefined,
};

// Field paths are few (the field table) and set once per field per spec: split each once.
const pathParts = new Map<string, string[]>();
const setPath = (obj: Record<string, unknown>, path: string, value: unknown) => {
  let parts = pathParts.get(path);
  if (!parts) { parts = path.split('.'); pathParts.set(path, parts); }
  let o = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i];
    if (typeof o[p] !== 'object' || o[p] === null) o[p] = {};
    o = o[p] as Record<string, unknown>;
  }
  o[parts[parts.length - 1]] = value;
};

/**
 * A field's default, copied for one spec (later stages mutate specs). Defaults are JSON data: copied
 * by hand, since structuredClone on every default of every experiment dominated large grids.
 */
const cloneDefault = (v: unknown): unknown => {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(cloneDefault);
  if (Object.getPrototypeOf(v) !== Object.prototype) return structuredClone(v);
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(v)) o[k] = cloneDefault((v as Record<string, unknown>)[k]);
  return o;
};

const SECTIONS: Record<DeclSchema, Set<string>> = {
  experiment: sectionsOf('experiment'), backbone: sectionsOf('backbone'), task: sectionsOf('task'),
};

/** Clean task and backbone resolutions, shared by every compile in the process (Resolver.leaf). */
const LEAVES = new WeakMap<BlockDecl, { spec: unknown; lookups: [string, Decl | undefined][] }>();

export class Resolver {
  private readonly experiments = new Map<string, ResolvedExperiment | null>();
  private readonly backbones = new Map<string, BackboneSpec | null>();
  private readonly tasks = new Map<string, ProbeSpec | null>();
  private readonly sections = SECTIONS;

  /** Lookups made by the leaf resolutions in progress (see leaf()). */
  private readonly recorders: [string, Decl | undefined][][] = [];

  constructor(readonly program: Loaded, readonly diagnostics: Diagnostic[]) {}

  private text = (span: Span): string => {
    const s = this.program.sources.get(span.file);
    return s ? s.text.slice(span.start.offset, span.end.offset) : '';
  };

  /** Names of declarations of the given kinds, for suggestions. */
  namesOf(kinds: Decl['declKind'][]): string[] {
    return [...this.program.symbols.values()].filter((s) => kinds.includes(s.decl.declKind)).map((s) => s.decl.name.name);
  }

  /** Look a name up as one of `kinds`; reports unknown / wrong-kind names at `span`. */
  lookup(name: string, span: Span, kinds: Decl['declKind'][], what: string): BlockDecl | undefined {
    const sym = this.program.symbols.get(name);
    for (const r of this.recorders) r.push([name, sym?.decl]);
    if (!sym) {
      this.diagnostics.push(diag(M.unknownName, span, `unknown ${what} '${name}'`, {
        hint: didYouMean(name, this.namesOf(kinds)) ?? (kinds.includes('backbone') || kinds.includes('task') ? 'is the stdlib module that declares it imported? (e.g. import "paper")' : undefined),
      }));
      return undefined;
    }
    if (!kinds.includes(sym.decl.declKind) || sym.decl.kind !== 'BlockDecl') {
      const an = (w: string) => (/^[aeiou]/.test(w) ? `an ${w}` : `a ${w}`);
      this.diagnostics.push(diag(M.wrongDeclKind, span, `'${name}' is ${an(sym.decl.declKind)}, not ${kinds.length === 1 ? an(kinds[0]) : `${an(kinds.slice(0, -1).join(', '))} or ${kinds[kinds.length - 1]}`}`, {
        related: [{ span: sym.decl.name.span, message: `${sym.decl.declKind} '${name}' declared here` }],
      }));
      return undefined;
    }
    return sym.decl;
  }

  private readonly linearized = new Map<string, { chain: BlockDecl[]; ok: boolean }>();
  private readonly declIds = new Map<BlockDecl, number>();

  /**
   * `extends` linearisation: ancestors first (depth-first, left to right), each once, then the decl.
   * Memoised per declaration and schema, so long `extends` chains stay linear to resolve.
   */
  linearize(decl: BlockDecl, schema: DeclSchema | undefined, stack: BlockDecl[] = []): { chain: BlockDecl[]; ok: boolean } {
    let id = this.declIds.get(decl);
    if (id === undefined) { id = this.declIds.size; this.declIds.set(decl, id); }
    const key = `${id}:${schema ?? ''}`;
    const memo = this.linearized.get(key);
    if (memo) return memo;
    const out: BlockDecl[] = [];
    const seen = new Set<BlockDecl>();
    let ok = true;
    // Profiles extend profiles only: their bodies are not experiment bodies (compiler/profile.ts).
    const own = decl.declKind === 'profile' || decl.declKind === 'project' ? decl.declKind : undefined;
    const allowed: Decl['declKind'][] = own ? [own] : schema === 'experiment' ? ['experiment', 'preset'] : schema ? [schema, 'preset'] : ['preset', 'experiment', 'backbone', 'task'];
    for (const parent of decl.extends) {
      const p = this.lookup(parent.name, parent.span, allowed, own ?? (schema === 'experiment' ? 'experiment or preset' : schema ? `${schema} or preset` : 'declaration'));
      if (!p) { ok = false; continue; }
      if (p === decl || stack.includes(p)) {
        const from = p === decl ? stack.length : stack.indexOf(p);
        const cyc = [...stack.slice(from).map((d) => d.name.name), decl.name.name, p.name.name];
        this.diagnostics.push(diag(M.extendsCycle, parent.span, `cycle in extends: ${cyc.join(' → ')}`, {
          related: stack.slice(from).map((d) => ({ span: d.name.span, message: `'${d.name.name}' is part of the cycle` })),
          hint: 'a declaration cannot inherit from itself, directly or through its parents',
        }));
        ok = false; continue;
      }
      const sub = this.linearize(p, schema, [...stack, decl]);
      if (!sub.ok) ok = false;
      for (const c of sub.chain) if (!seen.has(c)) { seen.add(c); out.push(c); }
    }
    if (!seen.has(decl)) out.push(decl);
    // A broken parent is skipped, not fatal: the declaration's own body is still checked.
    const result = { chain: out, ok };
    // Results computed inside a cycle depend on the path that reached them: memoise only clean ones.
    if (ok || stack.length === 0) this.linearized.set(key, result);
    return result;
  }

  /** Flattens a chain's bodies into path → assignment (later wins); reports unknown and duplicate keys. */
  flatten(chain: BlockDecl[], schema: DeclSchema): { fields: Map<string, Assignment>; init?: InitFrom; initDecl?: BlockDecl; ok: boolean } {
    const fields = new Map<string, Assignment>();
    let init: InitFrom | undefined; let initDecl: BlockDecl | undefined;
    let ok = true;
    for (const decl of chain) {
      const b = this.body(decl, schema);
      if (!b.ok) ok = false;
      for (const a of b.assignments) fields.set(a.path, a);
      if (b.init) { init = b.init; initDecl = decl; }
    }
    return { fields, init, initDecl, ok };
  }

  private readonly bodies = new WeakMap<BlockDecl, Map<DeclSchema, { assignments: Assignment[]; init?: InitFrom; ok: boolean }>>();

  /**
   * One declaration's own entries as assignments, in order, checked against the schema. Memoised per
   * declaration and schema: a parent's body is walked (and its problems reported) once, not once per
   * descendant — every cell of a grid shares its parents' chain.
   */
  private body(decl: BlockDecl, schema: DeclSchema): { assignments: Assignment[]; init?: InitFrom; ok: boolean } {
    let bySchema = this.bodies.get(decl);
    if (!bySchema) { bySchema = new Map(); this.bodies.set(decl, bySchema); }
    const memo = bySchema.get(schema);
    if (memo) return memo;
    const assignments: Assignment[] = [];
    let init: InitFrom | undefined;
    let ok = true;
    const seen = new Map<string, Span>();
    let seenInit: Span | undefined;
    const walk = (entries: Entry[], prefix: string) => {
      for (const e of entries) {
        if (e.kind === 'InitFrom') {
          if (schema !== 'experiment' || prefix) {
            this.diagnostics.push(diag(M.unknownField, e.span, schema !== 'experiment' ? `\`init from\` is only allowed in experiments, not in a ${decl.declKind === 'preset' ? `${schema}` : decl.declKind}` : `\`init from\` must be at the top level of an experiment, not inside \`${prefix}\``));
            ok = false; continue;
          }
          if (seenInit) {
            this.diagnostics.push(diag(M.duplicateField, e.span, `\`init from\` is given twice in '${decl.name.name}'`, { related: [{ span: seenInit, message: 'first given here' }] }));
            ok = false; continue;
          }
          seenInit = e.span; init = e;
          continue;
        }
        const key = e.key.parts.map((p) => p.name).join('.');
        const path = prefix ? `${prefix}.${key}` : key;
        if (e.kind === 'Section') {
          if (!this.checkPath(path, e.key.parts.map((p) => p.span), prefix, schema, true)) { ok = false; continue; }
          walk(e.body.entries, path);
          continue;
        }
        if (!this.checkPath(path, e.key.parts.map((p) => p.span), prefix, schema, false)) { ok = false; continue; }
        const prev = seen.get(path);
        if (prev) {
          this.diagnostics.push(diag(M.duplicateField, e.key.span, `\`${path}\` is set twice in '${decl.name.name}'`, {
            related: [{ span: prev, message: 'first set here' }], hint: 'remove one of them; to override a parent, set the field in a declaration that extends it',
          }));
          ok = false; continue;
        }
        seen.set(path, e.key.span);
        assignments.push({ path, keySpan: e.key.span, value: e.value, span: e.span, decl });
      }
    };
    walk(decl.body.entries, '');
    const b = { assignments, init, ok };
    bySchema.set(schema, b);
    return b;
  }

  /** Is `path` a field (or, when `asSection`, a section) of the schema? Reports with a suggestion. */
  private checkPath(path: string, partSpans: Span[], prefix: string, schema: DeclSchema, asSection: boolean): boolean {
    const sections = this.sections[schema];
    const isSection = sections.has(path);
    const field = fieldAt(schema, path);
    if (asSection ? isSection || (field && field.path.endsWith('.*')) : field && !isSection) return true;
    const parts = path.split('.');
    const prefixLen = prefix ? prefix.split('.').length : 0;
    const keySpan = { file: partSpans[0].file, start: partSpans[0].start, end: partSpans[partSpans.length - 1].end };
    if (asSection && field) {
      this.diagnostics.push(diag(M.typeMismatch, keySpan, `\`${path}\` is a field, not a section`, { hint: `write \`${parts.slice(prefixLen).join('.')} = …\`` }));
      return false;
    }
    if (!asSection && isSection) {
      this.diagnostics.push(diag(M.typeMismatch, keySpan, `\`${path}\` is a section, not a field`, {
        hint: `write \`${parts.slice(prefixLen).join('.')} { … }\` with its fields: ${childrenOf(schema, path).join(', ')}`,
      }));
      return false;
    }
    // Find the first unknown segment.
    let i = 0;
    while (i < parts.length - 1 && sections.has(parts.slice(0, i + 1).join('.'))) i++;
    const parent = parts.slice(0, i).join('.');
    const bad = parts[i];
    const spanIdx = Math.max(0, i - prefixLen);
    const span = partSpans[Math.min(spanIdx, partSpans.length - 1)];
    const options = childrenOf(schema, parent);
    const what = schema === 'experiment' ? 'an experiment' : `a ${schema}`;
    this.diagnostics.push(diag(M.unknownField, span, parent ? `\`${parent}\` has no field \`${bad}\`` : `${what} has no field \`${bad}\``, {
      hint: didYouMean(bad, options) ?? `fields of ${parent ? `\`${parent}\`` : what}: ${options.join(', ')}`,
    }));
    return false;
  }

  /** Converts flattened fields against the table; returns the spec object and extras. */
  build(schema: DeclSchema, decl: BlockDecl, fields: Map<string, Assignment>, ctx: ConvertCtx, reportMissing = true): { obj: Record<string, unknown>; extras: Map<string, unknown>; ok: boolean } {
    const obj: Record<string, unknown> = {};
    const extras = new Map<string, unknown>();
    let ok = true;
    const defs = FIELDS[schema];
    for (const d of defs) {
      if (d.path.endsWith('.*')) continue;
      const a = fields.get(d.path);
      let value: unknown;
      if (a) {
        const x = this.convertValue(d, a.value, ctx);
        // On a bad value keep the default, so later stages see a complete (if flagged) object.
        if (x === INVALID) { ok = false; value = cloneDefault(d.default); } else value = x;
      } else if (d.required) {
        if (reportMissing) this.diagnostics.push(diag(M.missingField, decl.name.span, `${decl.declKind} '${decl.name.name}' does not set \`${d.path}\``, { hint: d.doc }));
        ok = false; continue;
      } else value = cloneDefault(d.default);
      if (value === undefined) continue;
      if (d.to === null) extras.set(d.path, value);
      else setPath(obj, d.to ?? d.path, value);
    }
    // Wildcard sections (backbone `config.*`).
    for (const [path, a] of fields) {
      const d = fieldAt(schema, path) as FieldDef;
      if (!d.path.endsWith('.*')) continue;
      const x = d.type.convert(a.value, ctx, path);
      if (x === INVALID) { ok = false; continue; }
      const base = d.path.slice(0, -2);
      const rest = path.slice(base.length + 1);
      const bag = (extras.get(base) as Record<string, unknown>) ?? {};
      bag[rest] = x;
      extras.set(base, bag);
    }
    return { obj, extras, ok };
  }

  private ctx(): ConvertCtx {
    return {
      report: (d) => this.diagnostics.push(d),
      text: this.text,
      ref: (kind, v) => {
        const r = kind === 'backbone' ? this.backboneRef(v as IdentValue) : this.taskRef(v as IdentValue);
        if (typeof r === 'object') this.refs.add(r);
        return r;
      },
    };
  }

  /**
   * Converted values by value node and field path. A conversion that reported nothing depends only on
   * the node, the field and the program's declarations (this resolver's), so a node shared by many
   * experiments — a parent's entry, a grid's shared entries and axis values — is converted once per
   * compile, not once per experiment or cell. Every experiment still gets its own copy (later stages
   * mutate specs); only what `ref` returned (task and backbone resolutions, shared already) is shared.
   * Not used inside leaf resolutions, whose lookups must all be recorded (see leaf()).
   */
  private readonly converted = new WeakMap<Value, Map<string, unknown>>();
  /** Objects `ref` returned: shared between specs by design, never copied. */
  private readonly refs = new WeakSet<object>();

  private convertValue(d: FieldDef, v: Value, ctx: ConvertCtx): unknown {
    if (this.recorders.length) return d.type.convert(v, ctx, d.path);
    let byPath = this.converted.get(v);
    if (byPath?.has(d.path)) return this.own(byPath.get(d.path));
    const before = this.diagnostics.length;
    const x = d.type.convert(v, ctx, d.path);
    if (x === INVALID || this.diagnostics.length !== before || !this.copyable(x)) return x;
    if (!byPath) { byPath = new Map(); this.converted.set(v, byPath); }
    byPath.set(d.path, this.own(x));
    return x;
  }

  /** JSON-like data (and `ref` results inside it), which own() can copy faithfully. */
  private copyable(x: unknown): boolean {
    if (x === null || typeof x !== 'object') return typeof x !== 'function' && typeof x !== 'symbol';
    if (this.refs.has(x)) return true;
    if (Array.isArray(x)) return x.every((e) => this.copyable(e));
    const proto = Object.getPrototypeOf(x);
    return (proto === Object.prototype || proto === null) && Object.values(x).every((e) => this.copyable(e));
  }

  /** A copy of converted data for one spec: fresh arrays and objects, `ref` results shared. */
  private own(x: unknown): unknown {
    if (x === null || typeof x !== 'object' || this.refs.has(x)) return x;
    if (Array.isArray(x)) return x.map((e) => this.own(e));
    const o: Record<string, unknown> = Object.getPrototypeOf(x) === null ? Object.create(null) : {};
    for (const k of Object.keys(x)) o[k] = this.own((x as Record<string, unknown>)[k]);
    return o;
  }

  private backboneRef(v: IdentValue): BackboneSpec | typeof INVALID {
    const decl = this.lookup(v.name, v.span, ['backbone'], 'backbone');
    if (!decl) return INVALID;
    return this.backbone(decl) ?? INVALID;
  }

  private taskRef(v: IdentValue): ProbeSpec | typeof INVALID {
    const decl = this.lookup(v.name, v.span, ['task'], 'task');
    if (!decl) return INVALID;
    return this.task(decl) ?? INVALID;
  }

  /**
   * Tasks and backbones are leaves (they reference no other task or backbone): a clean resolution
   * depends only on the declaration, the declarations its lookups found and the file texts, and parsed
   * files are shared per process (resolve-load's parse cache). So it is kept across compiles — `check
   * experiments/` resolves the whole stdlib once, not once per file — and reused only while every name
   * it looked up still binds to the same declaration. Resolutions that reported anything are not kept.
   */
  private leaf<T>(decl: BlockDecl, compute: () => T | undefined): T | undefined {
    const hit = LEAVES.get(decl);
    if (hit && hit.lookups.every(([name, d]) => this.program.symbols.get(name)?.decl === d)) return hit.spec as T;
    const lookups: [string, Decl | undefined][] = [];
    const before = this.diagnostics.length;
    this.recorders.push(lookups);
    let spec: T | undefined;
    try { spec = compute(); } finally { this.recorders.pop(); }
    if (spec !== undefined && this.diagnostics.length === before) LEAVES.set(decl, { spec, lookups });
    return spec;
  }

  backbone(decl: BlockDecl): BackboneSpec | undefined {
    const memo = this.backbones.get(decl.name.name);
    if (memo !== undefined) return memo ?? undefined;
    const spec = this.leaf(decl, () => this.resolveBackbone(decl));
    this.backbones.set(decl.name.name, spec ?? null);
    return spec;
  }

  private resolveBackbone(decl: BlockDecl): BackboneSpec | undefined {
    this.backbones.set(decl.name.name, null);
    const { chain, ok: linOk } = this.linearize(decl, 'backbone');
    const { fields, ok: flatOk } = this.flatten(chain, 'backbone');
    const { obj, extras, ok } = this.build('backbone', decl, fields, this.ctx(), linOk);
    if (!ok || !flatOk || !linOk) return undefined;
    const spec: BackboneSpec = {
      name: decl.name.name, modality: obj.modality as BackboneSpec['modality'], family: obj.family as BackboneSpec['family'],
      output_dim: obj.output_dim as number, config: (extras.get('config') as BackboneSpec['config']) ?? {},
      published_params: (obj.published_params as number | null) ?? null,
    };
    return spec;
  }

  task(decl: BlockDecl): ProbeSpec | undefined {
    const memo = this.tasks.get(decl.name.name);
    if (memo !== undefined) return memo ?? undefined;
    const spec = this.leaf(decl, () => this.resolveTask(decl));
    this.tasks.set(decl.name.name, spec ?? null);
    return spec;
  }

  private resolveTask(decl: BlockDecl): ProbeSpec | undefined {
    this.tasks.set(decl.name.name, null);
    const { chain, ok: linOk } = this.linearize(decl, 'task');
    const { fields, ok: flatOk } = this.flatten(chain, 'task');
    const { obj, ok } = this.build('task', decl, fields, this.ctx(), linOk);
    if (!ok || !flatOk || !linOk) return undefined;
    return { task: decl.name.name, ...obj } as unknown as ProbeSpec;
  }

  /**
   * A preset nothing extends is still checked: against the schema (experiment, task or backbone) its
   * keys fit best, without requiring the fields a complete declaration needs.
   */
  preset(decl: BlockDecl): void {
    const { chain } = this.linearize(decl, undefined);
    const schemas: DeclSchema[] = ['experiment', 'task', 'backbone'];
    const misses = (schema: DeclSchema) => {
      let n = 0;
      const walk = (entries: Entry[], prefix: string) => {
        for (const e of entries) {
          if (e.kind === 'InitFrom') { if (schema !== 'experiment' || prefix) n++; continue; }
          const path = (prefix ? prefix + '.' : '') + e.key.parts.map((p) => p.name).join('.');
          if (e.kind === 'Section') { if (this.sections[schema].has(path) || fieldAt(schema, path)?.path.endsWith('.*')) walk(e.body.entries, path); else n++; }
          else if (!fieldAt(schema, path) || this.sections[schema].has(path)) n++;
        }
      };
      for (const d of chain) walk(d.body.entries, '');
      return n;
    };
    const best = schemas.map((s) => ({ s, n: misses(s) })).sort((a, b) => a.n - b.n)[0].s;
    const flat = this.flatten(chain, best);
    this.build(best, decl, flat.fields, this.ctx(), false);
    if (best === 'experiment') this.resolveInit(flat.init);
  }

  /** Resolves an experiment declaration (memoised by name). */
  experiment(decl: BlockDecl, file: string, grid?: { name: string; axes: Record<string, unknown> }): ResolvedExperiment | undefined {
    const memo = this.experiments.get(decl.name.name);
    if (memo !== undefined) return memo ?? undefined;
    this.experiments.set(decl.name.name, null);
    const { chain, ok: linOk } = this.linearize(decl, 'experiment');
    const flat = this.flatten(chain, 'experiment');
    const r = this.buildExperiment(decl, file, chain, flat.fields, flat.init, grid, !flat.ok || !linOk, linOk);
    this.experiments.set(decl.name.name, r);
    return r;
  }

  /**
   * Converts flattened fields into a resolved experiment. Also used by compiler/profile.ts, which
   * rebuilds an experiment from its fields with a profile's and the bindings' assignments laid over.
   * @param reportMissing without its parents an experiment misses most fields: report only its own problems then.
   */
  buildExperiment(decl: BlockDecl, file: string, chain: BlockDecl[], fields: Map<string, Assignment>, initEntry: InitFrom | undefined,
    grid: { name: string; axes: Record<string, unknown> } | undefined, brokenAlready: boolean, reportMissing = true): ResolvedExperiment {
    const { obj, extras, ok } = this.build('experiment', decl, fields, this.ctx(), reportMissing);
    let broken = !ok || brokenAlready;
    const tracks = fields.get('data.titles.audio_tracks');
    const dubsSet = fields.get('data.titles.dubs');
    if (tracks && extras.has('data.titles.audio_tracks')) {
      if (dubsSet && dubsSet.decl === tracks.decl) {
        this.diagnostics.push(diag(M.duplicateField, tracks.keySpan, `'${decl.name.name}' bounds the titles by both \`dubs\` and \`audio_tracks\``,
          { related: [{ span: dubsSet.keySpan, message: '`dubs` set here' }], hint: 'keep one: audio_tracks = dubs + 1' }));
        broken = true;
      } else if (!dubsSet || chain.indexOf(tracks.decl) > chain.indexOf(dubsSet.decl)) {
        const t = extras.get('data.titles.audio_tracks') as { min: number; max: number | null };
        (obj.data as any).filters.dubs = { min: t.min - 1, max: t.max === null ? null : t.max - 1 };
      }
    }
    const spec = this.assemble(decl, file, chain, obj, extras, grid);
    const init = this.resolveInit(initEntry);
    if (init === undefined) broken = true;
    else spec.init = init;
    return { spec, decl, file, fields, extras, init: initEntry, broken, chain, grid };
  }

  private resolveInit(e: InitFrom | undefined): InitSpec | undefined {
    if (!e) return { kind: 'random' };
    const t = e.target;
    if (t.kind === 'IdentValue' && t.name === 'random') return { kind: 'random' };
    if (t.kind === 'Call' && t.callee.name === 'cell') {
      this.diagnostics.push(diag(M.cellOutsideGrid, t.span, '`init from cell(…)` names a grid cell and is only allowed inside a grid', { hint: 'name the experiment instead: `init from A2`' }));
      return undefined;
    }
    if (t.kind !== 'IdentValue') {
      this.diagnostics.push(diag(M.typeMismatch, t.span, `\`init from\` expects an experiment name (optionally \`.final\`) or \`random\`, got \`${this.text(t.span)}\``));
      return undefined;
    }
    const [name, ...rest] = t.name.split('.');
    if (rest.length && !(rest.length === 1 && rest[0] === 'final')) {
      this.diagnostics.push(diag(M.unknownEnum, t.span, `unknown checkpoint \`${rest.join('.')}\` of '${name}'`, { hint: 'only the final checkpoint can be used: `init from NAME` or `NAME.final`' }));
      return undefined;
    }
    const nameSpan: Span = { file: t.span.file, start: t.span.start, end: { ...t.span.start, offset: t.span.start.offset + name.length, column: t.span.start.column + name.length } };
    const decl = this.lookup(name, nameSpan, ['experiment'], 'experiment');
    if (!decl) return undefined;
    const sym = this.program.symbols.get(name)!;
    return { kind: 'from', experiment: name, file: sym.file, checkpoint: 'final' };
  }

  private assemble(decl: BlockDecl, file: string, chain: BlockDecl[], obj: Record<string, unknown>, extras: Map<string, unknown>,
    grid?: { name: string; axes: Record<string, unknown> }): ResolvedSpec {
    const o = obj as any;
    const length = extras.get('data.shots.length') as { min: number; max: number };
    o.data.shots.min_length = length.min; o.data.shots.max_length = length.max;
    o.views.video.scale = extras.get('views.video.scale');
    const same = extras.get('data.batch.same_title') as SameTitle;
    const per = o.data.batch.per_device as number;
    // The stored value is the size of one same-title group: `k per_device` is the positive clip plus k
    // same-title clips (B.3: 12 per_device → groups of 13, 26 = 2 × 13); a share is the group's part of
    // the device batch (A: 1/8 of 64 → groups of 8). sameTitleBatchRule checks the groups fill the batch.
    o.data.batch.same_title_per_device = 'count' in same ? (same.count === 0 ? 1 : same.count + 1) : Math.max(1, Math.round(same.share * per));
    const pol = extras.get('dubs.policy') as { policy: string; languages: string[] };
    o.dubs.policy = pol.policy; o.dubs.languages = pol.languages;
    const vd = extras.get('model.heads.video_dim') as number | undefined;
    const ad = extras.get('model.heads.audio_dim') as number | undefined;
    // Per-modality dims refine `dim`; headDimsRule reports a mismatch between them.
    if (vd !== undefined || ad !== undefined) o.model.heads.dim = vd ?? ad;
    if (o.model.video === undefined) o.model.video = null;
    const parents = chain.slice(0, -1).reverse().map((d) => d.name.name);
    const origin: ResolvedSpec['origin'] = { file, extends: parents };
    if (grid) origin.grid = grid;
    const spec: ResolvedSpec = {
      lssd: 1,
      name: decl.name.name,
      label: o.label ?? decl.name.name,
      description: o.description ?? decl.doc ?? chain.slice().reverse().find((d) => d.doc)?.doc ?? '',
      origin,
      data: o.data, views: o.views, dubs: o.dubs, model: o.model, loss: o.loss, optim: o.optim,
      init: { kind: 'random' }, probes: o.probes ?? [], runtime: o.runtime,
    };
    return spec;
  }
}
