/**
 * The parts of the report both documents print, as plain strings (as
 * results-table.ts does for the results table): the facts of the summary line,
 * the reference comparison table, the sentence on the analysed run and the
 * per-class table. html-report.ts and markdown-report.ts only mark them up.
 */
import { formatMetric, formatParams, metricLabel, MISSING, reportPercent } from "./format.js";
import type { ReportModel } from "./load-results.js";
import type { ReferenceComparison } from "./reference.js";
import type { RunAnalysis } from "./run-analysis.js";

/** A table as strings, for either renderer to mark up. */
export interface PlainTable {
  headers: string[];
  /** per column: right-aligned */
  numeric: boolean[];
  rows: string[][];
}

/** What the line under the title says. */
export interface SummaryFacts {
  /** `3 trials (completed)`; null for a single run */
  sweep: string | null;
  /** `ranked by test accuracy (higher is better)` */
  ranking: string;
  /** the best trial and its ranking figure (null when it has none); null while there is no best trial */
  best: { trialId: string; figure: string | null } | null;
}

export function summaryFacts(model: ReportModel): SummaryFacts {
  const best = model.trials.find((t) => t.isBest);
  return {
    sweep: model.kind === "sweep" ? `${model.trials.length} trials${model.sweepStatus === null ? "" : ` (${model.sweepStatus})`}` : null,
    ranking: `ranked by ${metricLabel(model.metric)} (${model.higherIsBetter ? "higher" : "lower"} is better)`,
    best: best === undefined ? null : { trialId: best.trialId, figure: best.metric === null ? null : formatMetric(best.metric.name, best.metric.mean) },
  };
}

/** Each reference figure beside ours and the difference, signed (`+1.20%`). */
export function referenceTable(comparisons: readonly ReferenceComparison[]): PlainTable {
  return {
    headers: ["parameters", "figure", "reference", "our trial", "ours", "ours − reference", "note"],
    numeric: [false, false, true, false, true, true, false],
    rows: comparisons.map((c) => [
      formatParams(c.params),
      metricLabel(c.metric),
      formatMetric(c.metric, c.reference),
      c.trialId ?? "no matching trial",
      formatMetric(c.metric, c.ours),
      c.ours === null ? MISSING : formatMetric(c.metric, c.ours - c.reference).replace(/^(?=\d)/, "+"),
      c.note ?? "",
    ]),
  };
}

/** What was scored, after the run's directory: `scored on its test split: 300 images, accuracy 91.00% (inference on wasm).` */
export function analysedRunText(a: RunAnalysis): { runDir: string; text: string } {
  return {
    runDir: a.runDir === "" ? "." : a.runDir,
    text: `scored on its ${a.split} split: ${a.samples.toLocaleString("en-US")} images, accuracy ${reportPercent(a.accuracy)} (inference on ${a.backend}).`,
  };
}

export function perClassTable(a: RunAnalysis): PlainTable {
  return {
    headers: ["class", "name", "images", "correct", "accuracy"],
    numeric: [true, false, true, true, true],
    rows: a.perClass.map((c) => [String(c.label), c.name, String(c.count), String(c.correct), reportPercent(c.accuracy)]),
  };
}
