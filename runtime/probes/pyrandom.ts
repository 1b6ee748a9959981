// CPython's `random` module, as far as hear-eval-kit uses it: MT19937 seeded from an int
// (`random.seed(n)` → init_by_array of n's 32-bit words) and `random.shuffle` (Fisher–Yates from the end,
// each index drawn by `_randbelow` = rejection sampling on `getrandbits(bit_length)`).
// The kit draws its grid points with `random.shuffle(confs)` after `seed_everything(42)`
// (heareval/predictions/task_predictions.py, task_predictions(), hear-eval-kit 8559649), and orders every
// split's embeddings with `random.Random().seed(0)` + `prng.shuffle(embedding_files)`
// (heareval/embeddings/task_embeddings.py, memmap_embeddings(), same commit). Reproducing both exactly is
// what lets lssd pick the same grid points and feed the same batches as the kit.

const N = 624;
const M = 397;

export class PyRandom {
  private mt = new Uint32Array(N);
  private mti = N + 1;

  /** `random.Random(seed)` / `random.seed(seed)` for a non-negative integer seed. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`PyRandom seed must be a non-negative integer, got ${seed}`);
    // CPython splits abs(seed) into 32-bit words, least significant first; 0 is one word [0].
    const key: number[] = [];
    let s = seed;
    do { key.push(s % 0x100000000); s = Math.floor(s / 0x100000000); } while (s > 0);
    this.initByArray(key);
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      // 1812433253 * prev + i, modulo 2^32, without losing bits to float rounding.
      mt[i] = (((((prev & 0xffff0000) >>> 16) * 1812433253) << 16) + (prev & 0x0000ffff) * 1812433253 + i) >>> 0;
    }
    this.mti = N;
  }

  private initByArray(key: number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1; let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ (((((prev & 0xffff0000) >>> 16) * 1664525) << 16) + ((prev & 0x0000ffff) * 1664525))) + key[j] + j) >>> 0;
      i++; j++;
      if (i >= N) { mt[0] = mt[N - 1]; i = 1; }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ (((((prev & 0xffff0000) >>> 16) * 1566083941) << 16) + (prev & 0x0000ffff) * 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) { mt[0] = mt[N - 1]; i = 1; }
    }
    mt[0] = 0x80000000;
  }

  /** genrand_uint32. */
  uint32(): number {
    const mt = this.mt;
    if (this.mti >= N) {
      let kk = 0;
      const mag = (y: number) => (y & 1 ? 0x9908b0df : 0);
      for (; kk < N - M; kk++) {
        const y = (mt[kk] & 0x80000000) | (mt[kk + 1] & 0x7fffffff);
        mt[kk] = mt[kk + M] ^ (y >>> 1) ^ mag(y);
      }
      for (; kk < N - 1; kk++) {
        const y = (mt[kk] & 0x80000000) | (mt[kk + 1] & 0x7fffffff);
        mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ mag(y);
      }
      const y = (mt[N - 1] & 0x80000000) | (mt[0] & 0x7fffffff);
      mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ mag(y);
      this.mti = 0;
    }
    let y = mt[this.mti++];
    y ^= y >>> 11;
    y = (y ^ ((y << 7) & 0x9d2c5680)) >>> 0;
    y = (y ^ ((y << 15) & 0xefc60000)) >>> 0;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `getrandbits(k)` for 1 ≤ k ≤ 32 (all `_randbelow` needs for lists under 2^32 items). */
  getrandbits(k: number): number {
    if (k < 1 || k > 32) throw new RangeError(`getrandbits(${k}) is only implemented for 1..32`);
    return this.uint32() >>> (32 - k);
  }

  /** `_randbelow_with_getrandbits(n)`: uniform in [0, n). */
  randbelow(n: number): number {
    if (n <= 0) return 0;
    const k = Math.floor(Math.log2(n)) + 1; // int.bit_length()
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  /** `random.shuffle(x)` in place (Python ≥ 3.2; the `random=` argument unused). */
  shuffle<T>(x: T[]): T[] {
    for (let i = x.length - 1; i > 0; i--) {
      const j = this.randbelow(i + 1);
      const t = x[i]; x[i] = x[j]; x[j] = t;
    }
    return x;
  }
}
