import { InvalidArgumentError } from "commander";

/** Commander argument parsers: each names its flag and what it received. */
export function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${flag} expects a positive integer, got '${value}'`);
    return n;
  };
}

export function nonNegativeInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${flag} expects a non-negative integer, got '${value}'`);
    return n;
  };
}

export function finiteNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n)) throw new InvalidArgumentError(`${flag} expects a number, got '${value}'`);
    return n;
  };
}

export function batchSize(value: string): number | "full" {
  if (value === "full") return "full";
  return positiveInt("--batch-size")(value);
}
