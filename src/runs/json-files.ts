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

/** The lines of a JSON-lines file, and the torn last line left out, if any. */
export interface JsonLines {
  lines: JsonLine[];
  /**
   * what to tell the reader about a torn last line that was left out (naming
   * the file and the line), or null when there was none
   */
  warning: string | null;
}

/**
 * The values of a JSON-lines text, blank lines left out. Lines are appended
 * whole, each with its line feed, so a last line without one that is not JSON
 * was cut short (the writer was killed, or the disk filled, while appending
 * it): it is left out, with a warning. Any other line that is not JSON is an error.
 *
 * @param file names the file in errors and warnings.
 * @throws RingtrainError DATA_INVALID naming the file and the line.
 */
export function parseJsonLines(text: string, file: string): JsonLines {
  const all = withoutByteOrderMark(text).split("\n");
  const lines: JsonLine[] = [];
  let warning: string | null = null;
  all.forEach((source, i) => {
    if (source.trim() === "") return;
    try {
      lines.push({ line: i + 1, value: JSON.parse(source) as unknown });
    } catch (e) {
      // the last element of the split is text after the last line feed: an unfinished line
      if (i === all.length - 1) {
        warning = `${file} line ${i + 1} is cut short (${source.length} bytes, no line end: the run was stopped or the disk filled while writing it); it was left out, the ${lines.length} lines before it were read`;
        return;
      }
      throw new RingtrainError("DATA_INVALID", `${file} line ${i + 1} is not valid JSON (${errorMessage(e)})`);
    }
  });
  return { lines, warning };
}

/**
 * The values of a JSON-lines file, or none when it does not exist (see {@link parseJsonLines}).
 *
 * @throws RingtrainError DATA_INVALID when it cannot be read or a line other than a torn last one is not JSON.
 */
export async function readJsonLines(path: string): Promise<JsonLines> {
  const text = await unlessAbsent(path, (p) => readFile(p, "utf8"));
  return text === null ? { lines: [], warning: null } : parseJsonLines(text, path);
}
