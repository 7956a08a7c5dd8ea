/**
 * One run directory read back for a report: its config, per-epoch metrics,
 * sampled per-step losses and summary, each optional, because a report must
 * also describe runs that failed half-way or were written by older versions
 * (no `steps.jsonl`, no validation fields).
 */
import { readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import type { EpochRecord, RunSummary, StepRecord } from "./records.js";
import { errorMessage, RingtrainError } from "../core/errors.js";

/** Everything a report uses from one run directory. */
export interface RunResult {
  /** absolute path */
  dir: string;
  runId: string;
  /** `config.json` as written (unvalidated: the report only displays it), or null when absent */
  config: Record<string, unknown> | null;
  /** `summary.json`, or null when the run died before writing it */
  summary: RunSummary | null;
  /** `metrics.jsonl`, old lines completed with null validation figures */
  epochs: EpochRecord[];
  /** `steps.jsonl` (a non-finite loss or epoch read back as NaN), empty when the run predates it */
  steps: StepRecord[];
  /**
   * modification time of `weights.bin`, or null when the run wrote none: only a
   * run with weights has a confusion matrix and a gallery, and a changed time
   * makes a saved analysis stale
   */
  weightsMtimeMs: number | null;
}

/** A file's modification time, or null when it does not exist. */
async function mtimeOptional(path: string): Promise<number | null> {
  try {
    return (await stat(path)).mtimeMs;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new RingtrainError("DATA_INVALID", `cannot read ${path}: ${errorMessage(e)}`);
  }
}

/** The text of a file, or null when it does not exist. */
async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new RingtrainError("DATA_INVALID", `cannot read ${path}: ${errorMessage(e)}`);
  }
}

/**
 * Parses a JSON file, or returns null when it does not exist.
 *
 * @throws RingtrainError DATA_INVALID when it exists but is not a JSON object.
 */
export async function readJsonObject(path: string): Promise<Record<string, unknown> | null> {
  const text = await readOptional(path);
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new RingtrainError("DATA_INVALID", `${path} is not valid JSON (${errorMessage(e)}); restore it or rerun what wrote it`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RingtrainError("DATA_INVALID", `${path} holds ${Array.isArray(value) ? "an array" : typeof value}; expected a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * The objects of a JSON-lines file (empty when absent). A truncated last line —
 * a run killed while appending — is skipped; a bad line elsewhere is an error.
 */
async function readJsonLines(path: string): Promise<Record<string, unknown>[]> {
  const text = await readOptional(path);
  if (text === null) return [];
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const out: Record<string, unknown>[] = [];
  lines.forEach((line, i) => {
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch (e) {
      if (i === lines.length - 1) return;
      throw new RingtrainError("DATA_INVALID", `${path} line ${i + 1} is not valid JSON (${errorMessage(e)})`);
    }
  });
  return out;
}

/**
 * A finite number, or null: what the report can show of a figure read back
 * (JSON has no NaN/Infinity, so writers turn them into null; a diverged run's
 * records hold NaN where they were completed with it).
 */
export function finiteOrNull(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function toEpochRecord(line: Record<string, unknown>): EpochRecord | null {
  const epoch = finiteOrNull(line.epoch);
  if (epoch === null) return null;
  const num = (k: string): number => finiteOrNull(line[k]) ?? Number.NaN;
  return {
    ...(line as unknown as EpochRecord),
    epoch,
    optimizerSteps: num("optimizerSteps"),
    trainLoss: num("trainLoss"),
    trainAccuracy: num("trainAccuracy"),
    testLoss: num("testLoss"),
    testAccuracy: num("testAccuracy"),
    validationLoss: finiteOrNull(line.validationLoss),
    validationAccuracy: finiteOrNull(line.validationAccuracy),
  };
}

function toStepRecord(line: Record<string, unknown>): StepRecord | null {
  const optimizerStep = finiteOrNull(line.optimizerStep);
  if (optimizerStep === null) return null;
  // a non-finite loss (a diverging run) was written as null or a string: keep the point as NaN
  return { optimizerStep, epoch: finiteOrNull(line.epoch) ?? Number.NaN, loss: finiteOrNull(line.loss) ?? Number.NaN };
}

/** Fills the fields older summaries lack, so the report can trust the type. */
function toSummary(raw: Record<string, unknown>): RunSummary {
  return {
    ...(raw as unknown as RunSummary),
    status: raw.status === "completed" || raw.status === "diverged" ? raw.status : "failed",
    validationLoss: finiteOrNull(raw.validationLoss),
    validationAccuracy: finiteOrNull(raw.validationAccuracy),
    validationSamples: finiteOrNull(raw.validationSamples) ?? 0,
    backends: Array.isArray(raw.backends) ? (raw.backends as RunSummary["backends"]) : [],
  };
}

/**
 * Reads a run directory. Missing files give empty parts; a run directory that
 * does not exist gives a result with everything empty (a sweep may list a run
 * that never started): see {@link isRunResult}.
 *
 * @throws RingtrainError DATA_INVALID for a file that exists but cannot be parsed.
 */
export async function loadRunResult(dir: string): Promise<RunResult> {
  const [config, summaryRaw, metricLines, stepLines, weightsMtimeMs] = await Promise.all([
    readJsonObject(join(dir, "config.json")),
    readJsonObject(join(dir, "summary.json")),
    readJsonLines(join(dir, "metrics.jsonl")),
    readJsonLines(join(dir, "steps.jsonl")),
    mtimeOptional(join(dir, "weights.bin")),
  ]);
  const summary = summaryRaw === null ? null : toSummary(summaryRaw);
  const runId = summary?.runId ?? basename(dir);
  return {
    dir,
    runId,
    config,
    summary,
    epochs: metricLines.map(toEpochRecord).filter((r): r is EpochRecord => r !== null),
    steps: stepLines.map(toStepRecord).filter((r): r is StepRecord => r !== null),
    weightsMtimeMs,
  };
}

/** True when what was read is a run directory's: it has a config or a summary. */
export function isRunResult(result: RunResult): boolean {
  return result.config !== null || result.summary !== null;
}
