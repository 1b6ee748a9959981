// Scale profiles and catalog bindings applied to resolved experiments (docs/language.md §4.5–4.6).
//
// A `profile` says how to run experiments on a kind of machine: which backbone stands in for each
// backbone the experiments use, input sizes, batch and device count, the step budget, and which
// catalog (and which probe tasks) stand in when the experiment's data is only at paper scale. It
// never touches what an experiment varies on purpose — filters, dub policy, λv/λa, init lineage, the
// probe list — and says so with LSSD2052 when asked to. Applying it lays its assignments over the
// experiment's own (the profile wins) and rebuilds the experiment through the ordinary resolver, so
// a profiled experiment is typed, unit-checked, rule-checked and validated like any other, with
// provenance pointing into the profile. Warm-up is rescaled to keep its share of training.
import type { BlockDecl, Entry, Field, IdentValue, ListLit, Span, Value } from '../grammar/ast.ts';
import type { Diagnostic } from './diagnostic.ts';
import type { ResolvedSpec } from './spec.ts';
import type { Assignment, Resolver, ResolvedExperiment } from './resolve.ts';
import type { CatalogBinding } from './bindings.ts';
import { M, diag, didYouMean } from './messages.ts';
import { fieldAt, sectionsOf } from './schema/index.ts';

/**
 * Experiment fields a profile may set: machine scale only. Everything else an experiment sets is
 * what it is about (LSSD2052). `runtime.*` (backend, checkpoints, logging) never changes results.
 */
export const PROFILE_FIELDS: readonly string[] = [
  'data.shots.length', 'data.shots.cut_detection', 'data.budget', 'data.windows.length',
  'data.batch.per_device', 'data.batch.devices', 'data.batch.same_title',
  'views.video.fps', 'views.video.frames', 'views.video.scale', 'views.video.crop',
  'views.audio.sample_rate', 'views.audio.n_fft', 'views.audio.hop', 'views.audio.mels',
  'model.heads.hidden', 'model.heads.dim',
  'optim.optimizer', 'optim.duration',
  'runtime.backend', 'runtime.checkpoint_every_steps', 'runtime.workers', 'runtime.log_every_steps',
];
/** Keys of a profile's own (not experiment fields). */
export const OWN_KEYS = ['label', 'catalog', 'backbones', 'tasks'];

export interface Mapping {
  /** `keep`: every name stands for itself (the paper profile). */
  keep: boolean;
  entries: Map<string, { target: IdentValue; entry: Field }>;
  /** The `backbones`/`tasks` entry, for "add a mapping here" diagnostics. */
  span?: Span;
}

export interface ResolvedProfile {
  name: string;
  decl: BlockDecl;
  file: string;
  /** Shown after the experiment's label: "A.4 @ cpu". */
  label: string;
  backbones: Mapping;
  tasks: Mapping;
  /** `catalog = …`: the stand-in for an unbound external catalog. */
  catalog?: Assignment;
  /** Experiment fields the profile sets (PROFILE_FIELDS only), by surface path. */
  overrides: Map<string, Assignment>;
  ok: boolean;
}

