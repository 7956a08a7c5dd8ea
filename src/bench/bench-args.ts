/**
 * Helpers the allreduce benchmarks share: size arguments, size labels and the
 * median they report.
 */

/** A size argument (`4K`, `436K`, `16M`, `1GiB`, `512`) in bytes; binary multiples. */
export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)i?B?$/i.exec(s.trim());
  if (!m) throw new Error(`bad size "${s}": expected e.g. 4K, 436K, 16M`);
  const mult = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[(m[2] ?? "").toUpperCase() as "" | "K" | "M" | "G"];
  return Math.round(Number(m[1]) * mult);
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
