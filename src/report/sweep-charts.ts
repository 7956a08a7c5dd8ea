/**
 * Charts across trials: test accuracy against each swept parameter, and our
 * figures beside the published reference figures.
 */
import { meanStd } from "../experiments/cv.js";
import { higherIsBetter } from "../experiments/sweep-metric.js";
import type { ReportModel, ReportTrial } from "./load-results.js";
import { formatParam, formatParams, metricLabel } from "./format.js";
import type { ReferenceComparison } from "./reference.js";
import { runFigures } from "./trial-figures.js";
import { CHART_HEIGHT, CHART_WIDTH, reportChart, type ReportChart } from "./chart-spec.js";

interface ParamPoint {
  trial: string;
  /** the trial's status: diverged and failed trials are drawn apart and left off the line */
  status: string;
  /** the parameter value: a number on a numeric axis, else its text */
  x: number | string;
  measure: string;
  mean: number;
  lo: number;
  hi: number;
}

/** Test accuracy (mean ± std over the trial's runs) and, for an accuracy metric other than it, the ranking metric. */
function trialPoints(trial: ReportTrial, x: number | string): ParamPoint[] {
  const points: ParamPoint[] = [];
  const test = trial.runs.map((r) => runFigures(r).testAccuracy).filter((v): v is number => v !== null);
  if (test.length > 0) {
    const { mean, std } = meanStd(test);
    points.push({ trial: trial.trialId, status: trial.status, x, measure: "test accuracy", mean, lo: mean - std, hi: mean + std });
  }
  const m = trial.metric;
  // an accuracy (the higher-is-better metrics) shares the test accuracy's axis; a loss would not fit it
  if (m !== null && m.name !== "testAccuracy" && higherIsBetter(m.name)) {
    points.push({ trial: trial.trialId, status: trial.status, x, measure: `${metricLabel(m.name)} (ranking)`, mean: m.mean, lo: m.mean - m.std, hi: m.mean + m.std });
  }
  return points;
}

/** One chart per parameter whose value differs between trials. */
export function parameterCharts(model: ReportModel): ReportChart[] {
  if (model.trials.length < 2) return [];
  const charts: ReportChart[] = [];
  for (const param of model.sweptParams) {
    const values = model.trials.map((t) => t.params[param]);
    const numeric = values.every((v) => typeof v === "number" && Number.isFinite(v));
    const points = model.trials.flatMap((t) => trialPoints(t, numeric ? (t.params[param] as number) : formatParam(t.params[param])));
    if (points.length === 0) continue;
    const nums = numeric ? (values as number[]) : [];
    const logScale = numeric && Math.min(...nums) > 0 && Math.max(...nums) / Math.min(...nums) >= 20;
    // text values in numeric order where they are numbers ("full" and other words after them)
    const order = numeric
      ? undefined
      : [...new Set(values.map(formatParam))].sort((a, b) => {
          const na = Number(a);
          const nb = Number(b);
          if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
          return Number.isFinite(na) ? -1 : Number.isFinite(nb) ? 1 : a.localeCompare(b);
        });
    const x = numeric
      ? { field: "x", type: "quantitative" as const, title: param, scale: logScale ? { type: "log" as const } : { zero: false } }
      : { field: "x", type: "ordinal" as const, title: param, sort: order, axis: { labelAngle: 0 } };
    const others = model.sweptParams.length > 1;
    const stem = param.replace(/[^A-Za-z0-9]+/g, "-");
    charts.push(reportChart({
      name: `test-accuracy-by-${stem}`,
      title: `Test accuracy against ${param}`,
      caption:
        `Each trial's test accuracy (mean over its runs, bars ± one standard deviation; diverged and failed trials at their last finite value, crosses and triangles, off the line) against ${param}` +
        (others ? `; trials that differ in other parameters share an x position.` : "."),
      spec: {
        width: CHART_WIDTH,
        height: CHART_HEIGHT,
        data: { values: points },
        encoding: { x, color: { field: "measure", type: "nominal", title: "measure" } },
        layer: [
          ...(others
            ? []
            : [{ transform: [{ filter: "datum.status === 'completed'" }], mark: { type: "line" as const, strokeWidth: 1.4 }, encoding: { y: { field: "mean", type: "quantitative" as const } } }]),
          { mark: { type: "rule" as const }, encoding: { y: { field: "lo", type: "quantitative" as const }, y2: { field: "hi" } } },
          {
            mark: { type: "point" as const, filled: true, size: 50 },
            encoding: {
              y: { field: "mean", type: "quantitative" as const, title: "accuracy", axis: { format: ".1%" }, scale: { zero: false } },
              shape: { field: "status", type: "nominal" as const, title: "trial status", scale: { domain: ["completed", "diverged", "failed"], range: ["circle", "cross", "triangle-down"] } },
              tooltip: [{ field: "trial" }, { field: "status" }, { field: "measure" }, { field: "x", title: param }, { field: "mean", format: ".2%" }],
            },
          },
        ],
      },
    }));
  }
  return charts;
}

/** Our figures beside the reference's (`comparisons`: referenceComparisons(model)), for the accuracy-like figures both have; null without a reference. */
export function referenceChart(model: ReportModel, comparisons: readonly ReferenceComparison[]): ReportChart | null {
  const rows = comparisons.filter((c) => /accuracy|rate/i.test(c.metric) && !/loss/i.test(c.metric));
  if (rows.length === 0 || model.reference === null) return null;
  const source = model.reference.source;
  const values = rows.flatMap((c) => {
    const entry = `${formatParams(c.params)} · ${metricLabel(c.metric)}`;
    const out = [{ entry, who: `reference (${source})`, value: c.reference }];
    if (c.ours !== null) out.push({ entry, who: "ours", value: c.ours });
    return out;
  });
  return reportChart({
    name: "reference-comparison",
    title: "Ours beside the reference",
    caption: `Each reference figure from ${source} beside our figure of the same name for the matching trial (missing where we do not measure it or no trial matches).`,
    spec: {
      width: CHART_WIDTH - 120,
      height: { step: 14 },
      data: { values },
      mark: { type: "bar" },
      encoding: {
        y: { field: "entry", type: "nominal", title: null, sort: null },
        x: { field: "value", type: "quantitative", title: "value", axis: { format: ".1%" } },
        yOffset: { field: "who", type: "nominal" },
        color: { field: "who", type: "nominal", title: null, scale: { range: ["#4c78a8", "#bbbbbb"], domain: ["ours", `reference (${source})`] } },
        tooltip: [{ field: "entry" }, { field: "who" }, { field: "value", format: ".2%" }],
      },
    },
  });
}
