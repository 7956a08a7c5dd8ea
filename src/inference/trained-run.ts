import type { RunConfig } from "../config/schema.js";
import { RingtrainError } from "../core/errors.js";
import { readRunConfig, readRunSummary, readRunWeights } from "../runs/read-run.js";

/** A finished run's config and final weights, read back from its directory. */
export interface TrainedRun {
  dir: string;
  config: RunConfig;
  weights: Float32Array;
  /**
   * Why its weights are not a trained model, or null: the run diverged (its
   * summary says so), or they hold NaN or infinite values (a model that
   * predicts class 0 for everything). See {@link requireModel}.
   */
  notAModel: string | null;
}

/**
 * Reads `config.json`, `weights.bin` and `summary.json` from a run directory (by `runs/read-run.ts`).
 *
 * @throws RingtrainError USAGE when the directory is not a run directory or the
 *   run wrote no weights (it failed before its end); CONFIG_INVALID for a config
 *   this version cannot read; DATA_INVALID for a truncated weights file or a bad summary.
 */
export async function loadTrainedRun(dir: string): Promise<TrainedRun> {
  const config = await readRunConfig(dir);
  const weights = await readRunWeights(dir);
  const divergence = (await readRunSummary(dir))?.divergence;
  let nonFinite = 0;
  for (const w of weights) if (!Number.isFinite(w)) nonFinite++;
  let notAModel: string | null = null;
  if (divergence !== undefined) {
    notAModel = `run ${dir} diverged at optimizer step ${divergence.optimizerStep} (epoch ${divergence.epoch}, loss ${divergence.loss ?? "NaN or infinite"})`;
  } else if (nonFinite > 0) {
    notAModel = `run ${dir} has ${nonFinite} NaN or infinite values among its ${weights.length} weights`;
  }
  return { dir, config, weights, notAModel };
}

/**
 * Refuses a run whose weights are not a model ({@link TrainedRun.notAModel})
 * unless `allowed`; returns the reason when it is allowed, for the caller to warn with.
 *
 * @param override names the option that allows it, e.g. `--allow-diverged`.
 * @throws RingtrainError USAGE naming the run, why, and the override.
 */
export function requireModel(run: TrainedRun, allowed: boolean, override: string): string | null {
  if (run.notAModel !== null && !allowed) {
    throw new RingtrainError("USAGE", `${run.notAModel}: its weights are not a model; train it again (a lower learning rate), or pass ${override} to predict with them anyway`);
  }
  return run.notAModel;
}
