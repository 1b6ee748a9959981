// Stage hashes: stable content hashes of the parts of a resolved spec that each stage depends on.
//   pretrain — everything that changes the learned weights, including (recursively) the pretrain hash
//              of the experiment it is initialised from, so a change to A2 makes A4 stale.
//   probe    — the pretrain hash plus the probe settings.
// Names, labels, docs, provenance, expected catalog stats and runtime knobs are excluded.
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.ts';
import type { ResolvedSpec } from './spec.ts';

export interface StageHashes {
  pretrain: string;
  probe: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The pretraining-relevant projection of a spec (before lineage is folded in). */
export function pretrainView(spec: ResolvedSpec): unknown {
  const { expected: _expected, ...data } = spec.data;
  const { track: _track, ...loss } = spec.loss;
  return { data, views: spec.views, dubs: spec.dubs, model: spec.model, loss, optim: spec.optim };
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
  const pretrain = sha256(canonicalJson({ v: 1, stage: 'pretrain', ...(pretrainView(spec) as object), init }));
  const probe = sha256(canonicalJson({ v: 1, stage: 'probe', pretrain, probes: spec.probes }));
  return { pretrain, probe };
}