/** Resolves `profile NAME` (with its `extends` chain of profiles); undefined with LSSD2050 when unknown. */
export function resolveProfile(name: string, span: Span | undefined, resolver: Resolver, diagnostics: Diagnostic[]): ResolvedProfile | undefined {
  const sym = resolver.program.symbols.get(name);
  const profiles = resolver.namesOf(['profile']);
  if (!sym || sym.decl.kind !== 'BlockDecl' || sym.decl.declKind !== 'profile') {
    diagnostics.push(diag(M.unknownProfile, span, sym ? `'${name}' is a ${sym.decl.declKind}, not a profile` : `unknown profile '${name}'`, {
      hint: didYouMean(name, profiles) ?? (profiles.length ? `profiles: ${profiles.sort().join(', ')}` : 'declare one: `profile NAME { … }` (docs/language.md §4.5)'),
    }));
    return undefined;
  }
  const decl = sym.decl;
  const { chain, ok: linOk } = resolver.linearize(decl, undefined);
  const p: ResolvedProfile = {
    name, decl, file: sym.file, label: name, overrides: new Map(), ok: linOk,
    backbones: { keep: false, entries: new Map() }, tasks: { keep: false, entries: new Map() },
  };
  const expSections = sectionsOf('experiment');
  const bad = (d: Diagnostic) => { diagnostics.push(d); p.ok = false; };
  const mapping = (m: Mapping, e: Entry, what: 'backbone' | 'task') => {
    if (e.kind === 'Field') {
      if (e.value.kind === 'IdentValue' && e.value.name === 'keep') { m.keep = true; m.entries.clear(); m.span = e.span; return; }
      return bad(diag(M.profileBadEntry, e.value.span, `\`${what}s\` is \`keep\` or a section of \`${what === 'backbone' ? 'mvit_s = cpu_video_s' : 'esc50 = synth_scene'}\` entries`));
    }
    if (e.kind !== 'Section') return;
    m.keep = false; m.span = e.key.span;
    for (const x of e.body.entries) {
      if (x.kind !== 'Field' || x.key.parts.length !== 1 || x.value.kind !== 'IdentValue' || x.value.name.includes('.')) {
        bad(diag(M.profileBadEntry, x.span, `a \`${what}s\` entry maps one ${what} name to another: \`NAME = STAND_IN\``));
        continue;
      }
      // Typos in either name are unknown names (LSSD2004), reported here even when no experiment uses them.
      const from = x.key.parts[0];
      if (resolver.lookup(from.name, from.span, [what], what)) m.entries.set(from.name, { target: x.value, entry: x });
      resolver.lookup(x.value.name, x.value.span, [what], what);
    }
  };
  for (const d of chain) {
    const walk = (entries: Entry[], prefix: string) => {
      for (const e of entries) {
        if (e.kind === 'InitFrom') {
          bad(diag(M.profileSetsVariedField, e.span, '`init from` is the experiment\'s lineage; a profile keeps it', { hint: 'remove it from the profile' }));
          continue;
        }
        const key = e.key.parts.map((x) => x.name).join('.');
        const path = prefix ? `${prefix}.${key}` : key;
        if (!prefix && (key === 'backbones' || key === 'tasks')) { mapping(key === 'backbones' ? p.backbones : p.tasks, e, key === 'backbones' ? 'backbone' : 'task'); continue; }
        if (!prefix && key === 'label' && e.kind === 'Field') {
          if (e.value.kind === 'String') p.label = e.value.value;
          else bad(diag(M.typeMismatch, e.value.span, '`label` expects a quoted string'));
          continue;
        }
        if (!prefix && key === 'catalog' && e.kind === 'Field') {
          p.catalog = { path: 'data.catalog', keySpan: e.key.span, value: e.value, span: e.span, decl: d };
          continue;
        }
        if (e.kind === 'Section') {
          if (expSections.has(path)) { walk(e.body.entries, path); continue; }
        } else if (fieldAt('experiment', path) && !expSections.has(path)) {
          if (PROFILE_FIELDS.includes(path)) { p.overrides.set(path, { path, keySpan: e.key.span, value: e.value, span: e.span, decl: d }); continue; }
          bad(diag(M.profileSetsVariedField, e.key.span, `a profile cannot set \`${path}\`: it is what experiments vary on purpose, and a profile only changes the scale they run at`,
            { hint: `a profile sets ${OWN_KEYS.map((k) => `\`${k}\``).join(', ')} and the scale fields ${PROFILE_FIELDS.filter((f) => !f.startsWith('runtime.')).map((f) => `\`${f}\``).join(', ')}, \`runtime.*\`` }));
          continue;
        }
        const options = [...OWN_KEYS, ...PROFILE_FIELDS].filter((f) => !prefix || f.startsWith(prefix + '.')).map((f) => (prefix ? f.slice(prefix.length + 1) : f));
        bad(diag(M.unknownField, e.key.span, prefix ? `\`${prefix}\` has no field \`${key}\` a profile may set` : `a profile has no field \`${key}\``,
          { hint: didYouMean(key, options) ?? `a profile sets: ${options.join(', ')}` }));
      }
    };
    walk(d.body.entries, '');
  }
  return p;
}

export interface ApplyOptions {
  profile?: ResolvedProfile;
  /** Bindings by catalog name (flags over the project file). */
  bindings: Map<string, CatalogBinding>;
  /** Binding names some experiment used, for the "unused binding" warning. */
  used: Set<string>;
}

/**
 * The experiment as the profile and the bindings make it, or the experiment itself when neither
 * applies. Reports missing stand-ins; the result is checked by the ordinary rules afterwards.
 */
