import { describe, it, expect } from "vitest";
import { gatherBatch, sampleSize, type Dataset } from "../../src/data/dataset.js";
import { RingtrainError } from "../../src/core/errors.js";

function tinyDataset(): Dataset {
  // 4 samples of 2×2×1; sample k's pixels are k*60 + (0, 1, 2, 255-k)
  const pixels = new Uint8Array(16);
  for (let k = 0; k < 4; k++) pixels.set([k * 60, k * 60 + 1, k * 60 + 2, 255 - k], k * 4);
  return { name: "tiny", split: "train", count: 4, height: 2, width: 2, channels: 1, numClasses: 10, pixels, labels: Uint8Array.of(7, 3, 0, 9) };
}

describe("gatherBatch", () => {
  it("copies the chosen samples in order, scaled to [0,1], with their labels", () => {
    const ds = tinyDataset();
    expect(sampleSize(ds)).toBe(4);
    const out = new Float32Array(8);
    const labels = new Int32Array(2);
    gatherBatch(ds, [3, 1], out, labels);
    expect(Array.from(out)).toEqual([180, 181, 182, 252, 60, 61, 62, 254].map((v) => Math.fround(v / 255)));
    expect(Array.from(labels)).toEqual([9, 3]);
    gatherBatch(ds, Uint32Array.of(0), out, labels);
    expect(out[0]).toBe(0);
    expect(out[3]).toBe(1);
  });

  it("writes only the prefix of larger buffers", () => {
    const ds = tinyDataset();
    const out = new Float32Array(12).fill(-1);
    const labels = new Int32Array(3).fill(-1);
    gatherBatch(ds, [2], out, labels);
    expect(out[4]).toBe(-1);
    expect(labels[1]).toBe(-1);
    expect(labels[0]).toBe(0);
  });

  it("rejects short buffers and out-of-range indices", () => {
    const ds = tinyDataset();
    expect(() => gatherBatch(ds, [0, 1], new Float32Array(7), new Int32Array(2))).toThrow(RingtrainError);
    expect(() => gatherBatch(ds, [0, 1], new Float32Array(8), new Int32Array(1))).toThrow(/labelsOut ≥ 2/);
    expect(() => gatherBatch(ds, [4], new Float32Array(4), new Int32Array(1))).toThrow(/index 4 at position 0 is outside \[0, 4\)/);
    expect(() => gatherBatch(ds, [-1], new Float32Array(4), new Int32Array(1))).toThrow(RingtrainError);
  });
});
