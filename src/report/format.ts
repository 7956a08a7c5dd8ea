/** How report tables and captions write numbers and parameter values: one spelling for HTML and markdown. */
import { formatLoss, formatPercent } from "../core/format.js";

/**
 * A finite number, or null: what the report can show of a figure read back
 * (JSON has no NaN/Infinity, so writers turn them into null; a diverged run's
 * records hold NaN where they were completed with it).
 */
export function finiteOrNull(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** A dash for a missing figure. */
export const MISSING = "—";

/** `0.9876` → `98.76%` (core's {@link formatPercent}); {@link MISSING} when missing or not finite. */
export function reportPercent(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? MISSING : formatPercent(v);
}

/** A loss: 4 decimals (core's {@link formatLoss}), or exponent notation when huge or tiny (a diverging run). */
export function reportLoss(v: number | null | undefined): string {
  if (v === null || v === undefined) return MISSING;
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : formatLoss(v);
}

/** A count or measurement with at most `digits` decimals. */
export function formatNumber(v: number | null | undefined, digits = 0): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return MISSING;
  return digits === 0 ? Math.round(v).toLocaleString("en-US") : v.toFixed(digits);
}

/** A hyperparameter value as written in configs: `0.1`, `full`, `[128,64]`. */
export function formatParam(v: unknown): string {
  if (v === undefined) return MISSING;
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

/** `optimizer.learningRate=0.1, batchSize=full`. */
export function formatParams(params: Record<string, unknown>): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${formatParam(v)}`);
  return parts.length === 0 ? "(defaults)" : parts.join(", ");
}

/** `validationAccuracy` → `validation accuracy`. */
export function metricLabel(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

/** A metric value in its natural unit: accuracies and rates as percent, the rest as losses. */
export function formatMetric(name: string, v: number | null | undefined): string {
  return /accuracy|rate|score/i.test(name) && !/loss/i.test(name) ? reportPercent(v) : reportLoss(v);
}
