/**
 * The one reader of a run directory: every file `RunDirectory` writes, read
 * back and checked against the schemas of `records.ts`. A file that exists but
 * does not hold what ringtrain writes is an error naming the file, the line
 * (JSON lines) and the field, with what it holds and what was expected:
 *
 *     runs/x/summary.json: testAccuracy: expected number, got "0.97" (not a run summary as ringtrain writes it)
 *
 * Runs that failed half-way or were written by older versions still read: a
 * missing file is an empty part, and fields added later have defaults.
 */
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { z } from "zod";
import { fileReadErrorCode, parseConfig, readJsonObjectFile } from "../config/load.js";
import type { RunConfig } from "../config/schema.js";
import { errorMessage, RingtrainError } from "../core/errors.js";
import { formatIssues } from "../core/zod-issues.js";
import { errnoOf, fileSystemError } from "../core/file-errors.js";
import { mtimeIfPresent, readJsonLines, readJsonObject, parseJsonLines, type JsonLines } from "./json-files.js";
import { epochRecordSchema, runSummarySchema, stepRecordSchema, type EpochRecord, type RunSummary, type StepRecord } from "./records.js";
import { RUN_FILES } from "./run-files.js";

/** A run directory read back: everything a report uses from it. */
export interface LoadedRun {
  /** the directory, as given */
  dir: string;
  /** the summary's runId, else the directory's name */
  runId: string;
  /** `config.json` as written (unvalidated: an older run's config need not pass today's schema), or null when absent */
  config: Record<string, unknown> | null;
  /** `summary.json`, or null when the run died before writing it */
  summary: RunSummary | null;
  /** `metrics.jsonl`, empty when absent */
  epochs: EpochRecord[];
  /** `steps.jsonl`, empty when absent (runs written before it) */
  steps: StepRecord[];
  /**
   * modification time of `weights.bin`, or null when the run wrote none: only a
   * run with weights has a confusion matrix and a gallery, and a changed time
   * makes a saved analysis stale
   */
  weightsMtimeMs: number | null;
  /**
   * what a reader should be told: a torn last line of `metrics.jsonl` or
   * `steps.jsonl` that was left out, naming the file and the line
   */
  warnings: string[];
}

/** At most this many problems are listed in one error: a foreign file has one per field. */
const LISTED_ISSUES = 5;

/** A value as an error message shows what a field held: JSON, cut short. */
function describeValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** Type errors that say what the field held: `missing, expected number`, `expected number, got "0.97"`. */
const heldValueErrors: z.ZodErrorMap = (issue, ctx) => {
  if (issue.code !== "invalid_type") return { message: ctx.defaultError };
  return { message: issue.received === "undefined" ? `missing, expected ${issue.expected}` : `expected ${issue.expected}, got ${describeValue(ctx.data)}` };
};

/**
 * `value` checked against `schema`.
 *
 * @param where names the file (and line) in errors; `what` names the record expected there.
 * @throws RingtrainError DATA_INVALID listing the fields that do not match, as zod issue text.
 */
function checked<S extends z.ZodTypeAny>(schema: S, value: unknown, where: string, what: string): z.output<S> {
  const result = schema.safeParse(value, { errorMap: heldValueErrors });
  if (result.success) return result.data as z.output<S>;
  const { issues } = result.error;
  const more = issues.length > LISTED_ISSUES ? `; and ${issues.length - LISTED_ISSUES} more` : "";
  throw new RingtrainError("DATA_INVALID", `${where}: ${formatIssues(new z.ZodError(issues.slice(0, LISTED_ISSUES)))}${more} (not ${what} as ringtrain writes it)`);
}

/** The records of a JSON-lines file, each checked against `schema`, and the warning about a torn last line. */
interface CheckedLines<T> {
  records: T[];
  warning: string | null;
}

function checkedLines<S extends z.ZodTypeAny>(schema: S, { lines, warning }: JsonLines, file: string, what: string): CheckedLines<z.output<S>> {
  return { records: lines.map(({ line, value }) => checked(schema, value, `${file} line ${line}`, what)), warning };
}

async function readEpochLines(dir: string): Promise<CheckedLines<EpochRecord>> {
  const file = join(dir, RUN_FILES.metrics);
  return checkedLines(epochRecordSchema, await readJsonLines(file), file, "an epoch record");
}

async function readStepLines(dir: string): Promise<CheckedLines<StepRecord>> {
  const file = join(dir, RUN_FILES.steps);
  return checkedLines(stepRecordSchema, await readJsonLines(file), file, "a step record");
}

/**
 * The run's `summary.json`, or null when it has none (the run died before writing it).
 *
 * @throws RingtrainError DATA_INVALID when it is not JSON or not a run summary.
 */
export async function readRunSummary(dir: string): Promise<RunSummary | null> {
  const file = join(dir, RUN_FILES.summary);
  const raw = await readJsonObject(file);
  return raw === null ? null : checked(runSummarySchema, raw, file, "a run summary");
}

