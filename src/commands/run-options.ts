import { Option, type Command } from "commander";
import { BACKEND_NAMES } from "../compute/backend-names.js";
import type { ConfigOverrides } from "../config/load.js";
import type { Logger } from "pino";
import type { TrainingResult } from "../coordinator/run-controller.js";
import { formatSummary } from "../runs/summary-text.js";
import { batchSize, finiteNumber, nonNegativeInt, positiveInt } from "./parsers.js";

/**
 * The config overrides shared by the commands that run training (`train`,
 * `coordinator`): dataset, batch, optimizer, seed, backend, limits, runs dir.
 */
export function addRunConfigOptions(command: Command): Command {
  return command
    .option("-d, --dataset <name|path>", "mnist, fashion-mnist, a directory of IDX files or of a Kaggle train.csv, or a .csv file")
    .option("-b, --batch-size <n|full>", "global (effective) batch size, split across workers; 'full' = whole training set", batchSize)
    .option("--lr <rate>", "learning rate", finiteNumber("--lr"))
    .option("-e, --epochs <n>", "number of epochs", positiveInt("--epochs"))
    .option("--optimizer <name>", "sgd, adam, rmsprop or adagrad (hyperparameters from the config or the defaults)")
    .option("--seed <n>", "run seed: data order, initial weights", nonNegativeInt("--seed"))
    .addOption(new Option("--backend <name>", "compute backend").choices(BACKEND_NAMES))
    .option("--train-limit <n>", "use only the first n training samples", positiveInt("--train-limit"))
    .option("--test-limit <n>", "use only the first n test samples", positiveInt("--test-limit"))
    .option("--runs-dir <dir>", "where run directories are written (default: runs)");
}

/** The overrides the options of {@link addRunConfigOptions} carry (undefined: keep the file's value). */
export function runConfigOverrides(flags: Record<string, unknown>): ConfigOverrides {
  return {
    dataset: flags.dataset as string | undefined,
    batchSize: flags.batchSize as number | "full" | undefined,
    learningRate: flags.lr as number | undefined,
    epochs: flags.epochs as number | undefined,
    optimizer: flags.optimizer as string | undefined,
    seed: flags.seed as number | undefined,
    backend: flags.backend as string | undefined,
    trainLimit: flags.trainLimit as number | undefined,
    testLimit: flags.testLimit as number | undefined,
    runsDir: flags.runsDir as string | undefined,
  };
}

/** A finished run's summary: a table on a TTY, else the final `"msg":"summary"` JSON log line. */
export function reportRunResult(result: TrainingResult, logger: Logger): void {
  if (process.stdout.isTTY) process.stdout.write(formatSummary(result.summary, result.runDir));
  else logger.info({ summary: result.summary, runDir: result.runDir }, "summary");
}
