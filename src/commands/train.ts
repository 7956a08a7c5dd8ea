import { fileURLToPath } from "node:url";
import { Option, type Command } from "commander";
import { BACKEND_NAMES } from "../common/compute/backend.js";
import { loadConfig } from "../common/config/load.js";
import { createLogger } from "../common/log.js";
import { runTraining } from "../coordinator/run-controller.js";
import { formatSummary } from "../coordinator/summary-text.js";
import { cliContext } from "./cli-context.js";
import { batchSize, finiteNumber, nonNegativeInt, positiveInt } from "./parsers.js";

/** The config `ringtrain train` runs when none is given. */
export const DEFAULT_CONFIG = fileURLToPath(new URL("../../configs/mlp-128-64.json", import.meta.url));

/** `ringtrain train [config]`: a local run on N forked workers. */
export function registerTrainCommand(program: Command): void {
  program
    .command("train")
    .description("train a model on N local worker processes and write runs/<run-id>/")
    .argument("[config]", "a JSON config file (default: configs/mlp-128-64.json, the MLP 784-128-64-10)")
    .option("-d, --dataset <name|path>", "mnist, fashion-mnist, a directory of IDX files or of a Kaggle train.csv, or a .csv file")
    .option("-w, --workers <n>", "number of local worker processes", positiveInt("--workers"))
    .option("-b, --batch-size <n|full>", "global (effective) batch size, split across workers; 'full' = whole training set", batchSize)
    .option("--lr <rate>", "learning rate", finiteNumber("--lr"))
    .option("-e, --epochs <n>", "number of epochs", positiveInt("--epochs"))
    .option("--optimizer <name>", "sgd, adam, rmsprop or adagrad (hyperparameters from the config or the defaults)")
    .option("--seed <n>", "run seed: data order, initial weights", nonNegativeInt("--seed"))
    .addOption(new Option("--backend <name>", "compute backend").choices(BACKEND_NAMES))
    .option("--train-limit <n>", "use only the first n training samples", positiveInt("--train-limit"))
    .option("--test-limit <n>", "use only the first n test samples", positiveInt("--test-limit"))
    .addOption(new Option("--transport <kind>", "data plane between local workers").choices(["ipc", "tcp"]))
    .option("--runs-dir <dir>", "where run directories are written (default: runs)")
    .option("--allow-gpu-sharing", "on a GPU host, allow more workers than GPUs (workers then share devices round-robin)", false)
    .option("--verbose", "print stack traces and worker output", false)
    .action(async (configPath: string | undefined, flags: Record<string, unknown>) => {
      cliContext.verbose ||= flags.verbose === true;
      const config = await loadConfig(configPath ?? DEFAULT_CONFIG, {
        workers: flags.workers as number | undefined,
        batchSize: flags.batchSize as number | "full" | undefined,
        learningRate: flags.lr as number | undefined,
        epochs: flags.epochs as number | undefined,
        optimizer: flags.optimizer as string | undefined,
        seed: flags.seed as number | undefined,
        backend: flags.backend as string | undefined,
        trainLimit: flags.trainLimit as number | undefined,
        testLimit: flags.testLimit as number | undefined,
        transport: flags.transport as string | undefined,
        runsDir: flags.runsDir as string | undefined,
        dataset: flags.dataset as string | undefined,
      });
      const logger = createLogger({ level: cliContext.verbose ? "debug" : "info" });
      const result = await runTraining({
        config,
        logger,
        progress: process.stderr.isTTY,
        verbose: cliContext.verbose,
        allowGpuSharing: flags.allowGpuSharing === true,
      });
      if (process.stdout.isTTY) process.stdout.write(formatSummary(result.summary, result.runDir));
      else logger.info({ summary: result.summary, runDir: result.runDir }, "summary");
    });
}
