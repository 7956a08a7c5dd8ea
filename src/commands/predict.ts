import { join } from "node:path";
import { Option, type Command } from "commander";
import { BACKEND_NAMES, selectBackend, type BackendName } from "../common/compute/backend.js";
import { readKaggleCsv } from "../common/data/csv-read.js";
import { writeKaggleSubmission } from "../common/data/csv-submission.js";
import type { Dataset } from "../common/data/dataset.js";
import { datasetClassNames, loadDataset, resolveDatasetSpec } from "../common/data/datasets.js";
import { RingtrainError } from "../common/errors.js";
import { predict, restoreModel } from "../inference/predict.js";
import { loadTrainedRun } from "../inference/trained-run.js";

/** The data to predict on, and whether it carries labels to score against. */
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

/** `ringtrain predict <run-dir>`: class predictions of a trained run, as a Kaggle submission file. */
export function registerPredictCommand(program: Command): void {
  program
    .command("predict")
    .description("predict classes with a trained run's final weights and write a Kaggle submission (ImageId,Label)")
    .argument("<run-dir>", "a finished run's directory, runs/<run-id>/")
    .option("--data <dataset|file.csv>", "what to predict: a Kaggle test.csv (labelled or not), a dataset name or directory (its test split); default: the run's dataset (its Kaggle test.csv, else its test split)")
    .option("--out <file>", "the submission file to write (default: <run-dir>/submission.csv)")
    .addOption(new Option("--backend <name>", "compute backend").choices(BACKEND_NAMES).default("auto"))
    .action(async (runDir: string, flags: { data?: string; out?: string; backend: BackendName }) => {
      const run = await loadTrainedRun(runDir);
      const { data, labelled, source } = await predictionData(flags.data ?? run.config.dataset);
      await selectBackend(flags.backend);
      // the class count of the data the run trained on (read from the registry: that data need not be here)
      const numClasses = datasetClassNames(run.config.dataset).length;
      const model = restoreModel(run, data, numClasses);
      const predictions = predict(model, data, numClasses);
      model.dispose();
      const out = flags.out ?? join(runDir, "submission.csv");
      await writeKaggleSubmission(out, predictions.classes);
      let line = `wrote ${data.count} predictions of ${source} to ${out}`;
      if (labelled) {
        let correct = 0;
        for (let i = 0; i < data.count; i++) if (predictions.classes[i] === data.labels[i]) correct++;
        line += ` (accuracy ${((100 * correct) / data.count).toFixed(2)}% against its labels)`;
      }
      process.stdout.write(line + "\n");
    });
}
