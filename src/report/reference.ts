/**
 * Published reference figures set beside ours: which trial a reference entry
 * describes (every parameter it names must equal the trial's value) and the
 * comparison rows (reference value, ours, difference) the report prints.
 */
import { getPath } from "../config/config-path.js";
import type { ReferenceFigures, TrialParams } from "../experiments/sweep-record.js";
import type { ReportModel, ReportTrial } from "./load-results.js";
import { trialFigures, type Figures } from "./trial-figures.js";

/** A parameter value of a trial: its swept params first, else its first run's config. */
function trialValue(trial: ReportTrial, path: string): unknown {
  if (path in trial.params) return trial.params[path];
  return getPath(trial.runs[0]?.result?.config ?? null, path);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b));
  return JSON.stringify(a) === JSON.stringify(b);
}

/** True when every parameter of `params` equals the trial's value. */
export function trialMatches(trial: ReportTrial, params: TrialParams): boolean {
  return Object.entries(params).every(([path, v]) => sameValue(trialValue(trial, path), v));
}

/** The reference entries that describe `trial`. */
export function referencesFor(reference: ReferenceFigures | null, trial: ReportTrial): ReferenceFigures["values"] {
  return reference === null ? [] : reference.values.filter((v) => trialMatches(trial, v.params));
}

/** One line of the comparison: a reference figure and our figure of the same name (when we measure it). */
export interface ReferenceComparison {
  params: TrialParams;
  note: string | null;
  metric: string;
  reference: number;
  /** the matching trial (the best one when several match), or null when no trial matches */
  trialId: string | null;
  ours: number | null;
}

/** Our figure of a reference metric name, when it is one we measure (`testAccuracy`, `errorRate`, ...). */
function ourFigure(figures: Figures, metric: string): number | null {
  if (!(metric in figures) || metric === "backend") return null;
  const v = figures[metric as keyof Figures];
  return typeof v === "number" ? v : null;
}

/** Every reference figure with ours beside it, in the order the experiment lists them. */
export function referenceComparisons(model: ReportModel): ReferenceComparison[] {
  if (model.reference === null) return [];
  const out: ReferenceComparison[] = [];
  for (const entry of model.reference.values) {
    const matches = model.trials.filter((t) => trialMatches(t, entry.params));
    const trial = matches.find((t) => t.isBest) ?? matches[0] ?? null;
    const figures = trial === null ? null : trialFigures(trial);
    for (const [metric, value] of Object.entries(entry.metrics)) {
      out.push({
        params: entry.params,
        note: entry.note ?? null,
        metric,
        reference: value,
        trialId: trial?.trialId ?? null,
        ours: figures === null ? null : ourFigure(figures, metric),
      });
    }
  }
  return out;
}
