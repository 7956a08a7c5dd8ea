/**
 * Runs a sweep: every planned run of every trial, one after another, each an
 * ordinary distributed training run under `<sweep>/trials/<trial-id>/`.
 *
 * 1. Trials run in plan order; a trial whose status is terminal (completed,
 *    failed, diverged) is skipped, and so is every run already recorded, so a
 *    resumed sweep never reruns a finished run.
 * 2. After every run, `sweep.json` is rewritten (atomically) with the run's
 *    record, the trial's metric (mean ± std over its runs) and the best trial.
 * 3. A run that fails or diverges ends its trial with that status (its
 *    remaining folds or executions are not run; the trial's `note` says so),
 *    and the sweep goes on with the next trial.
 * 4. An interrupt (SIGINT/SIGTERM) during a run or between runs marks the sweep
 *    `interrupted`, writes `sweep.json` and rejects with INTERRUPTED: the
 *    interrupted run's directory is listed in its trial's `interruptedRuns` and
 *    that run is run again on `--resume`.
 * 5. With `retrainBest`, the best trial is retrained without a validation
 *    split and scored on the test set (`final`); then the sweep is `completed`.
 */
import { join, relative } from "node:path";
import { errorMessage, isRingtrainError, RingtrainError } from "../core/errors.js";
import { formatLoss, formatPercent } from "../core/format.js";
import type { Logger } from "../core/log.js";
import { InterruptGuard } from "../core/interrupt-guard.js";
import { readRunSummary } from "../runs/read-run.js";
import type { RunSummary } from "../runs/records.js";
import { runTraining, type RunOptions, type TrainingResult } from "../coordinator/run-controller.js";
import type { PlannedRun } from "./cv.js";
import { finalConfigFor, runConfigFor, type PlannedTrial, type SweepPlan } from "./sweep-plan.js";
import { bestTrial, metricOf, trialMetric } from "./sweep-metric.js";
import type { SweepRecord, TrialRecord, TrialRunRecord } from "./sweep-record.js";
import { writeSweepRecord } from "./sweep-store.js";
import { submissionPath, writeEnsembleSubmission } from "./submissions.js";

export interface SweepRunnerOptions {
  plan: SweepPlan;
  /** the sweep directory; `experiment.json` is already there */
  dir: string;
  /** a fresh record ({@link newSweepRecord}) or the one being resumed ({@link reconcileRecord}) */
  record: SweepRecord;
  logger: Logger;
  progress: boolean;
  verbose: boolean;
  /** the training function; tests may pass a fake */
  train?: (options: RunOptions) => Promise<TrainingResult>;
}

/** The record of a sweep that has not run anything yet. */
export function newSweepRecord(plan: SweepPlan, sweepId: string, experimentFile?: string): SweepRecord {
  const now = new Date().toISOString();
  return {
    sweepId,
    name: plan.experiment.name,
    status: "running",
    startedAt: now,
    updatedAt: now,
    metric: plan.metric,
    higherIsBetter: plan.higherIsBetter,
    workers: plan.workers,
    trials: plan.trials.map((t) => ({ trialId: t.trialId, index: t.index, params: t.params, status: "pending", runs: [], metric: null, wallSeconds: 0 })),
    best: null,
    final: null,
    runsPerTrial: plan.runs.length,
    ...(experimentFile === undefined ? {} : { experimentFile }),
  };
}

/**
 * Checks that a resumed record belongs to this plan (same trials, same ids, in
 * the same order) and takes the plan's worker count.
 *
 * @throws RingtrainError DATA_INVALID when the trials differ (experiment.json was edited).
 */
export function reconcileRecord(plan: SweepPlan, record: SweepRecord): SweepRecord {
  const ids = plan.trials.map((t) => t.trialId);
  const recorded = record.trials.map((t) => t.trialId);
  const i = ids.findIndex((id, k) => id !== recorded[k]);
  if (ids.length !== recorded.length || i >= 0) {
    throw new RingtrainError(
      "DATA_INVALID",
      `sweep ${record.sweepId}: experiment.json plans ${ids.length} trials but sweep.json records ${recorded.length}` +
        `${i >= 0 ? ` (trial ${i + 1} is ${ids[i] ?? "missing"} in the plan, ${recorded[i] ?? "missing"} in the record)` : ""}; ` +
        `experiment.json was changed after the sweep started: restore it, or start a new sweep`,
    );
  }
  return { ...record, workers: plan.workers, metric: plan.metric, higherIsBetter: plan.higherIsBetter, runsPerTrial: plan.runs.length };
}

const isSameRun = (a: Pick<TrialRunRecord, "fold" | "execution">, b: PlannedRun): boolean => a.fold === b.fold && a.execution === b.execution;

