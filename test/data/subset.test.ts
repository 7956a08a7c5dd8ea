import { describe, it, expect } from "vitest";
import type { Dataset } from "../../src/data/dataset.js";
import { holdoutSplit } from "../../src/data/splits.js";
import { subsetDataset } from "../../src/data/subset.js";
import { isRingtrainError } from "../../src/core/errors.js";

/** 1×2 images: sample k is [k, 100+k], label k % 10. */
function data(count: number): Dataset {
  const pixels = new Uint8Array(count * 2);
  for (let k = 0; k < count; k++) {
    pixels[2 * k] = k;
    pixels[2 * k + 1] = 100 + k;
  }
  return { name: "d", split: "train", count, height: 1, width: 2, channels: 1, numClasses: 10, pixels, labels: Uint8Array.from({ length: count }, (_, k) => k % 10) };
}

describe("subsetDataset", () => {
  it("copies the samples at the indices, in order", () => {
    const ds = data(20);
    const sub = subsetDataset(ds, Uint32Array.of(13, 2, 2));
    expect(sub).toMatchObject({ name: "d[3 of 20]", split: "train", count: 3, height: 1, width: 2, channels: 1, numClasses: 10 });
    expect(Array.from(sub.pixels)).toEqual([13, 113, 2, 102, 2, 102]);
    expect(Array.from(sub.labels)).toEqual([3, 2, 2]);
    // A copy: writing to it leaves the parent alone.
    sub.pixels[0] = 0;
    expect(ds.pixels[26]).toBe(13);
  });

  it("makes the two datasets of a holdout split, with the given name and split", () => {
    const ds = data(50);
    const { train, validation } = holdoutSplit(ds.count, { fraction: 0.2, seed: 1 });
    const v = subsetDataset(ds, validation, { name: "d-validation", split: "test" });
    const t = subsetDataset(ds, train);
    expect(v).toMatchObject({ name: "d-validation", split: "test", count: 10 });
    expect(t.count).toBe(40);
    const firsts = [...Array.from({ length: v.count }, (_, i) => v.pixels[2 * i]), ...Array.from({ length: t.count }, (_, i) => t.pixels[2 * i])];
    expect(firsts.sort((a, b) => (a as number) - (b as number))).toEqual(Array.from({ length: 50 }, (_, k) => k));
  });

  it("rejects an index outside the dataset", () => {
    for (const bad of [[20], [-1], [1.5]]) {
      let err: unknown;
      try {
        subsetDataset(data(20), bad);
      } catch (e) {
        err = e;
      }
      expect(isRingtrainError(err, "INTERNAL")).toBe(true);
      expect((err as Error).message).toMatch(/index .* at position 0 is outside \[0, 20\)/);
    }
  });
});
