import type { Command } from "commander";
import { createLogger } from "../core/log.js";
import { writeReport } from "../report/write-report.js";
import { isVerbose } from "./verbose.js";

/** `ringtrain report <dir>`: rebuilds a sweep's or a run's report from its saved results, without training. */
export function registerReportCommand(program: Command): void {
  program
    .command("report")
    .description(
      "write report.html (self-contained), report.md and figures/*.png for a sweep or run directory from its saved results, without training: " +
        "results table, learning curves, accuracy against the swept parameters, reference figures, confusion matrix, per-class accuracy and the most confidently wrong test images",
    )
    .argument("<run-or-sweep-dir>", "a sweep directory (runs/<sweep-id>/, holding sweep.json) or a run directory (runs/<run-id>/)")
    .action(async (dir: string, _flags: unknown, self: Command) => {
      await writeReport(dir, { logger: createLogger({ level: isVerbose(self) ? "debug" : "info" }) });
    });
}
