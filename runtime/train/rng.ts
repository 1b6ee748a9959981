// Deterministic random numbers for weight init: each variable's values depend only on (seed, name),
// so the same experiment initialises identically regardless of construction order or backend.
import { createHash } from 'node:crypto';

export function seedFor(seed: number, name: string): number {
  return createHash('sha256').update(`${seed}:${name}`).digest().readUInt32LE(0);
}

/** mulberry32: small, fast, good enough for initialisation. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n samples of N(0, std²) truncated at ±2std (as in ViT-style trunc_normal init); both Box–Muller outputs used. */
export function truncNormal(n: number, std: number, rand: () => number): Float32Array {
  const out = new Float32Array(n);
  let i = 0;
  while (i < n) {
    const u = Math.max(rand(), 1e-12), v = rand();
    const r = Math.sqrt(-2 * Math.log(u)), a = 2 * Math.PI * v;
    const z1 = r * Math.cos(a), z2 = r * Math.sin(a);
    if (Math.abs(z1) <= 2) out[i++] = z1 * std;
    if (i < n && Math.abs(z2) <= 2) out[i++] = z2 * std;
  }
  return out;
}
