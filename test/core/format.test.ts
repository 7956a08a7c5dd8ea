import { describe, expect, it } from "vitest";
import { formatLoss, formatPercent } from "../../src/core/format.js";

describe("formatPercent and formatLoss", () => {
  it("write a fraction as a percent with two decimals", () => {
    expect(formatPercent(0.9876)).toBe("98.76%");
    expect(formatPercent(1)).toBe("100.00%");
    expect(formatPercent(0)).toBe("0.00%");
  });

  it("write a loss with four decimals", () => {
    expect(formatLoss(0.123456)).toBe("0.1235");
    expect(formatLoss(2)).toBe("2.0000");
    expect(formatLoss(Number.NaN)).toBe("NaN");
  });
});
