import { describe, it, expect } from "vitest";
import {
  epochPermutation,
  globalBatchRange,
  microBatches,
  stepsPerEpoch,
  workerShare,
} from "../../src/data/sampler.js";
import { RingtrainError } from "../../src/core/errors.js";

function isPermutation(p: Uint32Array): boolean {
  const seen = new Uint8Array(p.length);
  for (const v of p) {
    if (v >= p.length || seen[v] === 1) return false;
    seen[v] = 1;
  }
  return true;
}

describe("epochPermutation", () => {
  it("is a deterministic permutation of 0..count-1", () => {
    const a = epochPermutation(42, 0, 60000);
    expect(a.length).toBe(60000);
    expect(isPermutation(a)).toBe(true);
    expect(epochPermutation(42, 0, 60000)).toEqual(a);
    expect(epochPermutation(42, 0, 0).length).toBe(0);
    expect(Array.from(epochPermutation(42, 0, 1))).toEqual([0]);
  });

  it("differs between epochs and between seeds", () => {
    const a = epochPermutation(42, 0, 1000);
    const b = epochPermutation(42, 1, 1000);
    const c = epochPermutation(43, 0, 1000);
    let sameAB = 0;
    let sameAC = 0;
    for (let i = 0; i < 1000; i++) {
      if (a[i] === b[i]) sameAB++;
      if (a[i] === c[i]) sameAC++;
    }
    expect(sameAB).toBeLessThan(20);
    expect(sameAC).toBeLessThan(20);
  });
});

describe("global batches", () => {
  it("cover every sample exactly once per epoch, the last batch smaller", () => {
    for (const [count, batch] of [
      [10, 3],
      [9, 3],
      [5, 8],
      [60000, 128],
      [1, 1],
    ] as const) {
      const steps = stepsPerEpoch(count, batch);
      expect(steps).toBe(Math.ceil(count / batch));
      let next = 0;
      for (let s = 0; s < steps; s++) {
        const { start, end } = globalBatchRange(count, batch, s);
        expect(start).toBe(next);
        expect(end - start).toBe(s < steps - 1 ? batch : count - batch * (steps - 1));
        next = end;
      }
      expect(next).toBe(count);
    }
    expect(stepsPerEpoch(0, 4)).toBe(0);
  });

  it("reject out-of-range steps and bad sizes", () => {
    expect(() => globalBatchRange(10, 3, 4)).toThrow(/step 4 is outside the epoch's 4 steps/);
    expect(() => globalBatchRange(10, 3, -1)).toThrow(RingtrainError);
    expect(() => stepsPerEpoch(10, 0)).toThrow(/global batch size is 0/);
    expect(() => stepsPerEpoch(10, 2.5)).toThrow(RingtrainError);
  });
});

describe("workerShare", () => {
  it("splits a batch into contiguous shares whose union is the batch, for many sizes and world sizes", () => {
    for (const world of [1, 2, 3, 4, 7, 8, 16]) {
      for (const size of [0, 1, 2, 3, 5, 7, 8, 15, 16, 17, 100, 128, 1000]) {
        let next = 0;
        const counts: number[] = [];
        for (let r = 0; r < world; r++) {
          const { offset, count } = workerShare(size, world, r);
          expect(offset).toBe(next);
          next += count;
          counts.push(count);
        }
        expect(next).toBe(size);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        // the first size % world ranks get the extra sample
        counts.forEach((c, r) => expect(c).toBe(Math.floor(size / world) + (r < size % world ? 1 : 0)));
      }
    }
  });

  it("gives every sample of every global batch of an epoch to exactly one rank (invariant 1)", () => {
    const count = 1003;
    const batch = 64;
    const perm = epochPermutation(7, 2, count);
    for (const world of [1, 2, 3, 5]) {
      const seen = new Uint8Array(count);
      for (let s = 0; s < stepsPerEpoch(count, batch); s++) {
        const { start, end } = globalBatchRange(count, batch, s);
        const global = Array.from(perm.subarray(start, end));
        const union: number[] = [];
        for (let r = 0; r < world; r++) {
          const { offset, count: n } = workerShare(end - start, world, r);
          union.push(...perm.subarray(start + offset, start + offset + n));
        }
        expect(union).toEqual(global);
        for (const i of union) seen[i] = (seen[i] ?? 0) + 1;
      }
      expect(seen.every((v) => v === 1)).toBe(true);
    }
  });

  it("rejects a rank outside the world", () => {
    expect(() => workerShare(10, 4, 4)).toThrow(/rank 4 is outside \[0, 4\)/);
    expect(() => workerShare(10, 0, 0)).toThrow(RingtrainError);
  });
});

describe("microBatches", () => {
  it("cuts a share into full micro-batches and one remainder", () => {
    expect(microBatches(10, 4)).toEqual([
      { offset: 0, count: 4 },
      { offset: 4, count: 4 },
      { offset: 8, count: 2 },
    ]);
    expect(microBatches(8, 4)).toEqual([
      { offset: 0, count: 4 },
      { offset: 4, count: 4 },
    ]);
    expect(microBatches(3, 100)).toEqual([{ offset: 0, count: 3 }]);
    expect(microBatches(0, 4)).toEqual([]);
    expect(() => microBatches(4, 0)).toThrow(/micro-batch size is 0/);
  });

  it("covers the share exactly for many sizes", () => {
    for (let n = 0; n < 50; n++) {
      for (const m of [1, 2, 3, 7, 16]) {
        const parts = microBatches(n, m);
        let next = 0;
        for (const p of parts) {
          expect(p.offset).toBe(next);
          expect(p.count).toBeGreaterThan(0);
          expect(p.count).toBeLessThanOrEqual(m);
          next += p.count;
        }
        expect(next).toBe(n);
      }
    }
  });
});
