/**
 * Trial ids: `t03-learningRate_0.1-batchSize_full`. The index keeps them
 * unique and sorted; the slug of the params makes a directory listing
 * readable. A pure function of (index, trial count, params), so it is stable
 * across resumes.
 */
import type { TrialParams } from "./sweep-record.js";

/** Longest slug kept after the index; longer ones are cut (the index alone is unique). */
const MAX_SLUG = 60;

/** `t03`: the number part of trial `index`'s (0-based) id of `count`; numbered from 1, zero-padded to the count's width (at least 2 digits). */
export function trialNumber(index: number, count: number): string {
  const width = Math.max(2, String(count).length);
  return `t${String(index + 1).padStart(width, "0")}`;
}

/** The id of trial `index` (0-based) of `count`: its {@link trialNumber}, then the slug of its params. */
export function trialId(index: number, count: number, params: TrialParams): string {
  const number = trialNumber(index, count);
  const slug = Object.entries(params)
    .map(([path, value]) => `${path.split(".").at(-1)}_${slugOf(value)}`)
    .join("-")
    .replace(/[^A-Za-z0-9_.-]+/g, "")
    .slice(0, MAX_SLUG)
    .replace(/[-_.]+$/, "");
  return slug === "" ? number : `${number}-${slug}`;
}

function slugOf(value: unknown): string {
  if (Array.isArray(value)) return value.map(slugOf).join("x");
  if (typeof value === "object" && value !== null) {
    // a whole component (an optimizer, a model): its name, then its other values (sgd vs sgd with momentum)
    const { name, ...rest } = value as { name?: unknown };
    const values = Object.values(rest).filter((v) => typeof v !== "object" || v === null).map(String);
    return [typeof name === "string" ? name : "obj", ...values].join("_");
  }
  return String(value);
}
