#!/usr/bin/env node
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { Command, InvalidArgumentError, Option } from "commander";
import { BACKEND_NAMES, type BackendName } from "./common/compute/backend.js";
import { loadConfig } from "./common/config/load.js";
import { isRingtrainError, RingtrainError } from "./common/errors.js";
import { createLogger } from "./common/log.js";
import { runTraining } from "./coordinator/run-controller.js";
import { formatSummary } from "./coordinator/summary-text.js";
import { runWorker } from "./worker/main.js";

/** The config `ringtrain train` runs when none is given. */
export const DEFAULT_CONFIG = fileURLToPath(new URL("../configs/mlp-128-64.json", import.meta.url));

function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${flag} expects a positive integer, got '${value}'`);
    return n;
  };
}
function nonNegativeInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${flag} expects a non-negative integer, got '${value}'`);
    return n;
  };
}
function finiteNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n)) throw new InvalidArgumentError(`${flag} expects a number, got '${value}'`);
    return n;
  };
}
function batchSize(value: string): number | "full" {
  if (value === "full") return "full";
  return positiveInt("--batch-size")(value);
}

// Production mode: skips tfjs debug checks and its console banner, which would
// corrupt the JSON log stream on stdout.
tf.enableProdMode();

let verbose = false;

const program = new Command()
  .name("ringtrain")
  .description("Distributed data-parallel training of MNIST classifiers: tfjs workers summing gradients with a ring allreduce over ZeroMQ")
  .option("--verbose", "print stack traces and worker output", false)
  .hook("preAction", (cmd) => {
    verbose = cmd.opts<{ verbose: boolean }>().verbose;
  })
  .showHelpAfterError("(run with --help for usage)")
  .exitOverride();

program
  .command("train")
  .description("train a model on N local worker processes and write runs/<run-id>/")
  .argument("[config]", "a JSON config file (default: configs/mlp-128-64.json, the MLP 784-128-64-10)")
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
  .option("--verbose", "print stack traces and worker output", false)
  .action(async (configPath: string | undefined, flags: Record<string, unknown>) => {
    verbose ||= flags.verbose === true;
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
    });
    const logger = createLogger({ level: verbose ? "debug" : "info" });
    const result = await runTraining({ config, logger, progress: process.stderr.isTTY, verbose });
    if (process.stdout.isTTY) process.stdout.write(formatSummary(result.summary, result.runDir));
    else logger.info({ summary: result.summary, runDir: result.runDir }, "summary");
  });

program
  .command("worker")
  .description("run one worker process (started by `ringtrain train`; by hand for multi-node runs)")
  .requiredOption("--coordinator <endpoint>", "the coordinator's control endpoint, e.g. tcp://10.0.0.1:29500")
  .requiredOption("--rank <n>", "this worker's rank", nonNegativeInt("--rank"))
  .requiredOption("--world-size <n>", "number of workers in the run", positiveInt("--world-size"))
  .option("--bind <endpoint>", "where to bind the data-plane socket", "tcp://127.0.0.1:*")
  .addOption(new Option("--backend <name>", "compute backend").choices(BACKEND_NAMES).default("auto"))
  .option("--rendezvous-timeout <ms>", "bound on waiting for the plan and the initial weights", positiveInt("--rendezvous-timeout"), 120_000)
  .option("--allreduce-timeout <ms>", "bound on each allreduce phase", positiveInt("--allreduce-timeout"), 30_000)
  .action(async (flags: { coordinator: string; rank: number; worldSize: number; bind: string; backend: BackendName; rendezvousTimeout: number; allreduceTimeout: number }) => {
    if (process.send !== undefined) {
      // a locally forked worker exits when its coordinator dies instead of lingering,
      // and leaves Ctrl-C (sent to the whole process group) to the coordinator
      process.on("disconnect", () => process.exit(1));
      process.on("SIGINT", () => undefined);
    }
    process.exitCode = await runWorker({
      coordinator: flags.coordinator,
      rank: flags.rank,
      worldSize: flags.worldSize,
      dataBind: flags.bind,
      backend: flags.backend,
      rendezvousMs: flags.rendezvousTimeout,
      allreduceMs: flags.allreduceTimeout,
    });
    // leave quietly: our own disconnect must not trigger the orphan exit above
    process.removeAllListeners("disconnect");
    if (process.connected) process.disconnect();
  });

/** 2 for usage errors, 130 for an interrupted run (as shells report Ctrl-C), 1 otherwise. */
function exitCodeOf(e: unknown): number {
  if (!(e instanceof RingtrainError)) return 1;
  if (e.code === "USAGE") return 2;
  if (e.code === "INTERRUPTED") return 130;
  return 1;
}

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "commander.helpDisplayed" || code === "commander.version" || code === "commander.help") process.exit(0);
    if (typeof code === "string" && code.startsWith("commander.")) process.exit(2);
    if (isRingtrainError(e)) {
      process.stderr.write(`ringtrain: error [${e.code}]: ${e.message}\n`);
      if (verbose && e.stack !== undefined) process.stderr.write(e.stack + "\n");
    } else {
      process.stderr.write(`ringtrain: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      if (verbose && e instanceof Error && e.stack !== undefined) process.stderr.write(e.stack + "\n");
      else process.stderr.write("(run with --verbose for the stack trace)\n");
    }
    process.exit(exitCodeOf(e));
  }
}

await main();
