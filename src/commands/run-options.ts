import type { Logger } from "pino";
import { BACKEND_NAMES } from "../compute/backend-names.js";
import { setOptimizerField } from "../config/overrides.js";
import type { TrainingResult } from "../coordinator/run-controller.js";
import { formatSummary } from "../runs/summary-text.js";
import type { ConfigFlag } from "./config-flags.js";
import { batchSize, finiteNumber, nonNegativeInt, positiveInt } from "./parsers.js";

/** `-d, --dataset`: also `augment-preview`'s. */
export const DATASET_FLAG: ConfigFlag = {
  flags: "-d, --dataset <name|path>",
  description: "mnist, fashion-mnist, a directory of IDX files or of a Kaggle train.csv, or a .csv file",
  path: "dataset",
};

/**
 * The run-config flags of the commands that run training (`train`,
 * `coordinator`), applied in this order: `--optimizer` before `--lr`, so a
 * different optimizer starts from its own defaults and `--lr` then sets its rate.
 */
export const RUN_CONFIG_FLAGS: readonly ConfigFlag[] = [
  DATASET_FLAG,
  { flags: "-b, --batch-size <n|full>", description: "global (effective) batch size, split across workers; 'full' = whole training set", path: "batchSize", parse: batchSize },
  {
    flags: "--optimizer <name>",
    description: "sgd, adam, rmsprop or adagrad (hyperparameters from the config or the defaults)",
    path: "optimizer.name",
    apply: setOptimizerField,
  },
  { flags: "--lr <rate>", description: "learning rate", path: "optimizer.learningRate", parse: finiteNumber("--lr"), apply: setOptimizerField },
  { flags: "-e, --epochs <n>", description: "number of epochs", path: "epochs", parse: positiveInt("--epochs") },
  { flags: "--seed <n>", description: "run seed: data order, initial weights", path: "seed", parse: nonNegativeInt("--seed") },
  { flags: "--backend <name>", description: "compute backend", path: "backend", choices: BACKEND_NAMES },
  { flags: "--train-limit <n>", description: "use only the first n training samples", path: "trainLimit", parse: positiveInt("--train-limit") },
  { flags: "--test-limit <n>", description: "use only the first n test samples", path: "testLimit", parse: positiveInt("--test-limit") },
  { flags: "--runs-dir <dir>", description: "where run directories are written (default: runs)", path: "runsDir" },
];

/** `train`'s flags for its local workers, before {@link RUN_CONFIG_FLAGS}. */
export const LOCAL_RUN_FLAGS: readonly ConfigFlag[] = [
  { flags: "-w, --workers <n>", description: "number of local worker processes", path: "workers", parse: positiveInt("--workers") },
  { flags: "--transport <kind>", description: "data plane between local workers", path: "transport", choices: ["ipc", "tcp"] },
];

/** `--set`'s help on the commands that run training. */
export const SET_DESCRIPTION =
  "set any run-config field, applied after the other flags (repeatable; the value is JSON, else a string): e.g. --set optimizer.momentum=0.9 --set 'model.hidden=[256,128]'";

/** A finished run's summary: a table on a TTY, else the final `"msg":"summary"` JSON log line. */
export function reportTrainingResult(result: TrainingResult, logger: Logger): void {
  if (process.stdout.isTTY) process.stdout.write(formatSummary(result.summary, result.runDir));
  else logger.info({ summary: result.summary, runDir: result.runDir }, "summary");
}