export function applyProfile(r: ResolvedExperiment, resolver: Resolver, opts: ApplyOptions, diagnostics: Diagnostic[]): ResolvedExperiment {
  const { profile } = opts;
  const fields = new Map(r.fields);
  let broken = false;
  let catalogBy: NonNullable<ResolvedSpec['origin']['catalog']> | undefined;
  const cat = r.spec.data.catalog;
  if (cat.kind === 'external') {
    const b = opts.bindings.get(cat.name);
    if (b) { fields.set('data.catalog', b.assignment); catalogBy = { name: cat.name, by: b.by }; opts.used.add(cat.name); }
    else if (profile?.catalog) { fields.set('data.catalog', profile.catalog); catalogBy = { name: cat.name, by: 'profile', file: profile.file }; }
  }
  if (!profile && !catalogBy) return r;

  if (profile) {
    for (const [path, a] of profile.overrides) fields.set(path, a);
    // Backbones: each tower's backbone is replaced by its stand-in (or is a stand-in already).
    if (!profile.backbones.keep) {
      const targets = new Set([...profile.backbones.entries.values()].map((x) => x.target.name));
      for (const tower of ['model.video', 'model.audio']) {
        const a = fields.get(tower);
        if (!a || a.value.kind !== 'IdentValue') continue;
        const name = a.value.name;
        const m = profile.backbones.entries.get(name);
        if (m) fields.set(tower, { path: tower, keySpan: m.entry.key.span, value: m.target, span: m.entry.span, decl: profile.decl });
        else if (!targets.has(name)) {
          const modality = tower === 'model.video' ? 'video' : 'audio';
          diagnostics.push(diag(M.profileMissingBackbone, profile.backbones.span ?? profile.decl.name.span,
            `profile '${profile.name}' has no stand-in for the ${modality} backbone '${name}' that '${r.spec.name}' uses`, {
              related: [{ span: a.value.span, message: `\`${tower} = ${name}\`${a.decl !== r.decl ? ` (in ${a.decl.declKind} ${a.decl.name.name})` : ''}` }],
              hint: `add \`${name} = …\` to the profile's \`backbones\` — a ${modality} backbone, of the same family where the profile has one`,
            }));
          broken = true;
        }
      }
    }
    // Probe tasks whose data is only at paper scale get the profile's stand-ins; the list is kept otherwise.
    const probes = fields.get('probes');
    if (probes && !profile.tasks.keep && r.spec.probes.some((t) => t.source.kind === 'external')) {
      const items: Value[] = [];
      const seen = new Set<string>();
      const literal = probes.value.kind === 'List' ? probes.value.items : undefined;
      r.spec.probes.forEach((t, i) => {
        let v: IdentValue = { kind: 'IdentValue', name: t.task, span: literal?.[i]?.span ?? probes.value.span };
        if (t.source.kind === 'external') {
          const m = profile.tasks.entries.get(t.task);
          if (!m) {
            diagnostics.push(diag(M.profileMissingTask, profile.tasks.span ?? profile.decl.name.span,
              `profile '${profile.name}' has no stand-in for the probe task '${t.task}' of '${r.spec.name}', whose data ("${t.source.name}") exists only at paper scale`, {
                related: [{ span: v.span, message: `'${t.task}' probed here${probes.decl !== r.decl ? ` (in ${probes.decl.declKind} ${probes.decl.name.name})` : ''}` }],
                hint: `add \`${t.task} = …\` to the profile's \`tasks\` (a task with synthetic(…) or dir(…) data, of the same modality)`,
              }));
            broken = true;
            return;
          }
          v = m.target;
        }
        if (!seen.has(v.name)) { seen.add(v.name); items.push(v); }
      });
      const list: ListLit = { kind: 'List', items, span: probes.value.span };
      fields.set('probes', { ...probes, value: list });
    }
  }

  const out = resolver.buildExperiment(r.decl, r.file, r.chain, fields, r.init, r.grid, r.broken || broken);
  const spec = out.spec;
  spec.init = r.spec.init;
  if (catalogBy) spec.origin.catalog = catalogBy;
  if (profile) {
    spec.label = `${r.spec.label} @ ${profile.label}`;
    spec.origin.profile = { name: profile.name, file: profile.file };
    // Copy on write: the resolver may share this `optim` with other experiments (frozen; resolve.ts SHARED_SECTIONS).
    if (profile.overrides.has('optim.duration')) spec.optim = { ...spec.optim, schedule: { ...spec.optim.schedule, warmup: scaledWarmup(r.spec, spec) } };
  }
  return out;
}

/**
 * The warm-up when a profile changes the training length. A warm-up in epochs stays in epochs — of
 * the data the profiled experiment trains on, so it shrinks with the catalog as the paper's "2
 * epochs" would (and cells that differ only in data size keep equal settings). A warm-up in steps
 * keeps its share of training: the quickstart's 20 of 300 steps become 8 of 120. When that share
 * cannot be known (training in epochs over an open budget), the warm-up is kept as written.
 */
export function scaledWarmup(before: ResolvedSpec, after: ResolvedSpec): ResolvedSpec['optim']['schedule']['warmup'] {
  const w = before.optim.schedule.warmup; const d = before.optim.duration;
  if ('epochs' in w) return w;
  const global = before.data.batch.per_device * before.data.batch.devices;
  const total = 'steps' in d ? d.steps : before.data.budget !== null ? d.epochs * (before.data.budget / global) : undefined;
  const nd = after.optim.duration;
  if (!total || !('steps' in nd)) return w;
  return { steps: Math.round((w.steps / total) * nd.steps) };
}

/** "A4 @ cpu" for a profiled experiment, "A4" otherwise (names stay plain: `init from`, `--cell` and run lookups use them). */
export const displayName = (spec: Pick<ResolvedSpec, 'name' | 'origin'>): string => (spec.origin.profile ? `${spec.name} @ ${spec.origin.profile.name}` : spec.name);
