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
import type { ResolvedSpec } from './spec.ts';

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
  if (Array.isArray(value) && value.some((v) => v && typeof v === 'object' && !Array.isArray(v))) {
    return value.map((v) => project(v, path, keep) ?? null);
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const out: Record<string, unknown> = {};
    let any = false;
    for (const k of Object.keys(value as object)) {
      const v = project((value as Record<string, unknown>)[k], path ? `${path}.${k}` : k, keep);
      if (v !== undefined) { out[k] = v; any = true; }
    }
    return any || !path ? out : undefined;
  }
  return path && classOf(path) === keep ? value : undefined;
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
  let init: unknown = { kind: 'random' };
  if (spec.init.kind === 'from') {
    const parent = seen.has(spec.init.experiment) ? undefined : lookup(spec.init.experiment);
    init = { kind: 'from', checkpoint: spec.init.checkpoint,
      parent: parent ? stageHashes(parent, lookup, new Set([...seen, spec.name])).pretrain : `name:${spec.init.experiment}` };
  }
  const pretrain = sha256(canonicalJson({ v: HASH_VERSION, stage: 'pretrain', ...(pretrainView(spec) as object), init }));
  const probe = sha256(canonicalJson({ v: HASH_VERSION, stage: 'probe', pretrain, ...(probeView(spec) as object) }));
  return { pretrain, probe };
}
