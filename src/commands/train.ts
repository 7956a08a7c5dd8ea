import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { loadConfig } from "../config/load.js";
import { parseSetting } from "../config/overrides.js";
import { createLogger } from "../core/log.js";
import { runTraining } from "../coordinator/run-controller.js";
import { addConfigFlags, configOverrides, setOption } from "./config-flags.js";
import { LOCAL_RUN_FLAGS, reportTrainingResult, RUN_CONFIG_FLAGS, SET_DESCRIPTION } from "./run-options.js";
import { isVerbose } from "./verbose.js";

/** The config `ringtrain train` runs when none is given. */
export const DEFAULT_CONFIG = fileURLToPath(new URL("../../configs/mlp-128-64.json", import.meta.url));

const TRAIN_CONFIG_FLAGS = [...LOCAL_RUN_FLAGS, ...RUN_CONFIG_FLAGS];

/** `train`'s flags other than the config's (those are read through {@link TRAIN_CONFIG_FLAGS}). */
interface TrainFlags {
  allowGpuSharing: boolean;
  set: string[];
}

/** `ringtrain train [config]`: a local run on N forked workers. */
export function registerTrainCommand(program: Command): void {
  const command = program
    .command("train")
    .description("train a model on N local worker processes and write runs/<run-id>/")
    .argument("[config]", "a JSON config file (default: configs/mlp-128-64.json, the MLP 784-128-64-10)");
  addConfigFlags(command, TRAIN_CONFIG_FLAGS)
    .addOption(setOption(SET_DESCRIPTION))
    .option("--allow-gpu-sharing", "on a GPU host, allow more workers than GPUs (workers then share devices round-robin)", false)
    .action(async (configPath: string | undefined, flags: TrainFlags, self: Command) => {
      const config = await loadConfig(configPath ?? DEFAULT_CONFIG, [...configOverrides(self, TRAIN_CONFIG_FLAGS), ...flags.set.map(parseSetting)]);
      const verbose = isVerbose(self);
      const logger = createLogger({ level: verbose ? "debug" : "info" });
      const result = await runTraining({ config, logger, progress: process.stderr.isTTY, verbose, allowGpuSharing: flags.allowGpuSharing });
      reportTrainingResult(result, logger);
    });
}
