/**
 * Reads a sweep directory (sweep.json, experiment.json and the run directories
 * it lists) or a single run directory into one {@link ReportModel}: a single run
 * is a sweep of one trial, so every part of the report has one shape to read.
 */
import { join, resolve } from "node:path";
import { RingtrainError } from "../core/errors.js";
import { readJsonObject } from "../runs/json-files.js";
import { isRunDirectory, readRun, type LoadedRun } from "../runs/read-run.js";
import type { RunStatus } from "../runs/records.js";
import { RUN_FILES } from "../runs/run-files.js";
import { getPath } from "../config/config-path.js";
import { SWEEP_METRICS } from "../experiments/experiment-schema.js";
import type { ReferenceFigures, SweepMetricName, TrialMetric, TrialParams, TrialRunRecord } from "../experiments/sweep-record.js";
import { higherIsBetter } from "../experiments/sweep-metric.js";
import { checkSweepRecord, EXPERIMENT_FILE, SWEEP_FILE } from "../experiments/sweep-store.js";

/** A run of a trial: what sweep.json says about it and what its directory holds (null when it has none). */
export interface ReportRun {
  record: TrialRunRecord;
  result: LoadedRun | null;
}

export interface ReportTrial {
  trialId: string;
  index: number;
  params: TrialParams;
  status: RunStatus | "pending";
  metric: TrialMetric | null;
  wallSeconds: number;
  runs: ReportRun[];
  /** the sweep's best trial (for a single run: that run) */
  isBest: boolean;
  /** why the trial has fewer runs than planned (e.g. a fold diverged), from sweep.json */
  note: string | null;
  /** its Kaggle submission file, relative to the report directory */
  submission: string | null;
}

/** Everything a report shows, read from disk. */
export interface ReportModel {
  kind: "sweep" | "run";
  /** absolute path of the sweep or run directory (the report is written there) */
  dir: string;
  title: string;
  description: string | null;
  /** sweep.json's status (`running`, `completed`, `interrupted`); null for a single run */
  sweepStatus: string | null;
  /** what trials are ranked by */
  metric: SweepMetricName;
  higherIsBetter: boolean;
  trials: ReportTrial[];
  /** CV sweeps: the best trial retrained on the whole training set and scored on the test set */
  final: ReportRun | null;
  /** the trial `final` retrained (sweep.json's finalTrialId, else the best trial) */
  finalTrialId: string | null;
  /** the final run's Kaggle submission file, relative to the report directory */
  finalSubmission: string | null;
  reference: ReferenceFigures | null;
  /** markdown paragraphs explaining the differences to the reference */
  discussion: string | null;
  /** the parameter paths whose value differs between trials (for a single trial or run: all it has) */
  sweptParams: string[];
}

/** The run config values a single run's row shows as its hyperparameters. */
const SINGLE_RUN_PARAMS = ["model.name", "batchSize", "optimizer.name", "optimizer.learningRate"];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function stringOr<T>(v: unknown, fallback: T): string | T {
  return typeof v === "string" && v !== "" ? v : fallback;
}

/** `reference` from experiment.json, keeping only well-formed entries (it is optional, hand-written data). */
function readReference(raw: unknown): ReferenceFigures | null {
  if (!isObject(raw) || !Array.isArray(raw.values)) return null;
  const values: ReferenceFigures["values"] = [];
  for (const v of raw.values) {
    if (!isObject(v) || !isObject(v.metrics)) continue;
    const metrics: Record<string, number> = {};
    for (const [k, m] of Object.entries(v.metrics)) if (typeof m === "number" && Number.isFinite(m)) metrics[k] = m;
    values.push({ params: isObject(v.params) ? v.params : {}, metrics, ...(typeof v.note === "string" ? { note: v.note } : {}) });
  }
  return values.length === 0 ? null : { source: stringOr(raw.source, "reference"), values };
}

/** Parameter paths whose values differ between trials; all of them when there is only one trial. */
function sweptParamsOf(trials: readonly ReportTrial[]): string[] {
  const keys = [...new Set(trials.flatMap((t) => Object.keys(t.params)))];
  if (trials.length <= 1) return keys;
  return keys.filter((k) => new Set(trials.map((t) => JSON.stringify(t.params[k] ?? null))).size > 1);
}

async function loadReportRun(sweepDir: string, record: TrialRunRecord): Promise<ReportRun> {
  const result = await readRun(resolve(sweepDir, record.runDir));
  return { record, result: isRunDirectory(result) ? result : null };
}

