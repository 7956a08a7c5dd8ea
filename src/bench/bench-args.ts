/**
 * Helpers the benchmarks share: flag parsing, size arguments, size labels and
 * the median they report.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { errorMessage } from "../core/errors.js";

/**
 * `parseArgs` of node:util, whose error for an unknown flag also lists the
 * known ones (docs/design.md, "Conventions": unknown names list the known ones).
 */
export function parseBenchArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    if ((e as { code?: unknown }).code !== "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw e;
    const known = Object.keys(config.options ?? {}).map((flag) => `--${flag}`);
    throw new Error(`${errorMessage(e)}; known flags: ${known.join(", ")}`, { cause: e });
  }
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
