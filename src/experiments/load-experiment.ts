import { dirname, resolve } from "node:path";
import { parseWith } from "../core/zod-issues.js";
import { fileReadErrorCode, readJsonObjectFile } from "../config/load.js";
import { errorMessage, RingtrainError } from "../core/errors.js";
import { deepMerge } from "../config/config-path.js";
import { experimentSchema, type Experiment } from "./experiment-schema.js";

/**
 * An experiment whose `base` is the run config object itself, with the
 * `overrides` merged in: what `experiment.json` in a sweep directory holds, so
 * that a resumed sweep (or a report) needs nothing outside that directory.
 */
export type ResolvedExperiment = Omit<Experiment, "base" | "overrides"> & { base: Record<string, unknown> };

/**
 * Reads and validates an experiment file, and resolves its base config (a path
 * relative to the experiment file, or inline) with the overrides merged in.
 *
 * @throws RingtrainError CONFIG_INVALID naming the file and every problem with its field.
 */
export async function loadExperiment(path: string): Promise<ResolvedExperiment> {
  const experiment = parseWith(experimentSchema, await readJsonObjectFile(path, "experiment file"), path);
  return resolveExperiment(experiment, dirname(resolve(path)));
}

/** Resolves `base` (a path is taken relative to `dir`) and merges `overrides` into it. */
export async function resolveExperiment(experiment: Experiment, dir: string): Promise<ResolvedExperiment> {
  const { base, overrides, ...rest } = experiment;
  const baseObject = typeof base === "string" ? await readJsonObjectFile(resolve(dir, base), `base config of experiment ${experiment.name}`) : base;
  return { ...rest, base: deepMerge(baseObject, overrides ?? {}) };
}

/**
 * Reads `experiment.json` back from a sweep directory (already resolved).
 *
 * @throws RingtrainError USAGE when the directory holds none (not a sweep
 *   directory); CONFIG_INVALID when it holds one that cannot be read or parsed.
 */
export async function loadResolvedExperiment(path: string): Promise<ResolvedExperiment> {
  const raw = await readJsonObjectFile(path, "experiment file").catch((e: unknown) => {
    // only a missing file means "not a sweep directory"; a corrupt one keeps its own message
    if (fileReadErrorCode(e) !== "ENOENT") throw e;
    throw new RingtrainError("USAGE", `${errorMessage(e)}; --resume expects a sweep directory (runs/<sweep-id>/) that holds experiment.json and sweep.json`);
  });
  const parsed = parseWith(experimentSchema, raw, path);
  if (typeof parsed.base === "string" || parsed.overrides !== undefined) {
    throw new RingtrainError("CONFIG_INVALID", `${path}: a sweep directory's experiment.json must hold its base config inline, with no overrides; it was not written by ringtrain sweep`);
  }
  const { base, overrides: _overrides, ...rest } = parsed;
  return { ...rest, base };
}
