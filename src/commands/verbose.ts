import type { Command } from "commander";

/**
 * Whether the program-level `--verbose` (src/cli.ts) was given, before or
 * after the command's name (`ringtrain --verbose train`, `ringtrain train --verbose`).
 */
export function isVerbose(command: Command): boolean {
  return command.optsWithGlobals().verbose === true;
}
