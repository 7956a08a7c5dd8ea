import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseConfig } from "../config/load.js";
import type { RunConfig } from "../config/schema.js";
import { errorMessage, RingtrainError } from "../core/errors.js";

/** A finished run's config and final weights, read back from its directory. */
export interface TrainedRun {
  dir: string;
  config: RunConfig;
  weights: Float32Array;
}

/**
 * Reads `config.json` and `weights.bin` from a run directory.
 *
 * @throws RingtrainError USAGE when the directory is not a run directory or the
 *   run wrote no weights (it failed before its end); CONFIG_INVALID for a config
 *   this version cannot read.
 */
export async function loadTrainedRun(dir: string): Promise<TrainedRun> {
  let configText: string;
  let bytes: Buffer;
  try {
    configText = await readFile(join(dir, "config.json"), "utf8");
  } catch (e) {
    throw new RingtrainError("USAGE", `${dir} is not a run directory (no readable config.json: ${errorMessage(e)}); pass runs/<run-id>/`);
  }
  try {
    bytes = await readFile(join(dir, "weights.bin"));
  } catch {
    throw new RingtrainError("USAGE", `${dir} has no weights.bin: the run did not finish; train it again or pick another run`);
  }
  if (bytes.byteLength % 4 !== 0) throw new RingtrainError("DATA_INVALID", `${join(dir, "weights.bin")} is ${bytes.byteLength} bytes, not a whole number of float32 values`);
  const weights = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(weights.buffer).set(bytes);
  const config = parseConfig(JSON.parse(configText) as unknown, join(dir, "config.json"));
  return { dir, config, weights };
}
