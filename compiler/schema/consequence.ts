// Consequence classes of resolved-spec paths (compiler/spec.ts): what a change to a leaf invalidates.
// D's diff and the stage hashes agree on these (hash.ts excludes exactly the 'none' leaves below).
import type { Consequence } from './fields.ts';

/** Longest-prefix table over resolved-spec paths (dot-separated; array indices are ignored). */
const TABLE: [string, Consequence][] = [
  ['lssd', 'none'], ['name', 'none'], ['label', 'none'], ['description', 'none'], ['origin', 'none'],
  ['data', 'pretrain'], ['data.expected', 'none'],
  ['views', 'pretrain'], ['dubs', 'pretrain'], ['model', 'pretrain'],
  ['model.video.published_params', 'none'], ['model.audio.published_params', 'none'],
  ['loss', 'pretrain'], ['loss.track', 'none'],
  ['optim', 'pretrain'], ['init', 'pretrain'],
  ['probes', 'probe'], ['probes.group', 'none'],
  ['runtime', 'none'],
];

/**
 * Consequence class of a resolved-spec path such as `data.filters.dubs.min`, `optim.optimizer.lr`,
 * `probes.3.metric` or `probes[3].metric`. Unknown paths are 'pretrain' (the safe answer: a change
 * nobody classified is assumed to change the weights).
 */
export function consequenceOf(path: string): Consequence {
  const parts = path.replace(/\[(\d+)\]/g, '.$1').split('.').filter((p) => p !== '' && !/^\d+$/.test(p));
  for (let i = parts.length; i > 0; i--) {
    const key = parts.slice(0, i).join('.');
    const hit = TABLE.find(([p]) => p === key);
    if (hit) return hit[1];
  }
  return 'pretrain';
}
