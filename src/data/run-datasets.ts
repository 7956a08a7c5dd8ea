import type { Dataset } from "./dataset.js";
import { loadDataset, resolveDatasetSpec } from "./datasets.js";
import { holdoutSplit, kFoldSplit } from "./splits.js";
import { subsetDataset } from "./subset.js";
import type { ValidationConfig } from "./validation-config.js";

/** The fields of a run config that choose its data (a RunConfig is one). */
export interface DataSelection {
  dataset: string;
  trainLimit?: number | undefined;
  testLimit?: number | undefined;
  validation?: ValidationConfig | undefined;
  seed: number;
}

/** What a run trains and evaluates on. */
export interface RunDatasets {
  /** the training samples (without any validation split) */
  train: Dataset;
  /** the set evaluated after every epoch: the labelled test split, or the validation split where the dataset has none */
  test: Dataset;
  /** the held-out validation split, when one is configured (or implied) */
  validation?: Dataset;
}

/** Holdout fraction for datasets without a labelled test split (Kaggle train.csv). */
const IMPLIED_HOLDOUT = 0.1;

/**
 * The splits a run uses: subset limits applied first (so `trainLimit` bounds the
 * loaded samples), then the configured validation split, held out of the
 * training samples and seeded (by default with the run seed).
 */
export async function loadRunDatasets(config: DataSelection): Promise<RunDatasets> {
  const limitOf = (n: number | undefined): { limit?: number } => (n === undefined ? {} : { limit: n });
  const resolved = await resolveDatasetSpec(config.dataset);
  const [all, test] = await Promise.all([
    loadDataset(config.dataset, "train", limitOf(config.trainLimit)),
    resolved.hasTestSplit ? loadDataset(config.dataset, "test", limitOf(config.testLimit)) : Promise.resolve(undefined),
  ]);
  const validation: ValidationConfig | undefined = config.validation ?? (test === undefined ? { holdout: IMPLIED_HOLDOUT, fold: 0 } : undefined);
  if (validation === undefined) return { train: all, test: test! };
  const seed = validation.seed ?? config.seed;
  // stratified by class unless the config says otherwise
  const labels = validation.stratified === false ? {} : { labels: all.labels };
  const split =
    validation.folds !== undefined
      ? kFoldSplit(all.count, { k: validation.folds, seed, ...labels }, validation.fold)
      : holdoutSplit(all.count, { fraction: validation.holdout!, seed, ...labels });
  const train = subsetDataset(all, split.train, { split: "train" });
  const held = subsetDataset(all, split.validation, { split: "test", name: `${all.name} (validation)` });
  return { train, test: test ?? held, validation: held };
}

/**
 * The validation split a run evaluates besides its test split, or undefined: none
 * is configured, or it *is* the evaluated split (datasets without a labelled test split).
 */
export function evaluatedValidation(datasets: RunDatasets): Dataset | undefined {
  return datasets.validation !== undefined && datasets.validation !== datasets.test ? datasets.validation : undefined;
}
