import type { RunConfig } from "../config/schema.js";
import { readRunConfig, readRunWeights } from "../runs/read-run.js";

/** A finished run's config and final weights, read back from its directory. */
export interface TrainedRun {
  dir: string;
  config: RunConfig;
  weights: Float32Array;
}

/**
 * Reads `config.json` and `weights.bin` from a run directory (by `runs/read-run.ts`).
 *
 * @throws RingtrainError USAGE when the directory is not a run directory or the
 *   run wrote no weights (it failed before its end); CONFIG_INVALID for a config
 *   this version cannot read; DATA_INVALID for a truncated weights file.
 */
export async function loadTrainedRun(dir: string): Promise<TrainedRun> {
  const config = await readRunConfig(dir);
  return { dir, config, weights: await readRunWeights(dir) };
}