/**
 * The epoch records of a `metrics.jsonl` text; a torn last line (a run killed while appending it) is left out.
 *
 * @param file names the file in errors.
 * @throws RingtrainError DATA_INVALID naming the file, the line and the field.
 */
export function parseEpochRecords(text: string, file: string): EpochRecord[] {
  return checkedLines(epochRecordSchema, parseJsonLines(text, file), file, "an epoch record").records;
}

/**
 * The run's `metrics.jsonl`, one record per finished epoch; empty when absent.
 *
 * @throws RingtrainError DATA_INVALID naming the file, the line and the field.
 */
export async function readEpochRecords(dir: string): Promise<EpochRecord[]> {
  return (await readEpochLines(dir)).records;
}

/**
 * The run's `steps.jsonl`, the sampled training loss; empty when absent.
 *
 * @throws RingtrainError DATA_INVALID naming the file, the line and the field.
 */
export async function readStepRecords(dir: string): Promise<StepRecord[]> {
  return (await readStepLines(dir)).records;
}

/**
 * The run's `config.json`, validated against today's run-config schema.
 *
 * @throws RingtrainError USAGE when the directory has no readable config (it is
 *   not a run directory); CONFIG_INVALID for a config this version cannot read.
 */
export async function readRunConfig(dir: string): Promise<RunConfig> {
  const file = join(dir, RUN_FILES.config);
  let raw: Record<string, unknown>;
  try {
    raw = await readJsonObjectFile(file, "run config");
  } catch (e) {
    if (fileReadErrorCode(e) !== undefined) throw new RingtrainError("USAGE", `${dir} is not a run directory (${errorMessage(e)}); pass runs/<run-id>/`);
    throw e;
  }
  return parseConfig(raw, file);
}

/** `weights.json`'s fields that `readRunWeights` checks `weights.bin` against. */
const weightsLayoutSchema = z.object({ dtype: z.literal("float32"), count: z.number().int().nonnegative() });

/**
 * The run's final weights, `weights.bin`, checked against `weights.json`:
 * the run writes the weights, then their layout, each replaced atomically, so
 * a `weights.bin` without a layout, or whose size is not the layout's count,
 * was not written whole (or not by ringtrain) and is refused rather than
 * handed to a model that would blame the data.
 *
 * @throws RingtrainError USAGE when the run wrote none (it failed before its
 *   end); DATA_INVALID when the file is not the size its layout says, or the
 *   layout is missing or not one; FILE_SYSTEM when it cannot be read.
 */
export async function readRunWeights(dir: string): Promise<Float32Array> {
  const file = join(dir, RUN_FILES.weights);
  const layoutFile = join(dir, RUN_FILES.weightsLayout);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    if (errnoOf(e) !== "ENOENT") throw await fileSystemError(e, "read", file, "the run's weights");
    throw new RingtrainError("USAGE", `${dir} has no ${RUN_FILES.weights}: the run did not finish; train it again or pick another run`);
  }
  const rerun = "train the run again or pick another run";
  const raw = await readJsonObject(layoutFile);
  if (raw === null) throw new RingtrainError("DATA_INVALID", `${file} has no ${RUN_FILES.weightsLayout} beside it: the run stopped while writing its weights; ${rerun}`);
  const { count } = checked(weightsLayoutSchema, raw, layoutFile, "a weights layout");
  if (bytes.byteLength !== count * 4) {
    throw new RingtrainError(
      "DATA_INVALID",
      `${file} is ${bytes.byteLength} bytes, but ${RUN_FILES.weightsLayout} says it holds ${count} float32 values (${count * 4} bytes): ` +
        `it is ${bytes.byteLength < count * 4 ? "cut short" : "too long"} (not written whole, or replaced); ${rerun}`,
    );
  }
  const weights = new Float32Array(count);
  new Uint8Array(weights.buffer).set(bytes);
  return weights;
}

/**
 * Reads a run directory for a report. Missing files give empty parts; a run
 * directory that does not exist gives a run with everything empty (a sweep may
 * list a run that never started): see {@link isRunDirectory}.
 *
 * @throws RingtrainError DATA_INVALID for a file that exists but does not hold
 *   what ringtrain writes, naming the file, the line and the field.
 */
export async function readRun(dir: string): Promise<LoadedRun> {
  const [config, summary, epochs, steps, weightsMtimeMs] = await Promise.all([
    readJsonObject(join(dir, RUN_FILES.config)),
    readRunSummary(dir),
    readEpochLines(dir),
    readStepLines(dir),
    mtimeIfPresent(join(dir, RUN_FILES.weights)),
  ]);
  const warnings = [epochs.warning, steps.warning].filter((w) => w !== null);
  return { dir, runId: summary?.runId ?? basename(dir), config, summary, epochs: epochs.records, steps: steps.records, weightsMtimeMs, warnings };
}

/** True when what was read is a run directory's: it has a config or a summary. */
export function isRunDirectory(run: LoadedRun): boolean {
  return run.config !== null || run.summary !== null;
}
