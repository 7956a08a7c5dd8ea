/**
 * The sweep directory on disk: `experiment.json` written once, `sweep.json`
 * rewritten after every run, both replaced atomically (`core/file-writes.ts`),
 * so a crash, a Ctrl-C or a full disk never leaves a torn record and `--resume`
 * always has a consistent one.
 */
import { join } from "node:path";
import { fileReadErrorCode, readJsonObjectFile } from "../config/load.js";
import { ensureDirectory } from "../core/ensure-directory.js";
import { errorMessage, RingtrainError } from "../core/errors.js";
import { writeFileAtomic } from "../core/file-writes.js";
import { runsDirRole } from "../runs/run-directory.js";
import type { ResolvedExperiment } from "./load-experiment.js";
import type { SweepRecord } from "./sweep-record.js";

export const EXPERIMENT_FILE = "experiment.json";
export const SWEEP_FILE = "sweep.json";

/**
 * Creates the sweep directory and writes its `experiment.json`.
 *
 * @throws RingtrainError FILE_SYSTEM naming the directory or file that cannot be made.
 */
export async function createSweepDir(dir: string, experiment: ResolvedExperiment): Promise<void> {
  await ensureDirectory(dir, runsDirRole("the sweep directory"));
  await writeFileAtomic(join(dir, EXPERIMENT_FILE), JSON.stringify(experiment, null, 2) + "\n", runsDirRole("the sweep's experiment"));
}

/** Rewrites `sweep.json` atomically, with `updatedAt` set to now. */
export async function writeSweepRecord(dir: string, record: SweepRecord): Promise<void> {
  record.updatedAt = new Date().toISOString();
  await writeFileAtomic(join(dir, SWEEP_FILE), JSON.stringify(record, null, 2) + "\n", runsDirRole("the sweep record"));
}

/**
 * Reads `sweep.json` back.
 *
 * @throws RingtrainError USAGE when the directory has none; DATA_INVALID when it is not a sweep record.
 */
export async function readSweepRecord(dir: string): Promise<SweepRecord> {
  const path = join(dir, SWEEP_FILE);
  let record: Record<string, unknown>;
  try {
    record = await readJsonObjectFile(path, "sweep record");
  } catch (e) {
    if (fileReadErrorCode(e) !== undefined) throw new RingtrainError("USAGE", `${errorMessage(e)}: pass a sweep directory, runs/<sweep-id>/`);
    throw new RingtrainError("DATA_INVALID", `${errorMessage(e)}; it is rewritten atomically, so it was edited by hand: restore it or start a new sweep`);
  }
  checkSweepRecord(record, path);
  // the fields the sweep reads back are checked; the rest is as ringtrain sweep wrote it
  return record as unknown as SweepRecord;
}

/**
 * Checks the shape `--resume` and `ringtrain report` rely on: a sweepId, and
 * trials each with a trialId and runs that each name a runDir.
 *
 * @throws RingtrainError DATA_INVALID naming the file and the first entry that lacks them.
 */
export function checkSweepRecord(raw: Record<string, unknown>, file: string): void {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (typeof raw.sweepId !== "string" || !Array.isArray(raw.trials)) {
    throw new RingtrainError("DATA_INVALID", `${file} has no sweepId or no trials array; it is not a sweep record written by \`ringtrain sweep\``);
  }
  raw.trials.forEach((t: unknown, i) => {
    if (!isObject(t) || typeof t.trialId !== "string" || !Array.isArray(t.runs)) {
      throw new RingtrainError("DATA_INVALID", `${file}: trials[${i}] has no trialId or no runs array`);
    }
    t.runs.forEach((r: unknown, j) => {
      if (!isObject(r) || typeof r.runDir !== "string") throw new RingtrainError("DATA_INVALID", `${file}: trials[${i}].runs[${j}] has no runDir`);
    });
  });
}
