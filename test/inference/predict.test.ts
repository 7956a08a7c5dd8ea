import { describe, expect, it } from "vitest";
import { accuracyOf, argmaxRows } from "../../src/inference/predict.js";

describe("class predictions", () => {
  it("take the largest value of every row, the first one on a tie", () => {
    const probabilities = Float32Array.from([0.1, 0.7, 0.2, 0.5, 0.25, 0.25, 0.4, 0.2, 0.4]);
    expect(Array.from(argmaxRows(probabilities, 3))).toEqual([1, 0, 0]);
  });

  it("score the share of classes equal to their labels", () => {
    expect(accuracyOf(Uint8Array.from([1, 0, 2, 2]), Uint8Array.from([1, 1, 2, 0]))).toBe(0.5);
  });
});
