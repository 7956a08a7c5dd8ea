/**
 * Cross-validation: the runs of a trial (k folds × executions) and the mean ±
 * standard deviation of their metric. A fold is the run config's own
 * `validation: {folds: k, fold: i, seed, stratified}`, so the k runs of a trial
 * validate on disjoint folds that together cover the training set.
 */
import type { RunConfig } from "../config/schema.js";
import type { CrossValidation } from "./experiment-schema.js";

/** One planned training run of a trial. */
export interface PlannedRun {
  /** the validation fold (0-based), or null without cv */
  fold: number | null;
  /** 0-based execution: the run seed is the trial's seed plus this */
  execution: number;
}

/** The runs of one trial, folds outer, executions inner. */
export function plannedRuns(cv: CrossValidation | undefined, executions: number): PlannedRun[] {
  const folds: Array<number | null> = cv === undefined ? [null] : Array.from({ length: cv.folds }, (_, i) => i);
  return folds.flatMap((fold) => Array.from({ length: executions }, (_, execution) => ({ fold, execution })));
}

/**
 * The validation split of a run: fold `fold` of `folds`, with the split seeded
 * by the trial's seed, so every execution and every trial sees the same folds
 * (only initial weights and data order change with the execution).
 */
export function foldValidation(cv: Pick<CrossValidation, "folds" | "stratified">, fold: number, splitSeed: number): NonNullable<RunConfig["validation"]> {
  // stratified is the run config's default: written only when off, so cv run configs read as before
  return { folds: cv.folds, fold, seed: splitSeed, ...(cv.stratified ? {} : { stratified: false }) };
}

/** Mean and sample standard deviation (n − 1; 0 for one value). */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  if (values.length === 0) return { mean: Number.NaN, std: Number.NaN };
  const mean = values.reduce((a, v) => a + v, 0) / values.length;
  if (values.length === 1) return { mean, std: 0 };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}
