import { describe, expect, it } from "vitest";
import { scheduleFactor, scheduleSchema } from "../../src/model/schedules.js";

describe("learning-rate schedules", () => {
  it("step, exponential and cosine factors per epoch", () => {
    const at = (s: unknown, epochs: number) => Array.from({ length: epochs }, (_, e) => +scheduleFactor(scheduleSchema.parse(s), e, epochs).toFixed(4));
    expect(at({ name: "constant" }, 3)).toEqual([1, 1, 1]);
    expect(at({ name: "step", every: 2, factor: 0.5 }, 5)).toEqual([1, 1, 0.5, 0.5, 0.25]);
    expect(at({ name: "exponential", factor: 0.9 }, 3)).toEqual([1, 0.9, 0.81]);
    expect(at({ name: "cosine", minFactor: 0.1 }, 3)).toEqual([1, 0.55, 0.1]);
  });

  it("rejects factors above 1 and unknown names", () => {
    expect(scheduleSchema.safeParse({ name: "step", every: 1, factor: 2 }).success).toBe(false);
    expect(scheduleSchema.safeParse({ name: "warmup" }).success).toBe(false);
  });
});
