/**
 * Helpers the benchmarks share: flag parsing with `--help`, size arguments,
 * size labels and the median they report.
 */
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { errorMessage } from "../core/errors.js";

/** One flag of a benchmark: a node:util parseArgs option, with what `--help` says about it. */
export interface BenchOption {
  type: "string" | "boolean";
  default?: string | boolean;
  /** the value's placeholder in `--help`, e.g. `N` or `2,3,4` (string flags; default `VALUE`) */
  value?: string;
  description: string;
}

/** A benchmark's command line, as its `--help` shows it. */
export interface BenchArgsConfig<O extends Record<string, BenchOption>> {
  /** the usage line after `Usage: `, e.g. `node dist/bench/allreduce.js [options]` */
  usage: string;
  /** what the benchmark does, under the usage line */
  summary: string;
  options: O;
  /** default: false (an argument that is not a flag is an error) */
  allowPositionals?: boolean;
  /** default: process.argv.slice(2) */
  args?: string[];
}

/**
 * Every benchmark's flag parsing: `parseArgs` of node:util in strict mode, plus
 * `-h, --help`, which prints the usage, the summary and each flag with its
 * default, then exits 0. A command line it cannot parse (an unknown flag, a
 * missing value) exits 2 with one line that, for an unknown flag, lists the
 * known ones (docs/design.md, "Conventions": unknown names list the known ones).
 */
export function parseBenchArgs<O extends Record<string, BenchOption>>(config: BenchArgsConfig<O>) {
  const args = config.args ?? process.argv.slice(2);
  const beforeTerminator = args.includes("--") ? args.slice(0, args.indexOf("--")) : args;
  if (beforeTerminator.includes("--help") || beforeTerminator.includes("-h")) {
    process.stdout.write(benchHelp(config));
    process.exit(0);
  }
  try {
    return parseArgs({ args, options: config.options, strict: true, allowPositionals: config.allowPositionals ?? false });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS_")) throw e;
    const known = code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? `; known flags: ${[...Object.keys(config.options).map((flag) => `--${flag}`), "--help"].join(", ")}` : "";
    process.stderr.write(`${basename(process.argv[1] ?? "bench")}: ${errorMessage(e)}${known}\n(run with --help for usage)\n`);
    process.exit(2);
  }
}

/** The text `--help` prints. */
export function benchHelp(config: BenchArgsConfig<Record<string, BenchOption>>): string {
  const rows = Object.entries(config.options).map(([name, o]) => {
    const flag = o.type === "string" ? `--${name} <${o.value ?? "VALUE"}>` : `--${name}`;
    const shown = o.default === undefined || o.default === false ? "" : ` (default: ${String(o.default)})`;
    return [flag, `${o.description}${shown}`] as const;
  });
  rows.push(["-h, --help", "print this help and exit"]);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [`Usage: ${config.usage}`, "", config.summary, "", "Options:", ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`), ""].join("\n");
}

/** The integer value `text` of `--<flag>`, at least `min`. */
export function integerArg(flag: string, text: string, min: number): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${flag} takes an integer of at least ${min}, got ${text}`);
  return v;
}

/** A size argument (`4K`, `436K`, `16M`, `1GiB`, `512`) in bytes; binary multiples. */
export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)i?B?$/i.exec(s.trim());
  if (!m) throw new Error(`bad size "${s}": expected e.g. 4K, 436K, 16M`);
  const mult = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[(m[2] ?? "").toUpperCase() as "" | "K" | "M" | "G"];
  return Math.round(Number(m[1]) * mult);
}

/** A comma-separated list of sizes (`4K,64K,16M`) in bytes, each as {@link parseSize} reads it. */
export function parseSizes(list: string): number[] {
  return list.split(",").map(parseSize);
}

/** `16 MiB`, `436 KiB`: the size column of the benchmark tables. */
export function fmtSize(b: number): string {
  return b >= 1 << 20 ? `${b / (1 << 20)} MiB` : `${b / 1024} KiB`;
}

/** The median of `xs` (not modified); NaN for an empty array. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
