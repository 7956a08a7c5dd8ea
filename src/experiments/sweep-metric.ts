/**
 * What a sweep ranks its trials by: which metric, in which direction, its
 * value over a trial's runs, and the best trial.
 */
import type { RunSummary } from "../runs/records.js";
import { meanStd } from "./cv.js";
import type { Experiment } from "./experiment-schema.js";
import type { SweepMetricName, TrialMetric, TrialRecord, TrialRunRecord } from "./sweep-record.js";

/** Loss metrics rank lower-is-better; accuracies higher-is-better. */
export function higherIsBetter(metric: SweepMetricName): boolean {
  return metric.endsWith("Accuracy");
}

/**
 * The experiment's ranking metric: `metric` when given; else the cv metric
 * (validation accuracy or log loss) with cv, validation accuracy when the base
 * config holds out a validation split, else test accuracy.
 */
export function sweepMetricOf(experiment: Pick<Experiment, "metric" | "cv">, baseHasValidation: boolean): SweepMetricName {
  if (experiment.metric !== undefined) return experiment.metric;
  if (experiment.cv !== undefined) return experiment.cv.metric === "logLoss" ? "validationLoss" : "validationAccuracy";
  return baseHasValidation ? "validationAccuracy" : "testAccuracy";
}

/** The metric's value in a run summary, or null when the run has none (no validation split, or no finished epoch). */
export function metricOf(summary: RunSummary | null, metric: SweepMetricName): number | null {
  const value = summary?.[metric];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/**
 * A trial's metric over its runs: every run with a finite value counts
 * (a diverged run keeps its last finished epoch's metrics); null when none has one.
 */
export function trialMetric(runs: readonly TrialRunRecord[], metric: SweepMetricName): TrialMetric | null {
  const values = runs.map((r) => metricOf(r.summary, metric)).filter((v): v is number => v !== null);
  if (values.length === 0) return null;
  return { name: metric, ...meanStd(values), values };
}

/** The best completed trial by its mean metric (the earlier one on a tie), or null when none completed with a value. */
export function bestTrial(trials: readonly TrialRecord[], metric: SweepMetricName): { trialId: string; value: number } | null {
  const higher = higherIsBetter(metric);
  let best: { trialId: string; value: number } | null = null;
  for (const t of trials) {
    if (t.status !== "completed" || t.metric === null) continue;
    const value = t.metric.mean;
    if (best === null || (higher ? value > best.value : value < best.value)) best = { trialId: t.trialId, value };
  }
  return best;
}
