import { describe, expect, it } from "vitest";
import { confidenceText } from "../../src/report/analysis-charts.js";

describe("confidenceText", () => {
  it("uses one decimal below 99%, more above, and never rounds a mistake up to 100%", () => {
    expect(confidenceText(0.5)).toBe("50.0%");
    expect(confidenceText(0.9876)).toBe("98.8%");
    expect(confidenceText(0.995)).toBe("99.50%");
    expect(confidenceText(0.99998)).toBe("99.998%");
    expect(confidenceText(0.9999999)).toBe(">99.999%");
  });
});
