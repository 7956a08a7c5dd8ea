import { join } from "node:path";
import { Option, type Command } from "commander";
import { BACKEND_NAMES, type BackendName } from "../compute/backend-names.js";
import { selectBackend } from "../compute/backend.js";
import { writeKaggleSubmission } from "../data/csv-submission.js";
import { formatPercent } from "../core/format.js";
import { datasetClassNames } from "../data/datasets.js";
import { accuracyOf, predict, restoreModel } from "../inference/predict.js";
import { predictionData } from "../inference/prediction-data.js";
import { loadTrainedRun, requireModel } from "../inference/trained-run.js";

/** `ringtrain predict <run-dir>`: class predictions of a trained run, as a Kaggle submission file. */
export function registerPredictCommand(program: Command): void {
  program
    .command("predict")
    .description("predict classes with a trained run's final weights and write a Kaggle submission (ImageId,Label)")
    .argument("<run-dir>", "a finished run's directory, runs/<run-id>/")
    .option("--data <dataset|file.csv>", "what to predict: a Kaggle test.csv (labelled or not), a dataset name or directory (its test split); default: the run's dataset (its Kaggle test.csv, else its test split)")
    .option("--out <file>", "the submission file to write (default: <run-dir>/submission.csv)")
    .addOption(new Option("--backend <name>", "compute backend").choices(BACKEND_NAMES).default("auto"))
    .option("--allow-diverged", "predict even with a run that diverged or whose weights hold NaN (refused otherwise); warns, and marks the output line")
    .action(async (runDir: string, flags: { data?: string; out?: string; backend: BackendName; allowDiverged?: boolean }) => {
      const run = await loadTrainedRun(runDir);
      const notAModel = requireModel(run, flags.allowDiverged === true, "--allow-diverged");
      if (notAModel !== null) process.stderr.write(`ringtrain: warning: ${notAModel}: predicting anyway (--allow-diverged); these predictions do not come from a trained model\n`);
      const { data, labelled, source } = await predictionData(flags.data ?? run.config.dataset);
      await selectBackend(flags.backend);
      // the class count of the data the run trained on (read from the registry: that data need not be here)
      const numClasses = datasetClassNames(run.config.dataset).length;
      const model = restoreModel(run, data, numClasses);
      const predictions = predict(model, data, numClasses);
      model.dispose();
      const out = flags.out ?? join(runDir, "submission.csv");
      await writeKaggleSubmission(out, predictions.classes, { what: "the submission", chosenBy: "--out" });
      let line = `wrote ${data.count} predictions of ${source} to ${out}`;
      if (labelled) line += ` (accuracy ${formatPercent(accuracyOf(predictions.classes, data.labels))} against its labels)`;
      if (notAModel !== null) line += " [DIVERGED RUN: not a trained model]";
      process.stdout.write(line + "\n");
    });
}
