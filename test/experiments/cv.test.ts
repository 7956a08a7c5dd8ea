import { describe, expect, it } from "vitest";
import { meanStd, plannedRuns } from "../../src/experiments/cv.js";

describe("cross-validation statistics", () => {
  it("mean and sample standard deviation", () => {
    expect(meanStd([0.9])).toEqual({ mean: 0.9, std: 0 });
    const { mean, std } = meanStd([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(mean).toBe(5);
    expect(std).toBeCloseTo(Math.sqrt(32 / 7), 12);
  });

  it("plans folds × executions, folds outer", () => {
    expect(plannedRuns(undefined, 1)).toEqual([{ fold: null, execution: 0 }]);
    expect(plannedRuns({ folds: 2, stratified: true, metric: "accuracy" }, 2)).toEqual([
      { fold: 0, execution: 0 },
      { fold: 0, execution: 1 },
      { fold: 1, execution: 0 },
      { fold: 1, execution: 1 },
    ]);
  });
});
