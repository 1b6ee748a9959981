// Semantic diff of resolved specs (issue 4). We compare ResolvedSpecs, never source text, so
// reordering, reformatting or moving a value into an `extends` parent shows no change. Every changed
// leaf is classified by its consequence class — the same classes the stage hashes are built from
// (compiler/hash.ts), so "re-pretrain" here always means "the pretrain hash moved" — and lineage is
// followed through the hashes: if A2's weights change, A4 (`init from A2`) is reported stale.
import { displayName } from './profile.ts';
import type { ResolvedSpec } from './spec.ts';
import { stageHashes, type StageHashes } from './hash.ts';
import { canonicalJson } from './canonical.ts';
import { consequenceOf } from './schema/consequence.ts';

/** pretrain: changes the learned weights · probe: changes probe results only · none: no effect. */
export type Consequence = 'pretrain' | 'probe' | 'none';

/** How each class reads in output (`terraform plan` style). */
export const CONSEQUENCE_LABEL: Record<Consequence, string> = {
  pretrain: 're-pretrain',
  probe: 're-probe only',
  none: 'no effect',
};

const RANK: Record<Consequence, number> = { none: 0, probe: 1, pretrain: 2 };
export const strongest = (cs: Iterable<Consequence>): Consequence | null => {
  let best: Consequence | null = null;
  for (const c of cs) if (best === null || RANK[c] > RANK[best]) best = c;
  return best;
};

export interface FieldChange {
  /** `+` added, `-` removed, `~` changed. */
  op: '+' | '-' | '~';
  /** Dotted path in the resolved spec; array elements keyed by name: `probes[esc50].probe.lr`. */
  path: string;
  /** Top-level section the path belongs to (data, views, dubs, model, loss, optim, init, probes, runtime, meta). */
  section: string;
  before?: unknown;
  after?: unknown;
  consequence: Consequence;
}

export type ExperimentStatus = 'added' | 'removed' | 'changed' | 'stale' | 'unchanged';

export interface ExperimentDiff {
  /** Name on the "after" side (before side for removed experiments). */
  name: string;
  /** Name on the "before" side when it differs (comparing `A3` with `A4`, or a renamed single experiment). */
  renamedFrom?: string;
  status: ExperimentStatus;
  changes: FieldChange[];
  /** Strongest consequence of the experiment's own changes and of lineage; null when unchanged. */
  consequence: Consequence | null;
  /** Set when the experiment must re-pretrain because an `init from` ancestor's weights change. */
  stale?: { via: string };
  hashes: { before?: StageHashes; after?: StageHashes };
  files: { before?: string; after?: string };
}

export interface DiffSummary {
  experiments: number;
  added: number;
  removed: number;
  rePretrain: number;
  /** Of rePretrain: experiments stale only through lineage. */
  stale: number;
  reProbe: number;
  noEffect: number;
  unchanged: number;
  changes: { total: number; pretrain: number; probe: number; none: number };
}

export interface ProgramDiff {
  experiments: ExperimentDiff[];
  summary: DiffSummary;
}

/** One side of a comparison: the experiments to compare, and everything reachable (for lineage hashes). */
export interface SpecSet {
  experiments: ResolvedSpec[];
  all?: Map<string, ResolvedSpec>;
}

export type Classifier = (path: string) => Consequence;

/**
 * The default classifier: the schema's consequence table (compiler/schema/consequence.ts), the same one
 * the stage hashes are projected with (compiler/hash.ts). Keyed array elements (`probes[esc50]`) are
 * classified without their key. test/diff checks leaf by leaf that class and hash movement agree.
 */
const classCache = new Map<string, Consequence>();
export const classifyPath: Classifier = (path) => {
  const bare = path.replace(/\[[^\]]*\]/g, '');
  let c = classCache.get(bare);
  if (c === undefined) { c = consequenceOf(bare); classCache.set(bare, c); }
  return c;
};

/** Fields never diffed: provenance (which file, which parents) is not part of an experiment's meaning. */
const IGNORED_TOP = new Set(['origin', 'lssd']);

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Arrays of records with a natural key are diffed element-wise by that key (probes by task). */
function keyOf(arr: unknown[]): string | undefined {
  if (arr.length === 0 || !arr.every(isObj)) return undefined;
  for (const k of ['task', 'name']) {
    const keys = arr.map((x) => (x as Record<string, unknown>)[k]);
    if (keys.every((x) => typeof x === 'string') && new Set(keys).size === keys.length) return k;
  }
  return undefined;
}

