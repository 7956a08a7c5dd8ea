/**
 * Learning curves: loss and accuracy of every run against epoch and against
 * optimizer step. Training loss against step comes from `steps.jsonl` where
 * the run wrote it (else the epoch means); evaluation figures are per epoch.
 */
import type { ReportModel, ReportRun, ReportTrial } from "./load-results.js";
import { finiteOrNull } from "./format.js";
import { runStatus } from "./trial-figures.js";
import { CHART_HEIGHT, CHART_WIDTH, reportChart, seriesScheme, type ReportChart } from "./chart-spec.js";

/** One point of a curve. */
interface CurvePoint {
  /** colour: the trial (or `final`) */
  trial: string;
  /** one line per run: a trial's folds and executions are separate lines of one colour */
  run: string;
  split: string;
  epoch: number;
  step: number;
  loss: number | null;
  accuracy: number | null;
}

/** The split label of steps.jsonl points. */
const SAMPLED = "train (sampled steps)";

interface LabelledRun {
  trial: string;
  run: string;
  source: ReportRun;
}

function runLabel(trial: ReportTrial, run: ReportRun): string {
  if (trial.runs.length === 1) return trial.trialId;
  return run.record.fold !== null ? `${trial.trialId} fold ${run.record.fold}` : `${trial.trialId} run ${run.record.execution}`;
}

/** category20 has 20 colours: the curves of more trials than that would share them. */
export const MAX_CURVE_COLOURS = 20;

/**
 * The trials whose curves are drawn: all of them while each can have its own
 * colour, else the best by the sweep's metric (trials without one last).
 */
export function curveTrials(model: ReportModel): ReportTrial[] {
  const slots = MAX_CURVE_COLOURS - (model.final !== null ? 1 : 0);
  if (model.trials.length <= slots) return model.trials;
  const score = (t: ReportTrial): number => (t.metric === null || !Number.isFinite(t.metric.mean) ? Number.NEGATIVE_INFINITY : model.higherIsBetter ? t.metric.mean : -t.metric.mean);
  const ranked = [...model.trials].sort((a, b) => score(b) - score(a) || a.index - b.index);
  const kept = new Set(ranked.slice(0, slots));
  // in sweep order, so a trial keeps its place in the legend
  return model.trials.filter((t) => kept.has(t));
}

/** Every run of the drawn trials with its legend labels, the final run last. */
function labelledRuns(model: ReportModel, trials: readonly ReportTrial[]): LabelledRun[] {
  const runs = trials.flatMap((t) => t.runs.map((r) => ({ trial: t.trialId, run: runLabel(t, r), source: r })));
  if (model.final !== null) runs.push({ trial: "final", run: "final", source: model.final });
  return runs.filter((r) => r.source.result !== null);
}

/** A loss a log axis can show (a diverging run's NaN and ∞ are left out). */
function plottableLoss(v: number | null): number | null {
  return v !== null && Number.isFinite(v) && v > 0 ? v : null;
}

/** Per-epoch points: train, validation and test figures at each epoch end. */
function epochPoints(runs: readonly LabelledRun[]): CurvePoint[] {
  const points: CurvePoint[] = [];
  for (const { trial, run, source } of runs) {
    for (const e of source.result!.epochs) {
      const base = { trial, run, epoch: e.epoch, step: e.optimizerSteps };
      points.push({ ...base, split: "train", loss: plottableLoss(e.trainLoss), accuracy: finiteOrNull(e.trainAccuracy) });
      if (e.validationLoss !== null || e.validationAccuracy !== null) {
        points.push({ ...base, split: "validation", loss: plottableLoss(e.validationLoss), accuracy: finiteOrNull(e.validationAccuracy) });
      }
      points.push({ ...base, split: "test", loss: plottableLoss(e.testLoss), accuracy: finiteOrNull(e.testAccuracy) });
    }
  }
  return points;
}

/** Training loss per sampled optimizer step, for runs that wrote steps.jsonl. */
function stepPoints(runs: readonly LabelledRun[]): CurvePoint[] {
  const points: CurvePoint[] = [];
  for (const { trial, run, source } of runs) {
    for (const s of source.result!.steps) {
      points.push({ trial, run, split: SAMPLED, epoch: s.epoch, step: s.optimizerStep, loss: plottableLoss(s.loss), accuracy: null });
    }
  }
  return points;
}

/** A curve point of a run that did not complete (diverged or failed): it must not set the loss axis. */
function lossDomain(points: readonly CurvePoint[], unfinished: ReadonlySet<string>): [number, number] | null {
  const good = points.filter((p) => !unfinished.has(p.run) && p.loss !== null).map((p) => p.loss!);
  const all = points.filter((p) => p.loss !== null).map((p) => p.loss!);
  if (good.length === 0 || all.length === good.length) return null;
  const hi = Math.max(...good);
  // only when the unfinished runs would squash the others into a sliver of a log axis
  if (Math.max(...all) <= hi * 10) return null;
  return [Math.min(...all.filter((v) => v <= hi)) / 1.5, hi * 3];
}

