import type { RunConfig } from "../config/schema.js";
import { RingtrainError } from "../core/errors.js";
import { loadRunDatasets, type RunDatasets } from "../data/run-datasets.js";
import { samplesPerEpoch } from "../data/sampler.js";

/** A run's data, loaded and checked against its config. */
export interface CheckedRunData {
  datasets: RunDatasets;
  /** samples per epoch: the training set, or with augment copies the virtual expanded set */
  epochSamples: number;
}

/**
 * Loads the data of `config`'s run and checks that its batch fits one epoch:
 * what a run validates before it starts anything (the coordinator), and what
 * `sweep --dry-run` validates for every planned run.
 *
 * @throws RingtrainError DATA_INVALID for missing or malformed data (naming the
 *   file); CONFIG_INVALID when `batchSize` exceeds the training set.
 */
export async function loadCheckedRunData(config: RunConfig): Promise<CheckedRunData> {
  const datasets = await loadRunDatasets(config);
  const epochSamples = samplesPerEpoch(datasets.train.count, config.augment);
  if (config.batchSize !== "full" && config.batchSize > epochSamples) {
    throw new RingtrainError(
      "CONFIG_INVALID",
      `batchSize: ${config.batchSize} is larger than the training set (${epochSamples} samples of ${config.dataset}); use at most ${epochSamples}, or "full"`,
    );
  }
  return { datasets, epochSamples };
}
