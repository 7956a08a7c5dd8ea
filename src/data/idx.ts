/**
 * IDX files (the MNIST family's format), raw or gzipped.
 *
 * Layout: bytes 0–1 are zero, byte 2 is the element type (only 0x08, uint8, is
 * supported: every MNIST-family file uses it), byte 3 the number of dimensions
 * n; then n big-endian uint32 sizes; then the elements, row-major. A file must be
 * exactly 4 + 4·n + prod(sizes) bytes long: a truncated download or a file with
 * trailing garbage is rejected here, at the boundary, rather than surfacing as a
 * wrong image later.
 */
import { promisify } from "node:util";
import { gzip as gzipCb } from "node:zlib";
import { RingtrainError } from "../core/errors.js";
import { writeFileAtomic } from "../core/file-writes.js";
import { readMaybeGzipped } from "./gzip-file.js";

const gzip = promisify(gzipCb);

/** The decoded contents of an IDX file. */
export interface IdxArray {
  /** Sizes of each dimension, outermost first (e.g. [60000, 28, 28]). */
  dims: number[];
  /** The elements, row-major; length is the product of `dims`. */
  data: Uint8Array;
}

/** IDX element type code for unsigned bytes, the only one supported. */
export const IDX_UINT8 = 0x08;

const IDX_TYPE_NAMES: Record<number, string> = {
  0x08: "uint8",
  0x09: "int8",
  0x0b: "int16",
  0x0c: "int32",
  0x0d: "float32",
  0x0e: "float64",
};

const MAX_DIMS = 4;

function invalid(path: string, what: string): RingtrainError {
  return new RingtrainError("DATA_INVALID", `${path}: ${what}`);
}

function hex(b: number): string {
  return `0x${b.toString(16).padStart(2, "0")}`;
}

/**
 * Decodes IDX bytes (already gunzipped). `path` only names the source in errors.
 *
 * @throws RingtrainError DATA_INVALID on a bad magic, an unsupported element
 *   type, a dimension count outside 1..4, or a length that disagrees with the header.
 */
export function decodeIdx(bytes: Uint8Array, path: string): IdxArray {
  if (bytes.length < 4) {
    throw invalid(path, `truncated: ${bytes.length} bytes, expected at least a 4-byte IDX magic`);
  }
  const b0 = bytes[0] as number;
  const b1 = bytes[1] as number;
  const type = bytes[2] as number;
  const ndims = bytes[3] as number;
  if (b0 !== 0 || b1 !== 0) {
    throw invalid(
      path,
      `not an IDX file: magic starts with ${hex(b0)} ${hex(b1)}, expected 0x00 0x00 (is it compressed with something other than gzip?)`,
    );
  }
  if (type !== IDX_UINT8) {
    const name = IDX_TYPE_NAMES[type];
    throw invalid(
      path,
      `unsupported IDX element type ${hex(type)}${name === undefined ? " (unknown)" : ` (${name})`}; only ${hex(IDX_UINT8)} (uint8) is supported`,
    );
  }
  if (ndims < 1 || ndims > MAX_DIMS) {
    throw invalid(path, `IDX header has ${ndims} dimensions, expected 1 to ${MAX_DIMS}`);
  }
  const headerLen = 4 + 4 * ndims;
  if (bytes.length < headerLen) {
    throw invalid(path, `truncated: header declares ${ndims} dimensions (${headerLen} header bytes), file has ${bytes.length} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const shape = dims.join("×");
  if (!Number.isSafeInteger(count)) {
    throw invalid(path, `IDX header dimensions ${shape} are too large`);
  }
  const payload = bytes.length - headerLen;
  if (payload < count) {
    throw invalid(
      path,
      `truncated: header says ${shape} = ${count} bytes of data, file has ${payload} after the ${headerLen}-byte header`,
    );
  }
  if (payload > count) {
    throw invalid(
      path,
      `${payload - count} trailing bytes: header says ${shape} = ${count} bytes of data, file has ${payload} after the ${headerLen}-byte header`,
    );
  }
  return { dims, data: bytes.subarray(headerLen) };
}

/**
 * Reads an IDX file, raw or gzipped (detected by the 1f 8b magic, whatever the
 * file name). The returned `data` is a view into a buffer owned by the caller
 * from now on.
 *
 * @throws RingtrainError DATA_INVALID when the file is missing or unreadable,
 *   the gzip stream is corrupt, or the IDX contents are malformed (see {@link decodeIdx}).
 */
export async function readIdxFile(path: string): Promise<IdxArray> {
  return decodeIdx(await readMaybeGzipped(path), path);
}

/** Encodes `arr` as uint8 IDX bytes. @throws RingtrainError INTERNAL when dims and data disagree. */
export function encodeIdx(arr: IdxArray): Uint8Array {
  const { dims, data } = arr;
  if (dims.length < 1 || dims.length > MAX_DIMS) {
    throw new RingtrainError("INTERNAL", `encodeIdx: ${dims.length} dimensions, expected 1 to ${MAX_DIMS}`);
  }
  let count = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0 || d > 0xffffffff) {
      throw new RingtrainError("INTERNAL", `encodeIdx: dimension ${d} is not a uint32`);
    }
    count *= d;
  }
  if (count !== data.length) {
    throw new RingtrainError("INTERNAL", `encodeIdx: dims ${dims.join("×")} = ${count} elements, data has ${data.length}`);
  }
  const headerLen = 4 + 4 * dims.length;
  const out = new Uint8Array(headerLen + count);
  const view = new DataView(out.buffer);
  out[2] = IDX_UINT8;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, headerLen);
  return out;
}

/**
 * Writes `arr` as a uint8 IDX file, gzipped when `opts.gzip` is set, replacing `path` atomically.
 *
 * @throws RingtrainError INTERNAL when dims and data disagree; FILE_SYSTEM naming `path` when it cannot be written.
 */
export async function writeIdxFile(path: string, arr: IdxArray, opts: { gzip?: boolean } = {}): Promise<void> {
  const bytes = encodeIdx(arr);
  await writeFileAtomic(path, opts.gzip === true ? await gzip(bytes) : bytes, "the IDX file");
}
