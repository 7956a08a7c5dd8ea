import { readKaggleCsv } from "../data/csv-read.js";
import type { Dataset } from "../data/dataset.js";
import { loadDataset, resolveDatasetSpec } from "../data/datasets.js";
import { RingtrainError } from "../core/errors.js";

/**
 * The data to predict on, and whether it carries labels to score against:
 * `spec` a Kaggle CSV file (labelled or not), or a dataset name or directory,
 * whose Kaggle test.csv is preferred to its test split. What `ringtrain
 * predict` and a sweep's submissions predict.
 *
 * @returns the data, whether it is labelled, and `source`, a description for messages.
 * @throws RingtrainError USAGE when the dataset has neither a test split nor a Kaggle test.csv.
 */
export async function predictionData(spec: string): Promise<{ data: Dataset; labelled: boolean; source: string }> {
  if (/\.csv(\.gz)?$/i.test(spec)) {
    const data = await readKaggleCsv(spec);
    return { data, labelled: data.labelled, source: spec };
  }
  const resolved = await resolveDatasetSpec(spec);
  if (resolved.unlabelledTestPath !== undefined) {
    return { data: await readKaggleCsv(resolved.unlabelledTestPath), labelled: false, source: resolved.unlabelledTestPath };
  }
  if (!resolved.hasTestSplit) {
    throw new RingtrainError("USAGE", `dataset ${spec} has neither a test split nor a Kaggle test.csv to predict on; pass --data <file.csv>`);
  }
  return { data: await loadDataset(spec, "test"), labelled: true, source: `${spec} (test split)` };
}
