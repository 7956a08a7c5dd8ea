import type { RunStatus, RunSummary } from "../runs/records.js";

/**
 * The on-disk contract between `ringtrain sweep` (which writes it) and
 * `ringtrain report` (which reads it, possibly much later, without training).
 *
 * A sweep directory `runs/<sweep-id>/` holds:
 *  - `experiment.json`: the experiment file as given, resolved (base config merged, paths absolute)
 *  - `sweep.json`: a {@link SweepRecord}, rewritten after every finished run (atomically: temp file + rename)
 *  - `trials/<trial-id>/<run-id>/`: one ordinary run directory per training run of a trial
 *    (config.json, metrics.jsonl, steps.jsonl, summary.json, weights.bin/json)
 *  - `final/<run-id>/`: the best trial retrained on the whole training set and scored on the test set (CV sweeps)
 *  - `submissions/<trial-id>.csv`: Kaggle submissions, when the experiment asks for them
 *  - `report.html`, `report.md`, `figures/*.png`: written by the report
 */

/** A metric a sweep ranks trials by. Loss metrics rank lower-is-better. */
export type SweepMetricName = "validationAccuracy" | "validationLoss" | "testAccuracy" | "testLoss";

/** A trial's hyperparameters: dotted run-config path → value, e.g. `{"optimizer.learningRate": 0.1, "batchSize": "full"}`. */
export type TrialParams = Record<string, unknown>;

/** One training run of a trial: a CV fold, or one execution (repeat with another seed) of a random-search trial. */
export interface TrialRunRecord {
  /**
   * the run directory, relative to the sweep directory; for a run that failed
   * before creating one (e.g. a batch larger than the data), the trial's
   * directory `trials/<trial-id>`, which holds no config.json
   */
  runDir: string;
  /** the CV fold this run validated on, or null */
  fold: number | null;
  /** 0-based execution index (random search repeats a trial with seeds seed, seed+1, ...) */
  execution: number;
  status: RunStatus;
  /** the run's summary.json (null when the run failed before writing one) */
  summary: RunSummary | null;
  /** the failure or divergence message, when not completed */
  error?: string;
}

/** The ranking metric of a trial over its runs (folds × executions). */
export interface TrialMetric {
  name: SweepMetricName;
  mean: number;
  /** sample standard deviation over the runs (0 for one run) */
  std: number;
  /** the per-run values, in run order */
  values: number[];
}

/** One point of the search space, with everything its runs produced. */
export interface TrialRecord {
  /** stable across resumes: `t03` plus a short slug of the params */
  trialId: string;
  index: number;
  params: TrialParams;
  /** `pending` until its runs end; `diverged` if any run diverged; `failed` if any run failed */
  status: RunStatus | "pending";
  runs: TrialRunRecord[];
  /** null when no run produced the metric (all failed, or diverged in the first epoch) */
  metric: TrialMetric | null;
  /** seconds spent in this trial's runs, summed over resumes */
  wallSeconds: number;
  /** why the trial has fewer runs than planned, e.g. `fold 2 diverged; folds 3-5 were not run` */
  note?: string;
  /** directories (relative to the sweep directory) of runs stopped by an interrupt; not part of the metric, rerun on resume */
  interruptedRuns?: string[];
  /** its Kaggle submission (relative to the sweep directory): the mean class probabilities of its finished runs */
  submission?: string;
}

/** `sweep.json`. */
export interface SweepRecord {
  sweepId: string;
  name: string;
  /** `interrupted`: stopped by a signal; `--resume` continues it */
  status: "running" | "completed" | "interrupted";
  startedAt: string;
  updatedAt: string;
  /** what trials are ranked by, and in which direction */
  metric: SweepMetricName;
  higherIsBetter: boolean;
  workers: number;
  trials: TrialRecord[];
  /** the best finished trial by `metric`, once known */
  best: { trialId: string; value: number } | null;
  /** CV sweeps: the best trial retrained on the whole training set and scored once on the test set */
  final: TrialRunRecord | null;
  /** the trial `final` retrained */
  finalTrialId?: string;
  /** the retrained best's Kaggle submission (relative to the sweep directory) */
  finalSubmission?: string;
  /** the experiment file the sweep was started from (absolute); the resolved copy is `experiment.json` */
  experimentFile?: string;
  /** planned runs per trial (folds × executions) */
  runsPerTrial?: number;
}

/**
 * Published figures an experiment is compared with, shown beside ours in the
 * report. `params` selects the trial (every given path must equal the trial's value).
 */
export interface ReferenceFigures {
  /** where the figures come from, shown in the report */
  source: string;
  values: Array<{
    params: TrialParams;
    /** metric name → value: `testAccuracy`, `validationAccuracy`, `kagglePublicScore`, `logLoss`, ... (fractions, not percent) */
    metrics: Record<string, number>;
    note?: string;
  }>;
}
