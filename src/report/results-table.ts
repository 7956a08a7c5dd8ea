/**
 * The results table — one row per trial — as plain strings, so the HTML and the
 * markdown report print the same cells. Diverged and failed trials keep their
 * row, marked, with their last finite figures; the best trial is marked.
 */
import type { ReportModel, ReportRun, ReportTrial } from "./load-results.js";
import { formatMetric, formatNumber, formatParam, metricLabel, MISSING, reportLoss, reportPercent } from "./format.js";
import { referencesFor } from "./reference.js";
import { runDivergence, runFigures, runStatus, trialFigures, type Figures } from "./trial-figures.js";

export interface TableColumn {
  key: string;
  header: string;
  /** right-aligned */
  numeric: boolean;
}

export interface TableRow {
  /** trial id (or the final run's label) */
  id: string;
  best: boolean;
  status: ReportTrial["status"];
  cells: Record<string, string>;
}

export interface ResultsTable {
  columns: TableColumn[];
  rows: TableRow[];
  /** the CV final run (best trial retrained, scored on test), in the same columns; null when the sweep has none */
  finalRow: TableRow | null;
}

const FIGURE_COLUMNS: Array<{ key: keyof Figures; header: string; format: (f: Figures) => string }> = [
  { key: "epochs", header: "epochs", format: (f) => formatNumber(f.epochs, Number.isInteger(f.epochs ?? 0) ? 0 : 1) },
  { key: "optimizerSteps", header: "optimizer steps", format: (f) => formatNumber(f.optimizerSteps) },
  { key: "trainAccuracy", header: "train acc", format: (f) => reportPercent(f.trainAccuracy) },
  { key: "trainLoss", header: "train loss", format: (f) => reportLoss(f.trainLoss) },
  { key: "validationAccuracy", header: "val acc", format: (f) => reportPercent(f.validationAccuracy) },
  { key: "validationLoss", header: "val loss", format: (f) => reportLoss(f.validationLoss) },
  { key: "testAccuracy", header: "test acc", format: (f) => reportPercent(f.testAccuracy) },
  { key: "testLoss", header: "test loss", format: (f) => reportLoss(f.testLoss) },
  { key: "errorRate", header: "error rate", format: (f) => reportPercent(f.errorRate) },
  { key: "wallSeconds", header: "wall s", format: (f) => formatNumber(f.wallSeconds, 1) },
  { key: "samplesPerSecond", header: "samples/s", format: (f) => formatNumber(f.samplesPerSecond) },
  { key: "workers", header: "workers", format: (f) => formatNumber(f.workers) },
  { key: "backend", header: "backend", format: (f) => f.backend ?? MISSING },
];

/** `diverged at step 57 (epoch 2, loss 3.1e+12)`, `failed: <error>`, `completed`. */
function runStatusText(run: ReportRun): string {
  const status = runStatus(run);
  if (status === "diverged") {
    const d = runDivergence(run);
    return d === null ? "diverged" : `diverged at step ${d.optimizerStep} (epoch ${d.epoch}, loss ${reportLoss(d.loss ?? Number.NaN)})`;
  }
  if (status === "failed") {
    const error = run.record.error ?? run.result?.summary?.error;
    return error === undefined ? "failed" : `failed: ${error.length > 120 ? error.slice(0, 117) + "..." : error}`;
  }
  return status;
}

/** A trial's status cell: its own status, plus what each unsuccessful run did. */
function trialStatusText(trial: ReportTrial): string {
  const bad = trial.runs.filter((r) => runStatus(r) !== "completed");
  const label = (r: ReportRun): string => (trial.runs.length === 1 ? "" : r.record.fold !== null ? `fold ${r.record.fold}: ` : `run ${r.record.execution}: `);
  const text = bad.length === 0 ? trial.status : bad.map((r) => label(r) + runStatusText(r)).join("; ");
  return trial.note === null ? text : `${text} (${trial.note})`;
}

/** The ranking metric as `mean ± std (n=k)`. */
function metricText(trial: ReportTrial): string {
  const m = trial.metric;
  if (m === null) return MISSING;
  if (m.values.length <= 1) return formatMetric(m.name, m.mean);
  return `${formatMetric(m.name, m.mean)} ± ${formatMetric(m.name, m.std)} (n=${m.values.length})`;
}

function figureCells(figures: Figures): Record<string, string> {
  const cells: Record<string, string> = {};
  for (const c of FIGURE_COLUMNS) cells[c.key] = c.format(figures);
  return cells;
}

/** Builds the table of a sweep (or a single run: one row). */
export function buildResultsTable(model: ReportModel): ResultsTable {
  const paramKeys = [...new Set(model.trials.flatMap((t) => Object.keys(t.params)))];
  const showRuns = model.trials.some((t) => t.runs.length > 1);
  const columns: TableColumn[] = [
    { key: "trial", header: "trial", numeric: false },
    { key: "status", header: "status", numeric: false },
    ...paramKeys.map((k) => ({ key: `param:${k}`, header: k, numeric: false })),
    { key: "metric", header: `${metricLabel(model.metric)}${showRuns ? " (mean ± std)" : ""}`, numeric: true },
    ...(showRuns ? [{ key: "runs", header: "runs", numeric: true }] : []),
    ...FIGURE_COLUMNS.map((c) => ({ key: c.key, header: c.header, numeric: c.key !== "backend" })),
    ...(model.trials.some((t) => t.submission !== null) ? [{ key: "submission", header: "Kaggle submission", numeric: false }] : []),
    ...(model.reference === null ? [] : [{ key: "reference", header: `reference (${model.reference.source})`, numeric: false }]),
  ];
  const rows = model.trials.map((trial): TableRow => {
    const cells: Record<string, string> = {
      trial: trial.trialId + (trial.isBest ? " ★ best" : ""),
      status: trialStatusText(trial),
      metric: metricText(trial),
      runs: String(trial.runs.length),
      submission: trial.submission ?? MISSING,
      ...figureCells(trialFigures(trial)),
    };
    for (const k of paramKeys) cells[`param:${k}`] = formatParam(trial.params[k]);
    if (model.reference !== null) {
      const refs = referencesFor(model.reference, trial);
      cells.reference = refs.length === 0 ? MISSING : refs.flatMap((r) => Object.entries(r.metrics).map(([name, v]) => `${metricLabel(name)} ${formatMetric(name, v)}`)).join("; ");
    }
    return { id: trial.trialId, best: trial.isBest, status: trial.status, cells };
  });
  let finalRow: TableRow | null = null;
  if (model.final !== null) {
    const best = model.trials.find((t) => t.trialId === model.finalTrialId);
    const status = runStatus(model.final);
    const cells: Record<string, string> = {
      trial: `final${best === undefined ? "" : ` (${best.trialId} retrained)`}`,
      status: runStatusText(model.final),
      metric: MISSING,
      runs: "1",
      submission: model.finalSubmission ?? MISSING,
      ...figureCells(runFigures(model.final)),
    };
    for (const k of paramKeys) cells[`param:${k}`] = best === undefined ? MISSING : formatParam(best.params[k]);
    if (model.reference !== null) cells.reference = MISSING;
    finalRow = { id: "final", best: false, status, cells };
  }
  return { columns, rows, finalRow };
}
