// Stage hashes: stable content hashes of the parts of a resolved spec that each stage depends on.
//   pretrain — every leaf whose consequence class is `pretrain` (compiler/schema/consequence.ts), plus
//              (recursively) the pretrain hash of the experiment it is initialised from, so a change to
//              A2 makes A4 stale.
//   probe    — the pretrain hash plus every `probe` leaf (probe settings).
// `none` leaves (names, labels, docs, provenance, expected catalog stats, tracked-but-unweighted loss
// terms, published parameter counts, runtime knobs) are excluded, and keys are sorted
// (compiler/canonical.ts), so formatting, field order and `extends` refactors never move a hash.
// The diff (compiler/diff.ts) classifies changes with the same table, so "re-pretrain" in a diff always
// means "this hash moved".
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.ts';
import { consequenceOf } from './schema/consequence.ts';
import type { Consequence } from './schema/fields.ts';
import { SHARED_SECTIONS, type ResolvedSpec } from './spec.ts';

export interface StageHashes {
  pretrain: string;
  probe: string;
}

/** Bump when the hashed projection changes meaning (old caches become misses, never wrong hits). */
const HASH_VERSION = 2;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

// Paths repeat across every spec (and every cell of a grid): classify each once.
const classCache = new Map<string, Consequence>();
const classOf = (path: string): Consequence => {
  let c = classCache.get(path);
  if (c === undefined) { c = consequenceOf(path); classCache.set(path, c); }
  return c;
};

/**
 * The subtree of `value` made of the leaves whose class is `keep`. Objects are walked (a section's class
 * can differ from some of its leaves': `data` is pretrain, `data.expected` none); arrays of records
 * (probes) are walked per element with the index left out of the path, as consequenceOf does; other
 * arrays (language sets, hidden widths) are leaves. Subtrees with nothing kept disappear.
 */
function project(value: unknown, path: string, keep: Consequence): unknown {
  const text = projectJson(value, trieRoot, path, keep);
  return text === undefined ? {} : JSON.parse(text);
}

// Path classification without building path strings: a lazily grown trie of field names.
interface PathNode { path: string; cls: Consequence; children: Map<string, PathNode> }
const trieRoot: PathNode = { path: '', cls: 'none', children: new Map() };
const child = (n: PathNode, k: string): PathNode => {
  let c = n.children.get(k);
  if (!c) { const path = n.path ? `${n.path}.${k}` : k; c = { path, cls: classOf(path), children: new Map() }; n.children.set(k, c); }
  return c;
};

// Backbones and tasks are declared once and shared by every experiment that names them (the resolver
// memoises them), so a 10,000-cell grid hashes the same probe objects 10,000 times: cache their
// projected text by identity. Resolved specs are immutable once built (compiler/spec.ts).
const SHARED = new Set(['model.video', 'model.audio', 'probes']);
const sharedCache: Record<Consequence, WeakMap<object, string | null>> = { pretrain: new WeakMap(), probe: new WeakMap(), none: new WeakMap() };

/** Canonical JSON (sorted keys) of the projection, or undefined when nothing is kept. */
function projectJson(value: unknown, node: PathNode, _path: string, keep: Consequence): string | undefined {
  if (value && typeof value === 'object') {
    // Sections the resolver shares between specs (frozen) are projected once too: a grid's cells share
    // every section their axes leave alone.
    const shared = SHARED.has(node.path) || SHARED_SECTIONS.has(value as object) ? sharedCache[keep] : undefined;
    if (shared) {
      const hit = shared.get(value as object);
      if (hit !== undefined) return hit ?? undefined;
    }
    let out: string | undefined;
    if (Array.isArray(value)) {
      if (value.some((v) => v && typeof v === 'object' && !Array.isArray(v))) {
        out = '[' + value.map((v) => projectJson(v, node, '', keep) ?? 'null').join(',') + ']';
      } else out = node.cls === keep ? JSON.stringify(value) : undefined;
    } else {
      const parts: string[] = [];
      for (const k of Object.keys(value as object).sort()) {
        const v = (value as Record<string, unknown>)[k];
        if (v === undefined) continue;
        const c = child(node, k);
        // Top-level sections are uniform at the root of the consequence table (name, origin, runtime are
        // `none` throughout; only probes are `probe`): skip the ones of another class without walking them.
        if (!node.path && c.cls !== keep) continue;
        const t = projectJson(v, c, '', keep);
        if (t !== undefined) parts.push(JSON.stringify(k) + ':' + t);
      }
      out = parts.length || !node.path ? '{' + parts.join(',') + '}' : undefined;
    }
    if (shared) shared.set(value as object, out ?? null);
    return out;
  }
  return node.path && node.cls === keep && value !== undefined ? JSON.stringify(value) : undefined;
}

