/**
 * Reading the files of a run or sweep directory that may be absent: a missing
 * file reads as null (a JSON-lines file as no lines), one that exists but
 * cannot be read or parsed is a DATA_INVALID error naming the file (and the
 * line). What the parsed values must hold is checked by the caller
 * (`read-run.ts` with the schemas of `records.ts`).
 */
import { readFile, stat } from "node:fs/promises";
import { withoutByteOrderMark } from "../core/byte-order-mark.js";
import { errorMessage, RingtrainError } from "../core/errors.js";

/** `read(path)`, or null when the file does not exist. */
async function unlessAbsent<T>(path: string, read: (path: string) => Promise<T>): Promise<T | null> {
  try {
    return await read(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new RingtrainError("DATA_INVALID", `cannot read ${path}: ${errorMessage(e)}`);
  }
}

/**
 * A file's modification time, or null when it does not exist.
 *
 * @throws RingtrainError DATA_INVALID when it exists but cannot be read.
 */
export function mtimeIfPresent(path: string): Promise<number | null> {
  return unlessAbsent(path, async (p) => (await stat(p)).mtimeMs);
}

/**
 * Parses a JSON file, or returns null when it does not exist.
 *
 * @throws RingtrainError DATA_INVALID when it exists but is not a JSON object.
 */
export async function readJsonObject(path: string): Promise<Record<string, unknown> | null> {
  const text = await unlessAbsent(path, (p) => readFile(p, "utf8"));
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(withoutByteOrderMark(text));
  } catch (e) {
    throw new RingtrainError("DATA_INVALID", `${path} is not valid JSON (${errorMessage(e)}); restore it or rerun what wrote it`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RingtrainError("DATA_INVALID", `${path} holds ${Array.isArray(value) ? "an array" : typeof value}; expected a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** One parsed line of a JSON-lines file. */
export interface JsonLine {
  /** 1-based line number in the file */
  line: number;
  value: unknown;
}

/**
 * The values of a JSON-lines text, blank lines left out. A last line that is
 * not JSON (a run killed while appending it) is left out too; a bad line
 * elsewhere is an error.
 *
 * @param file names the file in errors.
 * @throws RingtrainError DATA_INVALID naming the file and the line.
 */
export function parseJsonLines(text: string, file: string): JsonLine[] {
  const lines = withoutByteOrderMark(text).split("\n").map((source, i) => ({ source, line: i + 1 })).filter((l) => l.source.trim() !== "");
  const out: JsonLine[] = [];
  lines.forEach(({ source, line }, i) => {
    try {
      out.push({ line, value: JSON.parse(source) as unknown });
    } catch (e) {
      if (i === lines.length - 1) return;
      throw new RingtrainError("DATA_INVALID", `${file} line ${line} is not valid JSON (${errorMessage(e)})`);
    }
  });
  return out;
}

/**
 * The values of a JSON-lines file, or none when it does not exist (see {@link parseJsonLines}).
 *
 * @throws RingtrainError DATA_INVALID when it cannot be read or a line other than the last is not JSON.
 */
export async function readJsonLines(path: string): Promise<JsonLine[]> {
  const text = await unlessAbsent(path, (p) => readFile(p, "utf8"));
  return text === null ? [] : parseJsonLines(text, path);
}
