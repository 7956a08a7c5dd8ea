/**
 * One run directory read back for a report: its config, per-epoch metrics,
 * sampled per-step losses and summary, each optional, because a report must
 * also describe runs that failed half-way or were written by older versions
 * (no `steps.jsonl`, no validation fields).
 */
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { EpochRecord, RunSummary } from "../coordinator/results.js";
import { errorMessage, RingtrainError } from "../common/errors.js";

/** One line of `steps.jsonl`: the global-batch mean training loss at a (sampled) optimizer step. */
export interface StepLoss {
  optimizerStep: number;
  /** 1-based */
  epoch: number;
  loss: number;
}

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
  /** `steps.jsonl`, empty when the run predates it */
  steps: StepLoss[];
  /** whether `weights.bin` exists (needed for the confusion matrix and the gallery) */
  hasWeights: boolean;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
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

/** A JSON number, or null (JSON has no NaN/Infinity: writers turn them into null). */
function numberOrNull(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function toEpochRecord(line: Record<string, unknown>): EpochRecord | null {
  const epoch = numberOrNull(line.epoch);
  if (epoch === null) return null;
  const num = (k: string): number => numberOrNull(line[k]) ?? Number.NaN;
  return {
    ...(line as unknown as EpochRecord),
    epoch,
    optimizerSteps: num("optimizerSteps"),
    trainLoss: num("trainLoss"),
    trainAccuracy: num("trainAccuracy"),
    testLoss: num("testLoss"),
    testAccuracy: num("testAccuracy"),
    validationLoss: numberOrNull(line.validationLoss),
    validationAccuracy: numberOrNull(line.validationAccuracy),
  };
}

function toStepLoss(line: Record<string, unknown>): StepLoss | null {
  const optimizerStep = numberOrNull(line.optimizerStep);
  if (optimizerStep === null) return null;
  // a non-finite loss (a diverging run) was written as null or a string: keep the point as NaN
  return { optimizerStep, epoch: numberOrNull(line.epoch) ?? Number.NaN, loss: numberOrNull(line.loss) ?? Number.NaN };
}

/** Fills the fields older summaries lack, so the report can trust the type. */
function toSummary(raw: Record<string, unknown>): RunSummary {
  return {
    ...(raw as unknown as RunSummary),
    status: raw.status === "completed" || raw.status === "diverged" ? raw.status : "failed",
    validationLoss: numberOrNull(raw.validationLoss),
    validationAccuracy: numberOrNull(raw.validationAccuracy),
    validationSamples: numberOrNull(raw.validationSamples) ?? 0,
    backends: Array.isArray(raw.backends) ? (raw.backends as RunSummary["backends"]) : [],
  };
}

/** True when `dir` looks like a run directory (has a config or a summary). */
export async function isRunDirectory(dir: string): Promise<boolean> {
  return (await exists(join(dir, "summary.json"))) || (await exists(join(dir, "config.json")));
}

/**
 * Reads a run directory. Missing files give empty parts; a run directory that
 * does not exist gives a result with everything empty (a sweep may list a run
 * that never started).
 *
 * @throws RingtrainError DATA_INVALID for a file that exists but cannot be parsed.
 */
export async function loadRunResult(dir: string): Promise<RunResult> {
  const [config, summaryRaw, metricLines, stepLines, hasWeights] = await Promise.all([
    readJsonObject(join(dir, "config.json")),
    readJsonObject(join(dir, "summary.json")),
    readJsonLines(join(dir, "metrics.jsonl")),
    readJsonLines(join(dir, "steps.jsonl")),
    exists(join(dir, "weights.bin")),
  ]);
  const summary = summaryRaw === null ? null : toSummary(summaryRaw);
  const runId = summary?.runId ?? dir.split(/[\\/]/).filter((p) => p !== "").pop() ?? dir;
  return {
    dir,
    runId,
    config,
    summary,
    epochs: metricLines.map(toEpochRecord).filter((r): r is EpochRecord => r !== null),
    steps: stepLines.map(toStepLoss).filter((r): r is StepLoss => r !== null),
    hasWeights,
  };
}
