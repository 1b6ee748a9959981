// Types for scripts/warm-up.mjs.
export const WARM_UP: string[][];
export const WARM_UP_CODE_CACHE_ONLY: string[][];
