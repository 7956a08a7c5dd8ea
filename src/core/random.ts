/**
 * A small seeded pseudo-random generator: deterministic across processes,
 * machines and Node versions, fast, no dependencies.
 *
 * Invariant 1 of docs/design.md (worker count does not change the math) needs every random choice
 * — the epoch permutation, each sample's augmentation — to be a pure function of
 * integers the run already knows (run seed, epoch, sample index), never of which
 * worker happens to draw it. So a stream is created from those integers, and the
 * generator uses only 32-bit integer operations (`Math.imul`, shifts, xor), which
 * are exact everywhere; no `Math.random`, no `Math.pow`.
 *
 * Algorithm: the seed parts are hashed into 128 bits of state with the murmur3
 * finaliser and splitmix32; the stream is xoshiro128** (Blackman & Vigna), period
 * 2^128 − 1.
 */
import { RingtrainError } from "./errors.js";

/**
 * Conventional first seed part that names what a stream is for, so two
 * consumers that both seed from (run seed, epoch, …) never share a stream.
 * Use as `createRng(RNG_STREAM.augment, seed, epoch, sampleIndex)`.
 */
export const RNG_STREAM = {
  permutation: 0x70657231,
  augment: 0x61756731,
  init: 0x696e6931,
  dropout: 0x64726f31,
} as const;

/** A deterministic stream of pseudo-random numbers. Not thread-safe; cheap to create. */
export interface Rng {
  /** A float in [0, 1) with 32 random bits. */
  next(): number;
  /** An integer in [0, 2^32). */
  nextUint32(): number;
  /** An integer in [0, bound), unbiased (rejection sampling); `bound` is an integer in [1, 2^32]. */
  nextInt(bound: number): number;
  /** A standard normal variate (Box–Muller; one draw per call, the pair's twin is discarded). */
  nextNormal(): number;
  /** Fisher–Yates shuffle of `arr` in place; returns `arr`. */
  shuffleInPlace<T extends Uint32Array | Int32Array>(arr: T): T;
}

const TWO_POW_32 = 4294967296;

/** murmur3's 32-bit finaliser: a bijective avalanche mix. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hashes the seed parts into one 32-bit value. Each part may be any safe
 * integer (negative, or above 2^32, e.g. a timestamp): both 32-bit halves are
 * mixed in. The number of parts is mixed in too, so (a, b) and (a, b, 0) differ.
 */
function mixSeedParts(parts: readonly number[]): number {
  let h = fmix32(0x9e3779b9 ^ parts.length);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as number;
    if (!Number.isSafeInteger(p)) {
      throw new RingtrainError(
        "INTERNAL",
        `createRng: seed part ${i} is ${p}; expected a safe integer (run seed, epoch, sample index, ...)`,
      );
    }
    const lo = p >>> 0; // low 32 bits (two's complement for negatives)
    const hi = Math.floor(p / TWO_POW_32) >>> 0;
    h = fmix32((h ^ lo) + 0x9e3779b9);
    h = fmix32((h ^ hi) + 0x7f4a7c15);
  }
  return h;
}

class Xoshiro128ss implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    // splitmix32 expands one 32-bit seed into four state words, never all zero
    // in practice; guard anyway since the all-zero state is a fixed point.
    let x = seed >>> 0;
    const split = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = split();
    this.s1 = split();
    this.s2 = split();
    this.s3 = split();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  nextInt(bound: number): number {
    if (!(Number.isInteger(bound) && bound >= 1 && bound <= TWO_POW_32)) {
      throw new RingtrainError("INTERNAL", `Rng.nextInt: bound is ${bound}; expected an integer in [1, 2^32]`);
    }
    // Reject the top partial range so every residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % bound);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % bound;
  }

  nextNormal(): number {
    // 1 - next() is in (0, 1], so the log is finite.
    const u1 = 1 - this.next();
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  shuffleInPlace<T extends Uint32Array | Int32Array>(arr: T): T {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = arr[i] as number;
      arr[i] = arr[j] as number;
      arr[j] = tmp;
    }
    return arr;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Creates a stream seeded by several integers, e.g. `(RNG_STREAM.permutation,
 * runSeed, epoch)`. The same parts always give the same stream; any change to
 * any part gives an unrelated one.
 *
 * @throws RingtrainError INTERNAL when a part is not a safe integer.
 */
export function createRng(...seedParts: number[]): Rng {
  return new Xoshiro128ss(mixSeedParts(seedParts));
}