function curveChart(opts: {
  name: string;
  title: string;
  caption: string;
  points: CurvePoint[];
  x: "epoch" | "step";
  y: "loss" | "accuracy";
  trials: number;
  unfinished: ReadonlySet<string>;
  /** appended to the caption when not every trial is drawn */
  selection: string;
}): ReportChart {
  const yField = opts.y;
  const xTitle = opts.x === "epoch" ? "epoch" : "optimizer step";
  const domain = yField === "loss" ? lossDomain(opts.points, opts.unfinished) : null;
  return reportChart({
    name: opts.name,
    title: opts.title,
    caption: opts.caption + (domain === null ? "" : " The axis spans the runs that completed: losses of diverged runs above it are left out.") + opts.selection,
    spec: {
      width: CHART_WIDTH,
      height: CHART_HEIGHT,
      // points above a narrowed loss axis are left out rather than clipped: resvg 2.6 aborts the
      // process on some clipped marks far outside the plot
      data: { values: opts.points.filter((p) => p[yField] !== null && (domain === null || p.loss! <= domain[1])) },
      encoding: {
        x: { field: opts.x, type: "quantitative", title: xTitle, axis: opts.x === "epoch" ? { tickMinStep: 1 } : {} },
        y:
          yField === "loss"
            ? { field: "loss", type: "quantitative", title: "loss (log scale)", scale: { type: "log", ...(domain === null ? {} : { domain }) } }
            : { field: "accuracy", type: "quantitative", title: "accuracy", axis: { format: ".0%" }, scale: { zero: false } },
        color: { field: "trial", type: "nominal", title: "trial", scale: { scheme: seriesScheme(opts.trials) } },
        detail: [{ field: "run" }, { field: "split" }],
        order: { field: opts.x, type: "quantitative" },
        tooltip: [{ field: "run" }, { field: "split" }, { field: "epoch" }, { field: "step" }, { field: yField, format: yField === "loss" ? ".4g" : ".2%" }],
      },
      layer: [
        // the dash pattern only on the lines, so its legend shows dashes
        { mark: { type: "line", strokeWidth: 1.6 }, encoding: { strokeDash: { field: "split", type: "nominal", title: "split" } } },
        // a point at each epoch end, so a one-epoch run still shows (sampled steps are dense: line only)
        { transform: [{ filter: `datum.split !== '${SAMPLED}'` }], mark: { type: "point", filled: true, size: 25 } },
      ],
    },
  });
}

/**
 * The four learning-curve charts (loss and accuracy, against epoch and
 * against optimizer step); none when no run finished an epoch.
 */
export function learningCurveCharts(model: ReportModel): ReportChart[] {
  const drawn = curveTrials(model);
  const runs = labelledRuns(model, drawn);
  const byEpoch = epochPoints(runs);
  if (byEpoch.length === 0) return [];
  const trials = new Set(runs.map((r) => r.trial)).size;
  const sampled = stepPoints(runs);
  // runs without steps.jsonl still get their per-epoch training loss on the step axis
  const withSteps = new Set(sampled.map((p) => p.run));
  const lossBySteps = [...sampled, ...byEpoch.filter((p) => p.split !== "train" || !withSteps.has(p.run))];
  const unfinished = new Set(runs.filter((r) => runStatus(r.source) !== "completed").map((r) => r.run));
  const selection = drawn.length < model.trials.length ? ` Only the ${drawn.length} best of the ${model.trials.length} trials by ${model.metric} are drawn, so that each has its own colour; the results table has them all.` : "";
  const common = { trials, unfinished, selection };
  return [
    curveChart({ ...common, name: "loss-by-epoch", title: "Loss against epoch", caption: "Mean loss of each run at the end of each epoch on its training, validation and test samples (log scale).", points: byEpoch, x: "epoch", y: "loss" }),
    curveChart({ ...common, name: "accuracy-by-epoch", title: "Accuracy against epoch", caption: "Accuracy of each run at the end of each epoch.", points: byEpoch, x: "epoch", y: "accuracy" }),
    curveChart({
      ...common,
      name: "loss-by-step",
      title: "Loss against optimizer step",
      caption: "Training loss of the global batch at sampled optimizer steps (steps.jsonl), and the evaluation loss at each epoch end (log scale).",
      points: lossBySteps,
      x: "step",
      y: "loss",
    }),
    curveChart({ ...common, name: "accuracy-by-step", title: "Accuracy against optimizer step", caption: "Accuracy at each epoch end, placed at the optimizer step it was reached at.", points: byEpoch, x: "step", y: "accuracy" }),
  ];
}
