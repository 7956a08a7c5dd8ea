import { describe, expect, it } from "vitest";
import type { EpochRecord, RunSummary } from "../../src/runs/records.js";
import { curveTrials, learningCurveCharts, MAX_CURVE_COLOURS } from "../../src/report/curve-charts.js";
import type { ReportModel, ReportRun, ReportTrial } from "../../src/report/load-results.js";

function epoch(accuracy: number): EpochRecord {
  const figures = { trainLoss: 1 - accuracy, trainAccuracy: accuracy, testLoss: 1 - accuracy, testAccuracy: accuracy, validationLoss: 1 - accuracy, validationAccuracy: accuracy };
  return { epoch: 1, optimizerSteps: 10, ...figures, stepMs: 1, computeMs: 1, allreduceMs: 0, samplesPerSecond: 1000, epochSeconds: 1, numTensors: 6 };
}

function run(id: string, accuracy: number): ReportRun {
  const summary = { status: "completed" } as RunSummary;
  return {
    record: { runDir: `trials/${id}/run`, fold: null, execution: 0, status: "completed", summary },
    result: { dir: `/s/trials/${id}/run`, runId: id, config: null, summary, epochs: [epoch(accuracy)], steps: [], weightsMtimeMs: null, warnings: [] },
  };
}

/** A sweep of `n` one-run trials; trial i has validation accuracy accuracies[i]. */
function sweep(accuracies: number[], final = false): ReportModel {
  const trials: ReportTrial[] = accuracies.map((a, i) => {
    const trialId = `t${String(i + 1).padStart(2, "0")}`;
    return { trialId, index: i, params: {}, status: "completed", metric: { name: "validationAccuracy", mean: a, std: 0, values: [a] }, wallSeconds: 1, runs: [run(trialId, a)], isBest: false, note: null, submission: null };
  });
  return {
    kind: "sweep",
    dir: "/s",
    title: "t",
    description: null,
    sweepStatus: "completed",
    metric: "validationAccuracy",
    higherIsBetter: true,
    trials,
    final: final ? run("final", 0.99) : null,
    finalTrialId: null,
    finalSubmission: null,
    reference: null,
    discussion: null,
    sweptParams: [],
  };
}

const drawnTrials = (model: ReportModel): string[] => {
  const spec = learningCurveCharts(model)[0]!.spec as { data: { values: Array<{ trial: string }> } };
  return [...new Set(spec.data.values.map((p) => p.trial))];
};

describe("learning curves", () => {
  it("draw every trial while each can have its own colour", () => {
    const model = sweep(Array.from({ length: MAX_CURVE_COLOURS }, (_, i) => 0.5 + i / 100));
    expect(drawnTrials(model)).toHaveLength(MAX_CURVE_COLOURS);
    expect(learningCurveCharts(model)[0]!.caption).not.toMatch(/Only the/);
  });

  it("draw only the best trials by the sweep metric when there are more than colours, saying so", () => {
    // 25 trials; the best are the odd-numbered ones, then the lowest even-numbered ones
    const accuracies = Array.from({ length: 25 }, (_, i) => (i % 2 === 0 ? 0.9 : 0.5) + i / 1000);
    const model = sweep(accuracies, true);
    const kept = curveTrials(model).map((t) => t.trialId);
    expect(kept).toHaveLength(MAX_CURVE_COLOURS - 1); // one colour is the final run's
    const worst = [...accuracies.keys()].sort((a, b) => accuracies[a]! - accuracies[b]!).slice(0, 25 - kept.length);
    for (const i of worst) expect(kept).not.toContain(model.trials[i]!.trialId);
    expect(drawnTrials(model).sort()).toEqual([...kept, "final"].sort());
    expect(learningCurveCharts(model)[0]!.caption).toMatch(/Only the 19 best of the 25 trials by validationAccuracy are drawn/);
  });

  it("rank by the lowest value when lower is better, and put trials without a metric last", () => {
    const model = sweep(Array.from({ length: 22 }, (_, i) => i / 100));
    model.higherIsBetter = false;
    model.trials[0]!.metric = null;
    const kept = curveTrials(model).map((t) => t.index);
    expect(kept).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});
