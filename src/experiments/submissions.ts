/**
 * Kaggle submissions of a sweep: for a trial, the mean class probabilities of
 * its finished runs (its CV folds and executions, an ensemble, as Kaggle
 * entrants usually submit a k-fold model); for the retrained best, its own
 * predictions. Predicted on the dataset's Kaggle test.csv where it has one,
 * else on its test split, exactly as `ringtrain predict` does.
 */
import { dirname, join } from "node:path";
import type { BackendName } from "../compute/backend-names.js";
import { selectBackend } from "../compute/backend.js";
import { writeKaggleSubmission } from "../data/csv-submission.js";
import { datasetClassNames } from "../data/datasets.js";
import { ensureDirectory } from "../core/ensure-directory.js";
import { RingtrainError } from "../core/errors.js";
import { accuracyOf, argmaxRows, predict, restoreModel } from "../inference/predict.js";
import { predictionData } from "../inference/prediction-data.js";
import { loadTrainedRun } from "../inference/trained-run.js";

/**
 * Writes `out` (ImageId,Label) from the mean softmax output of the runs in
 * `runDirs` (absolute run directories with weights) on `dataset`'s data to predict.
 *
 * @returns how many images were predicted, and the accuracy when that data is labelled.
 * @throws RingtrainError USAGE when `runDirs` is empty or a run has no weights.
 */
export async function writeEnsembleSubmission(
  runDirs: readonly string[],
  dataset: string,
  out: string,
  backend: BackendName,
): Promise<{ count: number; accuracy: number | null }> {
  if (runDirs.length === 0) throw new RingtrainError("USAGE", `no finished run to predict ${out} with`);
  // selected on every call (one per trial), so each predicts on the backend it names
  await selectBackend(backend);
  const { data, labelled } = await predictionData(dataset);
  const numClasses = datasetClassNames(dataset).length;
  const mean = new Float32Array(data.count * numClasses);
  for (const dir of runDirs) {
    const model = restoreModel(await loadTrainedRun(dir), data, numClasses);
    try {
      const p = predict(model, data, numClasses).probabilities;
      for (let i = 0; i < mean.length; i++) mean[i]! += p[i]! / runDirs.length;
    } finally {
      model.dispose();
    }
  }
  const classes = argmaxRows(mean, numClasses);
  await ensureDirectory(dirname(out), "the submissions directory");
  await writeKaggleSubmission(out, classes, "the sweep's submission");
  return { count: data.count, accuracy: labelled ? accuracyOf(classes, data.labels) : null };
}

/** `submissions/<trial-id>.csv`, relative to the sweep directory. */
export function submissionPath(trialIdOrFinal: string): string {
  return join("submissions", `${trialIdOrFinal}.csv`);
}
