import { describe, it, expect } from "vitest";
import { holdoutSplit, kFold, kFoldSplit, stratifiedKFold, type SplitIndices } from "../../src/data/splits.js";
import { isRingtrainError } from "../../src/core/errors.js";
import { createRng } from "../../src/core/random.js";

/** Unbalanced labels: class c has about (c+1)·count/55 samples, in random order. */
function unbalancedLabels(count: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let r = rng.nextInt(55);
    let c = 0;
    while (r >= c + 1) r -= ++c;
    labels[i] = c;
  }
  return labels;
}

function classCounts(labels: Uint8Array, indices: Uint32Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const i of indices) counts[labels[i] as number]! += 1;
  return counts;
}

/** Both parts sorted, in range, disjoint, and together every index once. */
function expectPartition(split: SplitIndices, count: number): void {
  const seen = new Uint8Array(count);
  let problems = 0;
  for (const part of [split.train, split.validation]) {
    for (let j = 0; j < part.length; j++) {
      const i = part[j] as number;
      if (i >= count || (j > 0 && i <= (part[j - 1] as number))) problems++;
      else seen[i]! += 1;
    }
  }
  expect(problems).toBe(0);
  expect(seen.every((s) => s === 1)).toBe(true);
}

function expectThrowsConfig(f: () => unknown, pattern: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(isRingtrainError(err, "CONFIG_INVALID")).toBe(true);
  expect((err as Error).message).toMatch(pattern);
}

describe("holdoutSplit", () => {
  it("holds out round(fraction·count) samples, partitioning the indices", () => {
    for (const [count, fraction, expected] of [
      [1000, 0.1, 100],
      [10, 0.25, 3],
      [2, 0.5, 1],
      [5, 0.01, 1],
      [5, 0.99, 4],
    ] as const) {
      const s = holdoutSplit(count, { fraction, seed: 3 });
      expect(s.validation.length).toBe(expected);
      expect(s.train.length).toBe(count - expected);
      expectPartition(s, count);
    }
  });

  it("is deterministic in the seed, and different seeds give different splits", () => {
    const a = holdoutSplit(500, { fraction: 0.2, seed: 11 });
    const b = holdoutSplit(500, { fraction: 0.2, seed: 11 });
    const c = holdoutSplit(500, { fraction: 0.2, seed: 12 });
    expect(Array.from(a.validation)).toEqual(Array.from(b.validation));
    expect(Array.from(a.validation)).not.toEqual(Array.from(c.validation));
    // Not just the first or last samples: the held-out indices spread over the range.
    expect(a.validation[0]).toBeLessThan(50);
    expect(a.validation[a.validation.length - 1]).toBeGreaterThan(450);
  });

  it("with labels, gives every class its share within one sample", () => {
    const labels = unbalancedLabels(3001, 5);
    for (const fraction of [0.1, 0.33, 0.5]) {
      const s = holdoutSplit(labels.length, { fraction, seed: 9, labels });
      expectPartition(s, labels.length);
      expect(s.validation.length).toBe(Math.round(fraction * labels.length));
      const whole = classCounts(labels, Uint32Array.from(labels.keys()));
      const held = classCounts(labels, s.validation);
      const f = s.validation.length / labels.length;
      whole.forEach((n, c) => {
        expect(Math.abs((held[c] as number) - n * f)).toBeLessThan(1);
      });
    }
    const again = holdoutSplit(labels.length, { fraction: 0.1, seed: 9, labels });
    expect(Array.from(again.validation)).toEqual(Array.from(holdoutSplit(labels.length, { fraction: 0.1, seed: 9, labels }).validation));
  });

  it("rejects a fraction outside (0, 1), too few samples and mismatched labels", () => {
    for (const fraction of [0, 1, -0.1, 1.5, Number.NaN]) {
      expectThrowsConfig(() => holdoutSplit(10, { fraction, seed: 1 }), /validation fraction is .*; expected a number strictly between 0 and 1/);
    }
    expectThrowsConfig(() => holdoutSplit(1, { fraction: 0.5, seed: 1 }), /from 1 samples; need at least 2/);
    expectThrowsConfig(() => holdoutSplit(10, { fraction: 0.5, seed: 1, labels: new Uint8Array(9) }), /9 labels for 10 samples/);
    expectThrowsConfig(() => holdoutSplit(10, { fraction: 0.5, seed: 1.5 }), /seed is 1.5/);
  });
});

