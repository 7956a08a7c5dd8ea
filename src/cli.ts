#!/usr/bin/env node
import * as tf from "@tensorflow/tfjs";
import { Command } from "commander";
import { registerCoordinatorCommand } from "./commands/coordinator.js";
import { registerAugmentPreviewCommand } from "./commands/augment-preview.js";
import { registerPredictCommand } from "./commands/predict.js";
import { registerReportCommand } from "./commands/report.js";
import { registerSweepCommand } from "./commands/sweep.js";
import { registerTrainCommand } from "./commands/train.js";
import { registerWorkerCommand } from "./commands/worker.js";
import { isRingtrainError, RingtrainError } from "./core/errors.js";

// Production mode: skips tfjs debug checks and its console banner, which would
// corrupt the JSON log stream on stdout.
tf.enableProdMode();

const program = new Command()
  .name("ringtrain")
  .description("Distributed data-parallel training of MNIST classifiers: tfjs workers summing gradients with a ring allreduce over ZeroMQ")
  // the one --verbose: given before or after a command's name, commands read it with isVerbose (commands/verbose.ts)
  .option("--verbose", "print stack traces, debug logs and worker output", false)
  // every command's --help lists --verbose too; set before the commands are added, which copy it
  .configureHelp({ showGlobalOptions: true })
  .showHelpAfterError("(run with --help for usage)")
  .exitOverride();

// one file per command in src/commands/
registerTrainCommand(program);
registerWorkerCommand(program);
registerPredictCommand(program);
registerAugmentPreviewCommand(program);
registerCoordinatorCommand(program);
registerReportCommand(program);
registerSweepCommand(program);

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
    const verbose = program.getOptionValue("verbose") === true;
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
