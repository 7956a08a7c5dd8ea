/**
 * A sweep's plan: its trials, each trial's runs, and the run config of every
 * run, all validated before the first run starts, so that a typo in trial 9
 * fails in a second rather than after eight trials.
 */
import { join } from "node:path";
import { deepMerge, setPath } from "../config/config-path.js";
import { parseConfig } from "../config/load.js";
import type { RunConfig } from "../config/schema.js";
import { errorMessage, isRingtrainError, RingtrainError } from "../core/errors.js";
import { loadCheckedRunData } from "../coordinator/run-data.js";
import { foldValidation, plannedRuns, type PlannedRun } from "./cv.js";
import type { ResolvedExperiment } from "./load-experiment.js";
import { trialsOf, VARIANT_PARAM, type TrialSpec } from "./search-space.js";
import { higherIsBetter, sweepMetricOf } from "./sweep-metric.js";
import type { SweepMetricName } from "./sweep-record.js";
import { trialId, trialNumber } from "./trial-id.js";

/** A trial with its id. */
export interface PlannedTrial extends TrialSpec {
  trialId: string;
}

export interface SweepPlan {
  experiment: ResolvedExperiment;
  /** the base config with its defaults, before any trial's params */
  baseConfig: RunConfig;
  trials: PlannedTrial[];
  /** the runs of every trial (folds × executions) */
  runs: PlannedRun[];
  /** executions of every trial (per fold with cv): `random.executionsPerTrial`, 1 for a grid */
  executionsPerTrial: number;
  metric: SweepMetricName;
  higherIsBetter: boolean;
  /** retrain the best trial without a validation split and score it on the test set */
  retrainBest: boolean;
  workers: number;
}

/**
 * Plans a sweep and validates the run config of every planned run.
 *
 * @param workers the CLI's `--workers`, which wins over the experiment's and the base config's.
 * @throws RingtrainError CONFIG_INVALID naming the trial, its params and the bad field.
 */
export function planSweep(experiment: ResolvedExperiment, options: { workers?: number } = {}): SweepPlan {
  const baseConfig = parseConfig(experiment.base, `experiment ${experiment.name}: base config`);
  if (experiment.cv !== undefined && baseConfig.validation !== undefined) {
    throw new RingtrainError(
      "CONFIG_INVALID",
      `experiment ${experiment.name}: cv gives every run its validation fold, but the base config also sets validation ${JSON.stringify(baseConfig.validation)}; remove one`,
    );
  }
  const specs = trialsOf(experiment);
  const metric = sweepMetricOf(experiment, baseConfig.validation !== undefined);
  const executionsPerTrial = experiment.random?.executionsPerTrial ?? 1;
  const plan: SweepPlan = {
    experiment,
    baseConfig,
    trials: specs.map((t) => ({ ...t, trialId: trialId(t.index, specs.length, t.params) })),
    runs: plannedRuns(experiment.cv, executionsPerTrial),
    executionsPerTrial,
    metric,
    higherIsBetter: higherIsBetter(metric),
    retrainBest: experiment.retrainBest ?? experiment.cv !== undefined,
    workers: options.workers ?? experiment.workers ?? baseConfig.workers,
  };
  // where the runs go does not change whether a config is valid
  for (const trial of plan.trials) {
    for (const run of plan.runs) runConfigFor(plan, trial, run, ".");
    if (plan.retrainBest) finalConfigFor(plan, trial, ".");
  }
  return plan;
}

function describeTrial(plan: SweepPlan, trial: PlannedTrial): string {
  const params = Object.entries(trial.params).map(([k, v]) => `${k} = ${JSON.stringify(v)}`);
  return `experiment ${plan.experiment.name}, trial ${trial.trialId} (${params.join(", ")})`;
}

/** The trial's config before per-run fields: base config, its variant merged in, then its params set. */
function trialConfig(plan: SweepPlan, trial: PlannedTrial): Record<string, unknown> {
  let raw: Record<string, unknown> = { ...plan.baseConfig };
  const variant = trial.params[VARIANT_PARAM];
  if (typeof variant === "string") raw = deepMerge(raw, plan.experiment.variants?.[variant] ?? {});
  for (const [path, value] of Object.entries(trial.params)) {
    if (path === VARIANT_PARAM) continue;
    try {
      raw = setPath(raw, path, value);
    } catch (e) {
      throw new RingtrainError("CONFIG_INVALID", `${describeTrial(plan, trial)}: ${errorMessage(e)}`);
    }
  }
  return raw;
}