async function loadSweep(dir: string, raw: Record<string, unknown>): Promise<ReportModel> {
  checkSweepRecord(raw, join(dir, SWEEP_FILE));
  const experiment = (await readJsonObject(join(dir, EXPERIMENT_FILE))) ?? {};
  const best = isObject(raw.best) && typeof raw.best.trialId === "string" ? raw.best.trialId : null;
  // every run directory read at once; Promise.all keeps the sweep's order
  const runsOf = await Promise.all((raw.trials as Record<string, unknown>[]).map((t) => Promise.all((t.runs as TrialRunRecord[]).map((r) => loadReportRun(dir, r)))));
  const trials = (raw.trials as Record<string, unknown>[]).map(
    (t, i): ReportTrial => ({
      trialId: t.trialId as string,
      index: typeof t.index === "number" ? t.index : i,
      params: isObject(t.params) ? t.params : {},
      status: (t.status as ReportTrial["status"] | undefined) ?? "pending",
      metric: isObject(t.metric) && typeof t.metric.mean === "number" ? (t.metric as unknown as TrialMetric) : null,
      wallSeconds: typeof t.wallSeconds === "number" ? t.wallSeconds : 0,
      runs: runsOf[i]!,
      isBest: t.trialId === best,
      note: stringOr(t.note, null),
      submission: stringOr(t.submission, null),
    }),
  );
  const metric = SWEEP_METRICS.find((m) => m === raw.metric) ?? "validationAccuracy";
  return {
    kind: "sweep",
    dir,
    title: stringOr(experiment.name, stringOr(raw.name, String(raw.sweepId))),
    description: stringOr(experiment.description, null),
    sweepStatus: stringOr(raw.status, null),
    metric,
    higherIsBetter: typeof raw.higherIsBetter === "boolean" ? raw.higherIsBetter : higherIsBetter(metric),
    trials,
    final: isObject(raw.final) && typeof raw.final.runDir === "string" ? await loadReportRun(dir, raw.final as unknown as TrialRunRecord) : null,
    finalTrialId: stringOr(raw.finalTrialId, best),
    finalSubmission: stringOr(raw.finalSubmission, null),
    reference: readReference(experiment.reference),
    discussion: stringOr(experiment.discussion, null),
    sweptParams: sweptParamsOf(trials),
  };
}

function singleRunModel(dir: string, result: LoadedRun): ReportModel {
  const summary = result.summary;
  const status = summary?.status ?? "failed";
  const params: TrialParams = {};
  for (const path of SINGLE_RUN_PARAMS) {
    const v = getPath(result.config, path);
    if (v !== undefined) params[path] = v;
  }
  const testAccuracy = summary?.testAccuracy ?? null;
  const record: TrialRunRecord = {
    runDir: ".",
    fold: null,
    execution: 0,
    status,
    summary,
    ...(summary?.error === undefined ? {} : { error: summary.error }),
  };
  const trial: ReportTrial = {
    trialId: result.runId,
    index: 0,
    params,
    status,
    metric: testAccuracy === null ? null : { name: "testAccuracy", mean: testAccuracy, std: 0, values: [testAccuracy] },
    wallSeconds: summary?.wallSeconds ?? 0,
    runs: [{ record, result }],
    isBest: true,
    note: null,
    submission: null,
  };
  return {
    kind: "run",
    dir,
    title: `${stringOr(result.config?.name, "run")} — ${result.runId}`,
    description: null,
    sweepStatus: null,
    metric: "testAccuracy",
    higherIsBetter: true,
    trials: [trial],
    final: null,
    finalTrialId: null,
    finalSubmission: null,
    reference: null,
    discussion: null,
    sweptParams: Object.keys(params),
  };
}

/**
 * Reads a sweep directory (one holding `sweep.json`) or a run directory (one
 * holding `config.json` or `summary.json`, read by `runs/read-run.ts`).
 *
 * @throws RingtrainError USAGE when `dir` is neither; DATA_INVALID for files
 *   that exist but cannot be parsed.
 */
export async function loadReportModel(dir: string): Promise<ReportModel> {
  const abs = resolve(dir);
  const sweep = await readJsonObject(join(abs, SWEEP_FILE));
  if (sweep !== null) return loadSweep(abs, sweep);
  const run = await readRun(abs);
  if (isRunDirectory(run)) return singleRunModel(abs, run);
  throw new RingtrainError(
    "USAGE",
    `${dir} is neither a sweep directory (no ${SWEEP_FILE}) nor a run directory (no ${RUN_FILES.config} or ${RUN_FILES.summary}); ` +
      `pass runs/<sweep-id>/ or runs/<run-id>/`,
  );
}