const sameJson = (a: unknown, b: unknown) => a === b || canonicalJson(a) === canonicalJson(b);

/** Structural diff of two resolved specs (all fields except provenance). */
export function diffSpecs(a: ResolvedSpec, b: ResolvedSpec, classify: Classifier = classifyPath): FieldChange[] {
  const out: FieldChange[] = [];
  const section = (p: string) => {
    const head = p.split(/[.[]/, 1)[0];
    return ['name', 'label', 'description'].includes(head) ? 'meta' : head;
  };
  const emit = (op: FieldChange['op'], path: string, before: unknown, after: unknown) => {
    const c: FieldChange = { op, path, section: section(path), consequence: classify(path) };
    if (op !== '+') c.before = before;
    if (op !== '-') c.after = after;
    out.push(c);
  };
  const walk = (x: unknown, y: unknown, path: string) => {
    if (x === undefined && y === undefined) return;
    if (x === undefined) return emit('+', path, undefined, y);
    if (y === undefined) return emit('-', path, x, undefined);
    if (isObj(x) && isObj(y)) {
      // A tagged union whose tag changed (init random → from, duration epochs → steps) is one change, not many.
      if ('kind' in x && 'kind' in y && x.kind !== y.kind) return emit('~', path, x, y);
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
      for (const k of keys) {
        if (path === '' && IGNORED_TOP.has(k)) continue;
        walk(x[k], y[k], path ? `${path}.${k}` : k);
      }
      return;
    }
    if (Array.isArray(x) && Array.isArray(y)) {
      const kx = keyOf(x); const ky = keyOf(y);
      if (kx && kx === ky) {
        const mx = new Map(x.map((e) => [(e as Record<string, unknown>)[kx] as string, e]));
        const my = new Map(y.map((e) => [(e as Record<string, unknown>)[kx] as string, e]));
        for (const [k, e] of mx) walk(e, my.get(k), `${path}[${k}]`);
        for (const [k, e] of my) if (!mx.has(k)) walk(undefined, e, `${path}[${k}]`);
        // Order of a keyed list (probes) changes nothing the runtime computes.
        return;
      }
    }
    // Leaves, plain arrays (language sets, hidden widths) and shape changes: one change with both values.
    if (!sameJson(x, y)) emit('~', path, x, y);
  };
  walk(initView(a), initView(b), '');
  return out;
}

/** `init` reads as one value (`random`, `A2`): where the parent is declared is provenance, and a change
 * in the parent itself shows up as lineage staleness, not here. */
const initView = (s: ResolvedSpec): ResolvedSpec =>
  ({ ...s, init: (s.init.kind === 'from' ? s.init.experiment : 'random') as unknown as ResolvedSpec['init'] });

export interface DiffOptions {
  classify?: Classifier;
  /**
   * Pair the experiments positionally when each side has exactly one and their names differ (comparing
   * two files each declaring one experiment, or `lssdc diff A3 A4`). Default true.
   */
  pairSingle?: boolean;
}

/** Compare two sets of experiments: matched by name, lineage staleness through the pretrain hashes. */
export function diffPrograms(before: SpecSet, after: SpecSet, opts: DiffOptions = {}): ProgramDiff {
  const classify = opts.classify ?? classifyPath;
  const lookupIn = (s: SpecSet) => {
    const byName = s.all ?? new Map(s.experiments.map((e) => [e.name, e]));
    return (n: string) => byName.get(n) ?? s.experiments.find((e) => e.name === n);
  };
  const la = lookupIn(before); const lb = lookupIn(after);
  // Hash memo: lineage chains are shared between experiments (every cell of a grid points at the same base).
  const memo = new Map<ResolvedSpec, StageHashes>();
  const hashOf = (s: ResolvedSpec, lookup: (n: string) => ResolvedSpec | undefined) => {
    let h = memo.get(s);
    if (!h) { h = stageHashes(s, lookup); memo.set(s, h); }
    return h;
  };

  const pairs: [ResolvedSpec | undefined, ResolvedSpec | undefined][] = [];
  if ((opts.pairSingle ?? true) && before.experiments.length === 1 && after.experiments.length === 1) {
    pairs.push([before.experiments[0], after.experiments[0]]);
  } else {
    const bNames = new Map(before.experiments.map((e) => [e.name, e]));
    const aNames = new Map(after.experiments.map((e) => [e.name, e]));
    for (const e of after.experiments) pairs.push([bNames.get(e.name), e]);
    for (const e of before.experiments) if (!aNames.has(e.name)) pairs.push([e, undefined]);
  }

  const experiments: ExperimentDiff[] = pairs.map(([x, y]) => {
    const hx = x && hashOf(x, la); const hy = y && hashOf(y, lb);
    const files = { before: x?.origin.file, after: y?.origin.file };
    if (!x) return { name: displayName(y!), status: 'added', changes: [], consequence: 'pretrain', hashes: { after: hy }, files };
    if (!y) return { name: displayName(x), status: 'removed', changes: [], consequence: null, hashes: { before: hx }, files };
    const changes = diffSpecs(x, y, classify);
    // Profiled sides read "A4 @ cpu" (compiler/profile.ts): `A4` against `A4 @ cpu` is a rename-like pair.
    const d: ExperimentDiff = { name: displayName(y), status: 'unchanged', changes, consequence: strongest(changes.map((c) => c.consequence)),
      hashes: { before: hx, after: hy }, files };
    if (displayName(x) !== displayName(y)) d.renamedFrom = displayName(x);
    const ownPretrain = changes.some((c) => c.consequence === 'pretrain');
    if (hx!.pretrain !== hy!.pretrain && !ownPretrain) {
      // Nothing of its own that trains changed, yet its weights do: an `init from` ancestor moved.
      d.stale = { via: staleVia(x, y, la, lb, hashOf) };
      d.consequence = 'pretrain';
      d.status = changes.length ? 'changed' : 'stale';
    } else if (changes.length) d.status = 'changed';
    return d;
  });

  return { experiments, summary: summarize(experiments) };
}

/** The nearest ancestor along `init from` whose pretrain hash differs between the two sides. */
function staleVia(x: ResolvedSpec, y: ResolvedSpec, la: (n: string) => ResolvedSpec | undefined,
  lb: (n: string) => ResolvedSpec | undefined, hashOf: (s: ResolvedSpec, l: (n: string) => ResolvedSpec | undefined) => StageHashes): string {
  const seen = new Set<string>();
  let px: ResolvedSpec | undefined = x; let py: ResolvedSpec | undefined = y;
  let via = y.init.kind === 'from' ? y.init.experiment : '?';
  while (px && py && py.init.kind === 'from' && !seen.has(py.name)) {
    seen.add(py.name);
    const nx: ResolvedSpec | undefined = px.init.kind === 'from' ? la(px.init.experiment) : undefined;
    const ny = lb(py.init.experiment);
    via = py.init.experiment;
    if (!nx || !ny) break;
    const own = diffSpecs(nx, ny).some((c) => c.consequence === 'pretrain');
    if (own || hashOf(nx, la).pretrain === hashOf(ny, lb).pretrain) break;
    px = nx; py = ny;
  }
  return via;
}

function summarize(es: ExperimentDiff[]): DiffSummary {
  const s: DiffSummary = { experiments: es.length, added: 0, removed: 0, rePretrain: 0, stale: 0, reProbe: 0, noEffect: 0, unchanged: 0,
    changes: { total: 0, pretrain: 0, probe: 0, none: 0 } };
  for (const e of es) {
    if (e.status === 'added') s.added++;
    else if (e.status === 'removed') s.removed++;
    else if (e.consequence === 'pretrain') { s.rePretrain++; if (e.stale) s.stale++; }
    else if (e.consequence === 'probe') s.reProbe++;
    else if (e.consequence === 'none') s.noEffect++;
    else s.unchanged++;
    for (const c of e.changes) { s.changes.total++; s.changes[c.consequence]++; }
  }
  return s;
}

// ---- rendering (pure text; the CLI chooses the form) ------------------------------------------------

/** A value as it reads in a plan line: bare identifiers and numbers, lists in brackets, none for null. */
export function showValue(v: unknown): string {
  if (v === null) return 'none';
  if (v === undefined) return '∅';
  if (typeof v === 'string') return /^[A-Za-z_][\w.\-/]*$/.test(v) ? v : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(showValue).join(', ')}]`;
  if (isObj(v)) {
    const entries = Object.keys(v).sort().filter((k) => v[k] !== undefined);
    if ('kind' in v) {
      const rest = entries.filter((k) => k !== 'kind');
      return `${showValue(v.kind)}(${rest.map((k) => `${k} = ${showValue(v[k])}`).join(', ')})`;
    }
    return `{ ${entries.map((k) => `${k} = ${showValue(v[k])}`).join(', ')} }`;
  }
  return String(v);
}

const SECTION_ORDER = ['meta', 'data', 'views', 'dubs', 'model', 'loss', 'optim', 'init', 'probes', 'runtime'];
const bySection = (cs: FieldChange[]) => {
  const groups = new Map<string, FieldChange[]>();
  for (const c of cs) { const g = groups.get(c.section) ?? []; g.push(c); groups.set(c.section, g); }
  const rank = (s: string) => { const i = SECTION_ORDER.indexOf(s); return i < 0 ? SECTION_ORDER.length : i; };
  return [...groups.entries()].sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]));
};

const clip = (s: string, n = 48) => (s.length > n ? s.slice(0, n - 1) + '…' : s);
const changeText = (c: FieldChange) => {
  const v = c.op === '+' ? c.after : c.before;
  if (c.op !== '~') return isObj(v) && !('kind' in v) ? `${c.op} ${c.path}` : `${c.op} ${c.path} = ${clip(showValue(v))}`;
  return `~ ${c.path}: ${clip(showValue(c.before))} → ${clip(showValue(c.after))}`;
};

const short = (h?: string) => (h ? h.slice(0, 12) : '—');

export function summaryLine(s: DiffSummary): string {
  if (s.experiments === 0) return 'No experiments to compare.';
  const parts = [`${s.rePretrain} to re-pretrain${s.stale ? ` (${s.stale} stale via init from)` : ''}`, `${s.reProbe} to re-probe only`,
    `${s.noEffect} with no effect`, `${s.unchanged} unchanged`];
  if (s.added) parts.push(`${s.added} added`);
  if (s.removed) parts.push(`${s.removed} removed`);
  return `Plan: ${parts.join(', ')} — ${s.changes.total} field change${s.changes.total === 1 ? '' : 's'} ` +
    `(${s.changes.pretrain} re-pretrain, ${s.changes.probe} re-probe only, ${s.changes.none} no effect).`;
}

export interface RenderOptions {
  /** Also list experiments without changes. Default false. */
  showUnchanged?: boolean;
  /** ANSI colours. Default false. */
  color?: boolean;
}

/** `terraform plan`-style text: one block per experiment, changes grouped by section, then a summary line. */
export function renderDiffText(d: ProgramDiff, opts: RenderOptions = {}): string {
  const paint = (code: string, s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const opColor = { '+': '32', '-': '31', '~': '33' } as const;
  const lines: string[] = [];
  for (const e of d.experiments) {
    if (e.status === 'unchanged' && !opts.showUnchanged) continue;
    const sym = e.status === 'added' ? '+' : e.status === 'removed' ? '-' : e.status === 'unchanged' ? ' ' : '~';
    const title = e.renamedFrom ? `${e.renamedFrom} → ${e.name}` : e.name;
    const cls = e.status === 'removed' ? 'removed' : e.consequence ? CONSEQUENCE_LABEL[e.consequence] : 'unchanged';
    const file = e.files.after ?? e.files.before;
    lines.push(`${sym === ' ' ? ' ' : paint(opColor[sym], sym)} ${paint('1', title)}  (${cls})${file ? `  ${file}` : ''}`);
    if (e.stale) lines.push(`    ! stale: init from ${e.stale.via}, whose weights change`);
    const width = Math.min(64, Math.max(0, ...e.changes.map((c) => changeText(c).length)));
    for (const [section, cs] of bySection(e.changes)) {
      lines.push(`    ${section}`);
      for (const c of cs) lines.push(`      ${paint(opColor[c.op], changeText(c).padEnd(width))}  ${CONSEQUENCE_LABEL[c.consequence]}`);
    }
    const { before, after } = e.hashes;
    if (before && after) {
      const p = before.pretrain === after.pretrain ? `pretrain ${short(after.pretrain)} (same)` : `pretrain ${short(before.pretrain)} → ${short(after.pretrain)}`;
      const q = before.probe === after.probe ? `probe ${short(after.probe)} (same)` : `probe ${short(before.probe)} → ${short(after.probe)}`;
      lines.push(`    hashes: ${p}, ${q}`);
    } else if (after) lines.push(`    hashes: pretrain ${short(after.pretrain)}, probe ${short(after.probe)}`);
    lines.push('');
  }
  lines.push(summaryLine(d.summary));
  return lines.join('\n') + '\n';
}

/** Markdown for a pull-request comment: a summary, then one table per changed experiment. */
export function renderDiffMarkdown(d: ProgramDiff): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = ['### lssd plan', '', summaryLine(d.summary), ''];
  const changed = d.experiments.filter((e) => e.status !== 'unchanged');
  if (changed.length === 0) { lines.push('_No semantic changes._'); return lines.join('\n') + '\n'; }
  lines.push('| experiment | status | consequence | pretrain hash | probe hash |', '|---|---|---|---|---|');
  for (const e of changed) {
    const h = (k: 'pretrain' | 'probe') => {
      const a = e.hashes.before?.[k]; const b = e.hashes.after?.[k];
      return a && b && a !== b ? `\`${short(a)}\` → \`${short(b)}\`` : `\`${short(b ?? a)}\``;
    };
    const status = e.stale ? (e.changes.length === 0 ? `stale (init from ${e.stale.via})` : `changed, stale (init from ${e.stale.via})`) : e.status;
    lines.push(`| **${esc(e.renamedFrom ? `${e.renamedFrom} → ${e.name}` : e.name)}** | ${esc(status)} | ${e.consequence ? CONSEQUENCE_LABEL[e.consequence] : '—'} | ${h('pretrain')} | ${h('probe')} |`);
  }
  for (const e of changed) {
    if (e.changes.length === 0) continue;
    lines.push('', `<details><summary><b>${e.name}</b>: ${e.changes.length} change${e.changes.length === 1 ? '' : 's'}</summary>`, '',
      '| | field | before | after | consequence |', '|---|---|---|---|---|');
    for (const c of e.changes) {
      lines.push(`| \`${c.op}\` | \`${esc(c.path)}\` | ${c.op === '+' ? '' : `\`${esc(showValue(c.before))}\``} | ${c.op === '-' ? '' : `\`${esc(showValue(c.after))}\``} | ${CONSEQUENCE_LABEL[c.consequence]} |`);
    }
    lines.push('', '</details>');
  }
  return lines.join('\n') + '\n';
}

/** Stable JSON form (`--json`). */
export function diffJson(d: ProgramDiff): unknown {
  return {
    summary: d.summary,
    experiments: d.experiments.map((e) => ({
      ...e,
      consequenceLabel: e.consequence ? CONSEQUENCE_LABEL[e.consequence] : null,
      changes: e.changes.map((c) => ({ ...c, consequenceLabel: CONSEQUENCE_LABEL[c.consequence] })),
    })),
  };
}

/**
 * A line-per-leaf text form of resolved specs (`lssdc diff --textconv`, for git's `diff.lssd.textconv`):
 * sorted keys, provenance left out, so git's own line diff shows semantic changes only.
 */
export function textconv(specs: ResolvedSpec[], lookup: (n: string) => ResolvedSpec | undefined = () => undefined): string {
  const lines: string[] = [];
  for (const s of specs) {
    const h = stageHashes(s, lookup);
    lines.push(`experiment ${s.name}`, `  # hash.pretrain = ${h.pretrain}`, `  # hash.probe = ${h.probe}`);
    const walk = (v: unknown, path: string) => {
      if (Array.isArray(v) && keyOf(v)) {
        const k = keyOf(v)!;
        for (const e of v) walk(e, `${path}[${(e as Record<string, unknown>)[k]}]`);
      } else if (isObj(v) && !(path && 'kind' in v && Object.keys(v).length <= 1)) {
        for (const k of Object.keys(v).sort()) {
          if (!path && IGNORED_TOP.has(k)) continue;
          if (v[k] !== undefined) walk(v[k], path ? `${path}.${k}` : k);
        }
      } else lines.push(`  ${path} = ${showValue(v)}`);
    };
    walk(s, '');
    lines.push('');
  }
  return lines.join('\n');
}
