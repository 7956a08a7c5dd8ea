import { fileURLToPath } from "node:url";
import { Option, type Command } from "commander";
import { loadConfig } from "../config/load.js";
import { createLogger } from "../core/log.js";
import { runTraining } from "../coordinator/run-controller.js";
import { cliContext } from "./cli-context.js";
import { positiveInt } from "./parsers.js";
import { addRunConfigOptions, reportRunResult, runConfigOverrides } from "./run-options.js";

/** The config `ringtrain train` runs when none is given. */
export const DEFAULT_CONFIG = fileURLToPath(new URL("../../configs/mlp-128-64.json", import.meta.url));

/** `ringtrain train [config]`: a local run on N forked workers. */
export function registerTrainCommand(program: Command): void {
  const command = program
    .command("train")
    .description("train a model on N local worker processes and write runs/<run-id>/")
    .argument("[config]", "a JSON config file (default: configs/mlp-128-64.json, the MLP 784-128-64-10)")
    .option("-w, --workers <n>", "number of local worker processes", positiveInt("--workers"))
    .addOption(new Option("--transport <kind>", "data plane between local workers").choices(["ipc", "tcp"]));
  addRunConfigOptions(command)
    .option("--allow-gpu-sharing", "on a GPU host, allow more workers than GPUs (workers then share devices round-robin)", false)
    .option("--verbose", "print stack traces and worker output", false)
    .action(async (configPath: string | undefined, flags: Record<string, unknown>) => {
      cliContext.verbose ||= flags.verbose === true;
      const config = await loadConfig(configPath ?? DEFAULT_CONFIG, {
        ...runConfigOverrides(flags),
        workers: flags.workers as number | undefined,
        transport: flags.transport as string | undefined,
      });
      const logger = createLogger({ level: cliContext.verbose ? "debug" : "info" });
      const result = await runTraining({
        config,
        logger,
        progress: process.stderr.isTTY,
        verbose: cliContext.verbose,
        allowGpuSharing: flags.allowGpuSharing === true,
      });
      reportRunResult(result, logger);
    });
}