/** `fold 2/5`, `execution 1/3`, `fold 2/5, execution 1/3`, or "" for a trial's only run. */
function describeRun(plan: SweepPlan, run: PlannedRun): string {
  const parts: string[] = [];
  if (run.fold !== null) parts.push(`fold ${run.fold + 1}/${plan.experiment.cv?.folds ?? "?"}`);
  if (plan.executionsPerTrial > 1) parts.push(`execution ${run.execution + 1}/${plan.executionsPerTrial}`);
  return parts.join(", ");
}

function formatMetric(value: number | null, name: string): string {
  if (value === null) return `no ${name}`;
  return `${name} ${name.endsWith("Accuracy") ? formatPercent(value) : formatLoss(value)}`;
}

/** A failed run's summary.json, or null when it wrote none (or an unreadable or invalid one): the record then has no summary. */
async function readSummary(runDir: string): Promise<RunSummary | null> {
  return readRunSummary(runDir).catch(() => null);
}

/**
 * Runs (or resumes) the sweep to its end.
 *
 * @returns the completed record (also in `sweep.json`).
 * @throws RingtrainError INTERRUPTED after recording the interruption, saying how to resume.
 */
export async function runSweep(options: SweepRunnerOptions): Promise<SweepRecord> {
  const { plan, dir, logger } = options;
  const record = options.record;
  const train = options.train ?? runTraining;
  // between runs nothing else listens: without this, Ctrl-C would kill the sweep before it records where it stopped
  const interrupt = new InterruptGuard();
  const save = (): Promise<void> => writeSweepRecord(dir, record);

  const stop = async (why: string): Promise<never> => {
    record.status = "interrupted";
    await save();
    throw new RingtrainError("INTERRUPTED", `${why}; sweep ${record.sweepId} stopped, its finished runs are recorded in ${join(dir, "sweep.json")}. Continue it with: ringtrain sweep --resume ${dir}`);
  };

  /** Runs one training run; null when it was interrupted (its directory is then listed in `interrupted`). */
  const execute = async (config: RunOptions["config"], run: PlannedRun, interrupted: string[]): Promise<TrialRunRecord | null> => {
    let runDir: string | undefined;
    try {
      const result = await train({ config, logger, progress: options.progress, verbose: options.verbose, onRunDir: (p) => (runDir = p) });
      const { summary } = result;
      const d = summary.divergence;
      return {
        runDir: relative(dir, result.runDir),
        fold: run.fold,
        execution: run.execution,
        status: summary.status,
        summary,
        ...(summary.status === "diverged"
          ? { error: d === undefined ? "diverged" : `diverged at epoch ${d.epoch}, optimizer step ${d.optimizerStep}: loss ${d.loss} (maxLoss ${d.maxLoss})` }
          : {}),
      };
    } catch (e) {
      if (isRingtrainError(e, "INTERRUPTED")) {
        if (runDir !== undefined) interrupted.push(relative(dir, runDir));
        return null;
      }
      if (!isRingtrainError(e)) logger.error({ err: e }, `a run of ${config.name} failed unexpectedly (a bug?): ${errorMessage(e)}`);
      return {
        runDir: relative(dir, runDir ?? config.runsDir),
        fold: run.fold,
        execution: run.execution,
        status: "failed",
        summary: runDir === undefined ? null : await readSummary(runDir),
        error: errorMessage(e),
      };
    }
  };

  try {
    record.status = "running";
    await save();
    for (const trial of plan.trials) {
      const trialRecord = record.trials[trial.index] as TrialRecord;
      if (trialRecord.status !== "pending") continue;
      await runTrial(trial, trialRecord);
    }
    if (plan.retrainBest) await retrainBest();
    record.status = "completed";
    await save();
    return record;
  } finally {
    interrupt.dispose();
  }

  async function runTrial(trial: PlannedTrial, trialRecord: TrialRecord): Promise<void> {
    const position = `trial ${trial.index + 1}/${plan.trials.length} ${trial.trialId}`;
    for (const [k, run] of plan.runs.entries()) {
      if (trialRecord.runs.some((r) => isSameRun(r, run))) continue;
      if (interrupt.signal !== undefined) await stop(`received ${interrupt.signal} before ${position}`);
      const what = describeRun(plan, run);
      logger.info({ trial: trial.trialId, params: trial.params, fold: run.fold, execution: run.execution }, `${position}${what === "" ? "" : `, ${what}`}: starting`);
      const started = performance.now();
      const interrupted: string[] = [];
      const result = await execute(runConfigFor(plan, trial, run, dir), run, interrupted);
      trialRecord.wallSeconds += (performance.now() - started) / 1000;
      if (interrupted.length > 0) (trialRecord.interruptedRuns ??= []).push(...interrupted);
      if (result === null) return stop(`${position}${what === "" ? "" : `, ${what}`} was interrupted (${interrupt.signal ?? "signal"})`);
      trialRecord.runs.push(result);
      trialRecord.metric = trialMetric(trialRecord.runs, plan.metric);
      // a trial of one run gets only the trial's line below
      const log = plan.runs.length > 1 || result.status !== "completed" ? logger.info.bind(logger) : logger.debug.bind(logger);
      log(
        { trial: trial.trialId, fold: run.fold, execution: run.execution, status: result.status, [plan.metric]: metricOf(result.summary, plan.metric), runDir: result.runDir },
        `${position}${what === "" ? "" : `, ${what}`}: ${result.status}, ${formatMetric(metricOf(result.summary, plan.metric), plan.metric)}${result.error === undefined ? "" : ` (${result.error})`}`,
      );
      if (result.status !== "completed") {
        trialRecord.status = result.status;
        const left = plan.runs.length - k - 1;
        if (left > 0) trialRecord.note = `${what === "" ? "a run" : what} ${result.status}; its ${left} remaining run(s) were not run`;
        break;
      }
      await save();
    }
    if (trialRecord.status === "pending") trialRecord.status = "completed";
    record.best = bestTrial(record.trials, plan.metric);
    const m = trialRecord.metric;
    logger.info(
      { trial: trial.trialId, status: trialRecord.status, metric: m, best: record.best },
      `${position}: ${trialRecord.status}, ${m === null ? `no ${plan.metric}` : `${plan.metric} ${m.mean.toFixed(4)} ± ${m.std.toFixed(4)} over ${m.values.length} run(s)`}`,
    );
    if (plan.experiment.submissions) await writeTrialSubmission(trial, trialRecord);
    await save();
  }

  async function writeTrialSubmission(trial: PlannedTrial, trialRecord: TrialRecord): Promise<void> {
    const finished = trialRecord.runs.filter((r) => r.summary?.weightsFile != null).map((r) => join(dir, r.runDir));
    if (finished.length === 0) return;
    const path = submissionPath(trial.trialId);
    if (await submit(finished, path, `trial ${trial.trialId}`)) trialRecord.submission = path;
  }

  /** Writes one submission; false (with a warning) when it cannot: a submission is a by-product, its failure must not lose the sweep. */
  async function submit(runDirs: string[], path: string, what: string): Promise<boolean> {
    try {
      const { count, accuracy } = await writeEnsembleSubmission(runDirs, plan.baseConfig.dataset, join(dir, path), plan.baseConfig.backend);
      logger.info({ submission: path, count, accuracy }, `${what}: wrote ${count} predictions to ${path}${accuracy === null ? "" : ` (accuracy ${formatPercent(accuracy)} against its labels)`}`);
      return true;
    } catch (e) {
      logger.warn({ err: errorMessage(e) }, `${what}: could not write its submission ${path}: ${errorMessage(e)}`);
      return false;
    }
  }

  async function retrainBest(): Promise<void> {
    const best = record.best;
    if (best === null) {
      logger.warn(`no trial completed with a ${plan.metric}: nothing to retrain`);
      return;
    }
    if (record.final !== null && record.finalTrialId === best.trialId) return;
    const trial = plan.trials.find((t) => t.trialId === best.trialId) as PlannedTrial;
    if (interrupt.signal !== undefined) await stop(`received ${interrupt.signal} before retraining the best trial`);
    logger.info({ trial: trial.trialId, params: trial.params }, `retraining the best trial ${trial.trialId} on the whole training set`);
    const interrupted: string[] = [];
    const result = await execute(finalConfigFor(plan, trial, dir), { fold: null, execution: 0 }, interrupted);
    if (result === null) return stop(`retraining the best trial ${trial.trialId} was interrupted${interrupted.length > 0 ? ` (${interrupted.join(", ")})` : ""}`);
    record.final = result;
    record.finalTrialId = trial.trialId;
    logger.info(
      { trial: trial.trialId, status: result.status, testAccuracy: result.summary?.testAccuracy, testLoss: result.summary?.testLoss, runDir: result.runDir },
      `final: ${trial.trialId} retrained: ${result.status}, ${formatMetric(result.summary?.testAccuracy ?? null, "testAccuracy")}, ${formatMetric(result.summary?.testLoss ?? null, "testLoss")}`,
    );
    if (plan.experiment.submissions && result.summary?.weightsFile != null) {
      const path = submissionPath("final");
      if (await submit([join(dir, result.runDir)], path, "final")) record.finalSubmission = path;
    }
    await save();
  }
}
