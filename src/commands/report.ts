import type { Command } from "commander";
import { createLogger } from "../core/log.js";
import { writeReport } from "../report/write-report.js";
import { cliContext } from "./cli-context.js";

/** `ringtrain report <dir>`: rebuilds a sweep's or a run's report from its saved results, without training. */
export function registerReportCommand(program: Command): void {
  program
    .command("report")
    .description(
      "write report.html (self-contained), report.md and figures/*.png for a sweep or run directory from its saved results, without training: " +
        "results table, learning curves, accuracy against the swept parameters, reference figures, confusion matrix, per-class accuracy and the most confidently wrong test images",
    )
    .argument("<run-or-sweep-dir>", "a sweep directory (runs/<sweep-id>/, holding sweep.json) or a run directory (runs/<run-id>/)")
    .option("--verbose", "print stack traces and debug logs", false)
    .action(async (dir: string, flags: Record<string, unknown>) => {
      cliContext.verbose ||= flags.verbose === true;
      await writeReport(dir, { logger: createLogger({ level: cliContext.verbose ? "debug" : "info" }) });
    });
}