const probeDigests = new WeakMap<object, string>();
function probeDigest(p: unknown, node: PathNode): string {
  if (!p || typeof p !== 'object') return sha256(JSON.stringify(p ?? null));
  let d = probeDigests.get(p);
  if (d === undefined) { d = sha256(projectJson(p, node, '', 'probe') ?? 'null'); probeDigests.set(p, d); }
  return d;
}

/** The pretraining-relevant projection of a spec (before lineage is folded in). */
export function pretrainView(spec: ResolvedSpec): unknown {
  const { init: _init, ...rest } = spec;
  return project(rest, '', 'pretrain');
}

/** The probe-relevant projection of a spec (probe settings only; the pretrain hash is folded in separately). */
export function probeView(spec: ResolvedSpec): unknown {
  return project(spec, '', 'probe');
}

/**
 * @param lookup resolves an `init from` parent by name (needed for lineage); when it returns undefined
 * the parent's name stands in for its hash (the compiler has already reported the unknown name).
 */
export function stageHashes(spec: ResolvedSpec, lookup: (name: string) => ResolvedSpec | undefined = () => undefined,
  seen: Set<string> = new Set()): StageHashes {
  // Lineage chains are shared (every cell of a grid row starts from the same parent): memoise per
  // lookup function. A default (fresh) lookup never hits, so ad-hoc calls always hash afresh.
  let memo = lineageMemo.get(lookup);
  const hit = memo?.get(spec);
  if (hit && seen.size === 0) return hit;
  const h = computeStageHashes(spec, lookup, seen);
  if (seen.size === 0) {
    if (!memo) { memo = new WeakMap(); lineageMemo.set(lookup, memo); }
    memo.set(spec, h);
  }
  return h;
}

const lineageMemo = new WeakMap<object, WeakMap<ResolvedSpec, StageHashes>>();

function computeStageHashes(spec: ResolvedSpec, lookup: (name: string) => ResolvedSpec | undefined, seen: Set<string>): StageHashes {
  let init: unknown = { kind: 'random' };
  if (spec.init.kind === 'from') {
    const parent = seen.has(spec.init.experiment) ? undefined : lookup(spec.init.experiment);
    init = { kind: 'from', checkpoint: spec.init.checkpoint,
      parent: parent ? (seen.size === 0 && lineageMemo.get(lookup)?.get(parent) || stageHashes(parent, lookup, new Set([...seen, spec.name]))).pretrain : `name:${spec.init.experiment}` };
  }
  // Same text as canonicalJson({ v, stage, ...view, init }) but built in one pass (see projectJson).
  const { init: _init, ...rest } = spec;
  const pre = projectJson(rest, trieRoot, '', 'pretrain')!;
  const pretrain = sha256(`{"init":${canonicalJson(init)},"stage":"pretrain","v":${HASH_VERSION},${pre.slice(1)}`);
  // Probe settings: each probe (a shared, memoised task object) contributes its own digest, so a grid
  // of 10,000 cells with 18 probes hashes 64 hex characters per probe instead of their full text.
  const { probes, ...others } = spec;
  const pro = projectJson(others, trieRoot, '', 'probe')!;
  const probeNode = child(trieRoot, 'probes');
  const digests = Array.isArray(probes) ? probes.map((p) => probeDigest(p, probeNode)) : [];
  const probe = sha256(`{"pretrain":${JSON.stringify(pretrain)},"probes":${JSON.stringify(digests)},"stage":"probe","v":${HASH_VERSION}${pro.length > 2 ? ',' + pro.slice(1) : '}'}`);
  return { pretrain, probe };
}