describe("stratifiedKFold", () => {
  it("returns k folds whose validation parts cover every sample exactly once", () => {
    const labels = unbalancedLabels(1003, 2);
    for (const k of [2, 5, 10]) {
      const folds = stratifiedKFold(labels, { k, seed: 4 });
      expect(folds).toHaveLength(k);
      const seen = new Uint8Array(labels.length);
      for (const f of folds) {
        expectPartition(f, labels.length);
        for (const i of f.validation) seen[i]! += 1;
      }
      expect(seen.every((s) => s === 1)).toBe(true);
      const sizes = folds.map((f) => f.validation.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it("keeps each fold's class counts within one sample of the whole's proportions", () => {
    const labels = unbalancedLabels(2000, 8);
    const k = 7;
    const whole = classCounts(labels, Uint32Array.from(labels.keys()));
    for (const f of stratifiedKFold(labels, { k, seed: 1 })) {
      const held = classCounts(labels, f.validation);
      whole.forEach((n, c) => {
        expect(held[c]).toBeGreaterThanOrEqual(Math.floor(n / k));
        expect(held[c]).toBeLessThanOrEqual(Math.ceil(n / k));
      });
    }
  });

  it("is deterministic in the seed", () => {
    const labels = unbalancedLabels(300, 3);
    const a = stratifiedKFold(labels, { k: 3, seed: 10 });
    const b = stratifiedKFold(labels, { k: 3, seed: 10 });
    const c = stratifiedKFold(labels, { k: 3, seed: 11 });
    expect(a.map((f) => Array.from(f.validation))).toEqual(b.map((f) => Array.from(f.validation)));
    expect(a.map((f) => Array.from(f.validation))).not.toEqual(c.map((f) => Array.from(f.validation)));
  });

  it("handles k equal to the sample count (leave-one-out) and rejects bad k", () => {
    const labels = Uint8Array.of(0, 1, 1, 2);
    const folds = stratifiedKFold(labels, { k: 4, seed: 0 });
    expect(folds.map((f) => f.validation.length)).toEqual([1, 1, 1, 1]);
    for (const k of [1, 5, 2.5]) {
      expectThrowsConfig(() => stratifiedKFold(labels, { k, seed: 0 }), new RegExp(`k is ${k}; expected an integer from 2 to the sample count 4`));
    }
  });
});

describe("kFold (unstratified)", () => {
  it("partitions every sample into k folds of sizes within one, deterministic in the seed", () => {
    const count = 1003;
    const folds = kFold(count, { k: 6, seed: 5 });
    const seen = new Uint8Array(count);
    for (const f of folds) {
      expectPartition(f, count);
      for (const i of f.validation) seen[i]! += 1;
    }
    expect(seen.every((s) => s === 1)).toBe(true);
    const sizes = folds.map((f) => f.validation.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(kFold(count, { k: 6, seed: 5 }).map((f) => Array.from(f.validation))).toEqual(folds.map((f) => Array.from(f.validation)));
    expect(kFold(count, { k: 6, seed: 6 })[0]!.validation).not.toEqual(folds[0]!.validation);
  });

  it("ignores the labels: a class sorted to the front is not spread evenly over the folds", () => {
    // 100 samples of class 1 then 900 of class 0; stratified folds get exactly 10 of class 1 each
    const labels = new Uint8Array(1000);
    labels.fill(1, 0, 100);
    const ones = (f: SplitIndices): number => Array.from(f.validation).filter((i) => i < 100).length;
    expect(stratifiedKFold(labels, { k: 10, seed: 2 }).map(ones)).toEqual(Array(10).fill(10));
    expect(kFold(labels.length, { k: 10, seed: 2 }).map(ones)).not.toEqual(Array(10).fill(10));
    expect(kFold(labels.length, { k: 10, seed: 2 }).map(ones).reduce((a, b) => a + b, 0)).toBe(100);
  });
});

describe("kFoldSplit", () => {
  it("is fold i of the whole partition, stratified with labels and plain without", () => {
    const labels = unbalancedLabels(503, 9);
    const all = stratifiedKFold(labels, { k: 4, seed: 3 });
    const plain = kFold(labels.length, { k: 4, seed: 3 });
    for (let f = 0; f < 4; f++) {
      expect(kFoldSplit(labels.length, { k: 4, seed: 3, labels }, f)).toEqual(all[f]);
      expect(kFoldSplit(labels.length, { k: 4, seed: 3 }, f)).toEqual(plain[f]);
    }
    expectThrowsConfig(() => kFoldSplit(10, { k: 4, seed: 3 }, 4), /fold is 4; expected an integer from 0 to 3/);
  });
});
