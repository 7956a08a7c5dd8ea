/**
 * The final figures of a run and of a trial (the mean over its runs). A run
 * that diverged or failed contributes its last finite figures: its summary's
 * (the last finished epoch) or, where those are missing, the last finite value
 * in its metrics.jsonl.
 */
import type { DivergenceRecord, EpochRecord, RunSummary } from "../runs/records.js";
import type { ReportRun, ReportTrial } from "./load-results.js";
import { finiteOrNull } from "./format.js";

/** The figures of the results table; null where the run has none. */
export interface Figures {
  epochs: number | null;
  optimizerSteps: number | null;
  trainAccuracy: number | null;
  trainLoss: number | null;
  validationAccuracy: number | null;
  validationLoss: number | null;
  testAccuracy: number | null;
  testLoss: number | null;
  errorRate: number | null;
  wallSeconds: number | null;
  samplesPerSecond: number | null;
  workers: number | null;
  /** distinct backends of the workers, e.g. `wasm` */
  backend: string | null;
}

export type FigureName = Exclude<keyof Figures, "backend">;

/** The last finite value of one epoch field. */
function lastFinite(epochs: readonly EpochRecord[], key: keyof EpochRecord): number | null {
  for (let i = epochs.length - 1; i >= 0; i--) {
    const v = finiteOrNull(epochs[i]![key]);
    if (v !== null) return v;
  }
  return null;
}

/** The summary of a run: from its directory when present (newest), else what sweep.json recorded. */
export function runSummary(run: ReportRun): RunSummary | null {
  return run.result?.summary ?? run.record.summary ?? null;
}

/** How a run ended, preferring its own summary over the sweep's record. */
export function runStatus(run: ReportRun): RunSummary["status"] {
  return runSummary(run)?.status ?? run.record.status;
}

export function runDivergence(run: ReportRun): DivergenceRecord | null {
  return runSummary(run)?.divergence ?? null;
}

/** The figures of one run. */
export function runFigures(run: ReportRun): Figures {
  const s = runSummary(run);
  const epochs = run.result?.epochs ?? [];
  const pick = (summaryValue: unknown, key: keyof EpochRecord): number | null => finiteOrNull(summaryValue) ?? lastFinite(epochs, key);
  const testAccuracy = pick(s?.testAccuracy, "testAccuracy");
  const lastEpoch = epochs[epochs.length - 1];
  const backends = [...new Set((s?.backends ?? []).map((b) => b.backend))];
  return {
    epochs: finiteOrNull(s?.epochs) ?? (lastEpoch === undefined ? null : lastEpoch.epoch),
    optimizerSteps: finiteOrNull(s?.optimizerSteps) ?? lastFinite(epochs, "optimizerSteps"),
    trainAccuracy: pick(s?.trainAccuracy, "trainAccuracy"),
    trainLoss: pick(s?.trainLoss, "trainLoss"),
    validationAccuracy: pick(s?.validationAccuracy, "validationAccuracy"),
    validationLoss: pick(s?.validationLoss, "validationLoss"),
    testAccuracy,
    testLoss: pick(s?.testLoss, "testLoss"),
    errorRate: finiteOrNull(s?.errorRate) ?? (testAccuracy === null ? null : 1 - testAccuracy),
    wallSeconds: finiteOrNull(s?.wallSeconds),
    samplesPerSecond: pick(s?.samplesPerSecond, "samplesPerSecond"),
    workers: finiteOrNull(s?.workers),
    backend: backends.length === 0 ? null : backends.join(", "),
  };
}

function mean(values: readonly (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null);
  return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
}

function total(values: readonly (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null);
  return v.length === 0 ? null : v.reduce((a, b) => a + b, 0);
}

/**
 * A trial's figures: the mean over its runs of each figure they have (CV
 * folds, repeated executions); wall time is the trial's total.
 */
export function trialFigures(trial: ReportTrial): Figures {
  const runs = trial.runs.map(runFigures);
  const avg = (k: FigureName): number | null => mean(runs.map((r) => r[k]));
  const backends = [...new Set(runs.flatMap((r) => (r.backend === null ? [] : r.backend.split(", "))))];
  return {
    epochs: avg("epochs"),
    optimizerSteps: avg("optimizerSteps"),
    trainAccuracy: avg("trainAccuracy"),
    trainLoss: avg("trainLoss"),
    validationAccuracy: avg("validationAccuracy"),
    validationLoss: avg("validationLoss"),
    testAccuracy: avg("testAccuracy"),
    testLoss: avg("testLoss"),
    errorRate: avg("errorRate"),
    wallSeconds: trial.wallSeconds > 0 ? trial.wallSeconds : total(runs.map((r) => r.wallSeconds)),
    samplesPerSecond: avg("samplesPerSecond"),
    workers: avg("workers"),
    backend: backends.length === 0 ? null : backends.join(", "),
  };
}
