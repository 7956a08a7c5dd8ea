/**
 * Flags that set run-config fields, each declared once as a table entry (flag,
 * description, parser, config path): the entry gives both the commander option
 * and the override applied to the raw config (config/overrides.ts). The tables
 * are in run-options.ts.
 */
import { Option, type Command } from "commander";
import type { ApplyOverride, ConfigOverride, RunConfigPath } from "../config/overrides.js";

/** One flag that sets a run-config field. */
export interface ConfigFlag {
  /** commander's flags and placeholder, e.g. `-b, --batch-size <n|full>` */
  flags: string;
  description: string;
  /** the field its value sets */
  path: RunConfigPath;
  /** parses the flag's text, throwing commander's InvalidArgumentError that names the flag (parsers.ts); default: the text itself */
  parse?: (text: string) => unknown;
  /** the only values allowed (instead of `parse`): the help lists them, and so does the error for another */
  choices?: readonly string[];
  /** how the value is applied, where not by setting `path` alone */
  apply?: ApplyOverride;
}

function optionOf(flag: ConfigFlag): Option {
  const option = new Option(flag.flags, flag.description);
  if (flag.parse !== undefined) option.argParser(flag.parse);
  if (flag.choices !== undefined) option.choices(flag.choices);
  return option;
}

/** Declares the flags of `table` on `command`, in table order. */
export function addConfigFlags(command: Command, table: readonly ConfigFlag[]): Command {
  for (const flag of table) command.addOption(optionOf(flag));
  return command;
}

/**
 * The overrides that the flags of `table` given on `command`'s line carry, in
 * table order (the order they are applied in); flags not given keep the file's value.
 */
export function configOverrides(command: Command, table: readonly ConfigFlag[]): ConfigOverride[] {
  const overrides: ConfigOverride[] = [];
  for (const flag of table) {
    const option = optionOf(flag);
    const value: unknown = command.getOptionValue(option.attributeName());
    if (value === undefined) continue;
    overrides.push({ path: flag.path, value, source: `${option.long ?? flag.flags} ${typeof value === "string" ? value : JSON.stringify(value)}`, apply: flag.apply });
  }
  return overrides;
}

/**
 * `--set <path=value>`, repeatable: any run-config field, parsed by
 * config/overrides.ts's parseSetting (the same for `train`, `coordinator` and `sweep`).
 */
export function setOption(description: string): Option {
  return new Option("--set <path=value>", description).argParser((value: string, previous: string[]) => [...previous, value]).default([]);
}
