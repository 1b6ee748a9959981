// The workloads run at build time so that V8 has compiled the compile-only commands' code: once by
// scripts/bundle-cache.mjs for build/compile.cjs's code cache, once by cli/snapshot-entry.ts inside the
// startup snapshot. Paths are relative to the checkout (the build runs there).

/** Run by both. */
export const WARM_UP = [['check', '--quiet', 'experiments'], ['fmt', '--check', 'experiments'], ['show', '--hash', 'experiments/A4.lssd'], ['expand', 'experiments/tiny/grid.lssd']];
/**
 * Run for the code cache only: `table` requires handlebars, and a snapshot under construction can
 * require nothing but Node's own modules.
 */
export const WARM_UP_CODE_CACHE_ONLY = [['table', 'experiments/A4.lssd']];