function validated(plan: SweepPlan, trial: PlannedTrial, raw: Record<string, unknown>, what: string): RunConfig {
  const config = parseConfig(raw, `${describeTrial(plan, trial)}${what}`);
  if (plan.experiment.cv?.metric === "logLoss" && config.loss !== "crossEntropy") {
    throw new RingtrainError(
      "CONFIG_INVALID",
      `${describeTrial(plan, trial)}: cv.metric is logLoss, the validation cross-entropy, but this trial trains with loss ${config.loss}, whose validation loss is not a log loss; score by accuracy or keep loss crossEntropy`,
    );
  }
  return config;
}

/**
 * The run config of one run of a trial: its params set on the base config;
 * name `<experiment>-t03[-f2][-e1]`; runs under `<sweepDir>/trials/<trial-id>/`;
 * seed = the trial's seed + execution; with cv, validation on fold `fold`
 * (split seeded by the trial's seed, the same for all executions); without cv,
 * a configured validation split is pinned to the trial's seed likewise.
 */
export function runConfigFor(plan: SweepPlan, trial: PlannedTrial, run: PlannedRun, sweepDir: string): RunConfig {
  const raw = trialConfig(plan, trial);
  const trialSeed = raw.seed as number;
  const suffix = `${run.fold === null ? "" : `-f${run.fold + 1}`}${plan.executionsPerTrial > 1 ? `-e${run.execution + 1}` : ""}`;
  // `t03`, not the whole trial id: run names stay short
  raw.name = `${plan.experiment.name}-${trialNumber(trial.index, plan.trials.length)}${suffix}`;
  raw.runsDir = join(sweepDir, "trials", trial.trialId);
  raw.workers = plan.workers;
  raw.seed = trialSeed + run.execution;
  if (plan.experiment.cv !== undefined && run.fold !== null) {
    raw.validation = foldValidation(plan.experiment.cv, run.fold, trialSeed);
  } else if (typeof raw.validation === "object" && raw.validation !== null) {
    raw.validation = { ...raw.validation, seed: (raw.validation as { seed?: number }).seed ?? trialSeed };
  }
  const where = run.fold === null ? (run.execution > 0 ? `, execution ${run.execution + 1}` : "") : `, fold ${run.fold + 1}`;
  return validated(plan, trial, raw, where);
}

/**
 * The run config that retrains a trial on the whole training set (no
 * validation split) under `<sweepDir>/final/`, scored on the test set.
 */
export function finalConfigFor(plan: SweepPlan, trial: PlannedTrial, sweepDir: string): RunConfig {
  const raw = trialConfig(plan, trial);
  delete raw.validation;
  raw.name = `${plan.experiment.name}-final`;
  raw.runsDir = join(sweepDir, "final");
  raw.workers = plan.workers;
  return validated(plan, trial, raw, ", final retraining");
}

/**
 * Loads the data of every planned run and checks it as the run itself will
 * before starting (loadCheckedRunData: a batch no larger than the training
 * set), so that `sweep --dry-run` approves only trials that can start.
 * Runs that select the same data and batch are checked once.
 *
 * @throws RingtrainError naming the trial and its params, then what the run would say.
 */
export async function checkSweepData(plan: SweepPlan): Promise<void> {
  const checked = new Set<string>();
  for (const trial of plan.trials) {
    const configs = [...plan.runs.map((run) => runConfigFor(plan, trial, run, ".")), ...(plan.retrainBest ? [finalConfigFor(plan, trial, ".")] : [])];
    for (const config of configs) {
      const key = JSON.stringify([config.dataset, config.trainLimit, config.testLimit, config.validation, config.seed, config.batchSize, config.augment]);
      if (checked.has(key)) continue;
      checked.add(key);
      try {
        await loadCheckedRunData(config);
      } catch (e) {
        if (!isRingtrainError(e)) throw e;
        throw new RingtrainError(e.code, `${describeTrial(plan, trial)}: ${e.message}`, { cause: e });
      }
    }
  }
}
