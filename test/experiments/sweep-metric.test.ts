import { describe, expect, it } from "vitest";
import type { RunSummary } from "../../src/runs/records.js";
import { bestTrial, sweepMetricOf, trialMetric } from "../../src/experiments/sweep-metric.js";
import type { TrialRecord, TrialRunRecord } from "../../src/experiments/sweep-record.js";

function run(status: TrialRunRecord["status"], values: Partial<RunSummary>): TrialRunRecord {
  return { runDir: "x", fold: null, execution: 0, status, summary: { status, ...values } as RunSummary };
}

describe("sweep metric", () => {
  it("defaults to the cv metric, the validation accuracy with a validation split, else the test accuracy", () => {
    expect(sweepMetricOf({ cv: { folds: 10, stratified: true, metric: "logLoss" } }, false)).toBe("validationLoss");
    expect(sweepMetricOf({ cv: { folds: 5, stratified: true, metric: "accuracy" } }, false)).toBe("validationAccuracy");
    expect(sweepMetricOf({}, true)).toBe("validationAccuracy");
    expect(sweepMetricOf({}, false)).toBe("testAccuracy");
    expect(sweepMetricOf({ metric: "testLoss" }, true)).toBe("testLoss");
  });

  it("a trial's metric keeps a diverged run's last finite value and skips runs without one", () => {
    const m = trialMetric([run("completed", { validationLoss: 0.2 }), run("diverged", { validationLoss: 0.4 }), run("failed", { validationLoss: null })], "validationLoss");
    expect(m).toMatchObject({ name: "validationLoss", values: [0.2, 0.4] });
    expect(m!.mean).toBeCloseTo(0.3, 12);
    expect(trialMetric([run("failed", {})], "testAccuracy")).toBeNull();
  });

  it("the best trial is the best completed one in the metric's direction", () => {
    const trial = (trialId: string, status: TrialRecord["status"], mean: number): TrialRecord => ({
      trialId, index: 0, params: {}, status, runs: [], wallSeconds: 0, metric: { name: "validationLoss", mean, std: 0, values: [mean] },
    });
    const trials = [trial("a", "completed", 0.3), trial("b", "diverged", 0.1), trial("c", "completed", 0.2), trial("d", "completed", 0.25)];
    expect(bestTrial(trials, "validationLoss")).toEqual({ trialId: "c", value: 0.2 });
    expect(bestTrial(trials, "validationAccuracy")).toEqual({ trialId: "a", value: 0.3 });
    expect(bestTrial([trial("b", "failed", 0.1)], "validationLoss")).toBeNull();
  });
});
