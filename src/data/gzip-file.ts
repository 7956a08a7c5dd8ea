/**
 * Reading a data file that may be gzipped: the MNIST family ships gzipped IDX,
 * Kaggle CSVs are often re-compressed by users. Detection is by the gzip magic
 * (1f 8b), whatever the file name.
 */
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { gunzip as gunzipCb } from "node:zlib";
import { RingtrainError, errorMessage } from "../core/errors.js";

const gunzip = promisify(gunzipCb);

/** True when `bytes` start with the gzip magic 1f 8b. */
function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads the whole file at `path` into memory, gunzipped when it starts with the
 * gzip magic. The returned bytes are owned by the caller. Asynchronous.
 *
 * @throws RingtrainError DATA_INVALID naming `path` when the file is missing or
 *   unreadable, or its gzip stream is corrupt (saying to re-download it).
 */
export async function readMaybeGzipped(path: string): Promise<Uint8Array> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (e) {
    const what = (e as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : `cannot read: ${errorMessage(e)}`;
    throw new RingtrainError("DATA_INVALID", `${path}: ${what}`, { cause: e });
  }
  if (!isGzip(raw)) return raw;
  try {
    return await gunzip(raw);
  } catch (e) {
    throw new RingtrainError("DATA_INVALID", `${path}: corrupt gzip stream (${errorMessage(e)}); re-download the file`, { cause: e });
  }
}
