// Counter-based randomness: every draw is a pure function of (seed, step, example, purpose), so a resumed
// run regenerates exactly the batches it would have seen, in any order.

function fmix32(h: number): number {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 32-bit hash of a tuple of integers. */
export function hashInts(...xs: number[]): number {
  let h = 0x9e3779b9;
  for (const x of xs) {
    // Split each value into two 32-bit halves so steps and seeds beyond 2^32 still differ.
    const lo = x >>> 0, hi = Math.floor(x / 4294967296) >>> 0;
    h = fmix32(h ^ lo) + 0x632be5ab; h = fmix32(h ^ hi) ^ 0x7f4a7c15;
  }
  return fmix32(h);
}

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Uniform in [a, b). */
  range(a: number, b: number): number;
}

/** mulberry32 stream seeded by the hash of `keys`. */
export function rng(...keys: number[]): Rng {
  let a = hashInts(...keys);
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), range: (x, y) => x + (y - x) * next() };
}

/** Stable 32-bit hash of a string (for deterministic orderings keyed by content hashes). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); }
  return fmix32(h);
}
