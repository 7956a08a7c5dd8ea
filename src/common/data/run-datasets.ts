import type { RunConfig } from "../config/schema.js";
import type { Dataset } from "./dataset.js";
import { loadDataset } from "./datasets.js";

/** The training and test splits a run uses, with its subset limits applied. */
export async function loadRunDatasets(config: Pick<RunConfig, "dataset" | "trainLimit" | "testLimit">): Promise<{ train: Dataset; test: Dataset }> {
  const limitOf = (n: number | undefined): { limit?: number } => (n === undefined ? {} : { limit: n });
  const [train, test] = await Promise.all([
    loadDataset(config.dataset, "train", limitOf(config.trainLimit)),
    loadDataset(config.dataset, "test", limitOf(config.testLimit)),
  ]);
  return { train, test };
}
