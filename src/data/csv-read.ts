/**
 * Kaggle "Digit Recognizer" CSV files, read into a {@link Dataset}.
 *
 * Two forms, told apart by the header:
 * - labelled (`train.csv`): `label,pixel0,...,pixelN-1`, then one row per image;
 * - unlabelled (`test.csv`): `pixel0,...,pixelN-1`, for prediction only.
 *
 * N must be a perfect square: images are √N×√N×1 (784 → 28×28). Pixels are
 * integers 0..255, labels integers below the class count. Anything else — a
 * wrong column count, a blank line in the middle, `12.0`, `-1`, `256`, an empty
 * file, a misspelt header — is a DATA_INVALID error naming the file and the
 * line; no row is ever skipped. Blank lines at the very end are allowed (they
 * hold no data). A UTF-8 byte-order mark, CRLF line ends and a gzipped file
 * (detected by its magic) are accepted.
 *
 * The parser scans bytes of the whole file held in memory (Kaggle's train.csv:
 * 73 MB, 42k rows); the hot loop only detects that a row is wrong, and a slow
 * path re-reads that one line as text to say exactly how.
 */
import { RingtrainError } from "../core/errors.js";
import type { Dataset } from "./dataset.js";
import { readMaybeGzipped } from "./gzip-file.js";

/**
 * A dataset read from a Kaggle CSV. `labelled` is false for the unlabelled
 * (`test.csv`) form: its `labels` are then all 0 and mean nothing, so such a
 * dataset is for prediction only — never train or evaluate on it
 * ({@link loadDataset} refuses it for that reason).
 */
export interface KaggleCsvDataset extends Dataset {
  labelled: boolean;
}

export interface ReadKaggleCsvOptions {
  /** Labels must be below this; default 10. At most 256 (labels are uint8). */
  numClasses?: number;
  /** Keep only the first `limit` rows; rows after them are not parsed (nor checked). */
  limit?: number;
  /** `Dataset.name`; default the file path. */
  name?: string;
  /** `Dataset.split`; default "train" when labelled, "test" when not. */
  split?: "train" | "test";
}

const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const ZERO = 0x30;

function invalid(path: string, what: string): RingtrainError {
  return new RingtrainError("DATA_INVALID", `${path}: ${what}`);
}

/** The header's meaning: whether a label column comes first, and the image side. */
interface CsvHeader {
  labelled: boolean;
  pixelCount: number;
  side: number;
}

function describeExpectedHeader(labelled: boolean): string {
  return `"${labelled ? "label," : ""}pixel0,pixel1,...,pixel783" (Kaggle Digit Recognizer ${labelled ? "train.csv" : "test.csv"})`;
}

function clip(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

function parseHeader(line: string, path: string): CsvHeader {
  const fields = line.split(",");
  const first = fields[0] ?? "";
  if (first !== "label" && first !== "pixel0") {
    // Neither form: say what either header must be, not only the test.csv one.
    const problem = /^[0-9]+$/.test(first)
      ? `line 1 is a row of numbers ("${clip(line, 30)}"), not a header`
      : `line 1 (header), column 1 is "${clip(first)}", expected "label" or "pixel0"`;
    throw invalid(path, `${problem}; a labelled file (for training) must start with the header ${describeExpectedHeader(true)}, an unlabelled one (for predictions) with ${describeExpectedHeader(false)}`);
  }
  const labelled = first === "label";
  const pixels = labelled ? fields.slice(1) : fields;
  for (let i = 0; i < pixels.length; i++) {
    const got = pixels[i] as string;
    if (got !== `pixel${i}`) {
      throw invalid(
        path,
        `line 1 (header), column ${i + (labelled ? 2 : 1)} is "${clip(got)}", expected "pixel${i}"; the header must be ${describeExpectedHeader(labelled)}`,
      );
    }
  }
  const n = pixels.length;
  const side = Math.round(Math.sqrt(n));
  if (n === 0 || side * side !== n) {
    throw invalid(
      path,
      `line 1 (header) names ${n} pixel columns, which is not a perfect square, so the images cannot be square (784 = 28×28 for MNIST)`,
    );
  }
  return { labelled, pixelCount: n, side };
}

/** Slow path: re-reads line `lineNo` (starting at byte `start`) as text and says what is wrong with it. */
function diagnoseRow(
  bytes: Uint8Array,
  start: number,
  lineNo: number,
  header: CsvHeader,
  numClasses: number,
  path: string,
): RingtrainError {
  let end = bytes.indexOf(LF, start);
  if (end < 0) end = bytes.length;
  let text = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("utf8");
  if (text.endsWith("\r")) text = text.slice(0, -1);
  const where = `line ${lineNo}`;
  if (text.length === 0) {
    return invalid(path, `${where} is empty; expected a row of ${header.labelled ? "a label and " : ""}${header.pixelCount} pixels (remove the blank line)`);
  }
  const fields = text.split(",");
  const cols = header.pixelCount + (header.labelled ? 1 : 0);
  if (fields.length !== cols) {
    return invalid(
      path,
      `${where} has ${fields.length} columns, expected ${cols} (${header.labelled ? "label + " : ""}${header.pixelCount} pixels, as in the header)`,
    );
  }
  for (let c = 0; c < fields.length; c++) {
    const f = fields[c] as string;
    const isLabel = header.labelled && c === 0;
    const name = isLabel ? "label" : `pixel${c - (header.labelled ? 1 : 0)}`;
    const max = isLabel ? numClasses - 1 : 255;
    if (!/^[0-9]+$/.test(f) || Number(f) > max) {
      const expected = isLabel ? `an integer class 0..${max} (${numClasses} classes)` : "an integer 0..255";
      return invalid(path, `${where}, column ${c + 1} (${name}) is "${clip(f)}"; expected ${expected}`);
    }
  }
  return new RingtrainError("INTERNAL", `${path}: ${where} was rejected by the CSV scanner but looks valid: "${clip(text)}"`);
}

/**
 * Parses the bytes of a Kaggle CSV (already gunzipped). `path` only names the
 * source in errors. The returned arrays are fresh (owned by the caller).
 * Synchronous; about one pass over the bytes.
 *
 * @throws RingtrainError DATA_INVALID on an empty file, a bad header or a bad
 *   row (see the file comment), naming `path` and the 1-based line;
 *   CONFIG_INVALID on a bad `numClasses` or `limit`.
 */
export function parseKaggleCsv(bytes: Uint8Array, path: string, opts: ReadKaggleCsvOptions = {}): KaggleCsvDataset {
  const numClasses = opts.numClasses ?? 10;
  if (!(Number.isInteger(numClasses) && numClasses >= 1 && numClasses <= 256)) {
    throw new RingtrainError("CONFIG_INVALID", `${path}: numClasses is ${numClasses}; expected an integer 1..256`);
  }
  if (opts.limit !== undefined && !(Number.isInteger(opts.limit) && opts.limit >= 1)) {
    throw new RingtrainError("CONFIG_INVALID", `${path}: limit is ${opts.limit}; expected a positive integer`);
  }
  let pos = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) pos = 3; // UTF-8 BOM (Excel)
  let headerEnd = bytes.indexOf(LF, pos);
  if (headerEnd < 0) headerEnd = bytes.length;
  const headerText = Buffer.from(bytes.buffer, bytes.byteOffset + pos, headerEnd - pos)
    .toString("utf8")
    .replace(/\r$/, "");
  if (headerText.trim().length === 0) {
    throw invalid(
      path,
      bytes.length === 0 ? `empty file; expected a header line ${describeExpectedHeader(true)} and rows` : `line 1 is blank; expected a header ${describeExpectedHeader(true)}`,
    );
  }
  const header = parseHeader(headerText, path);
  const { labelled, pixelCount } = header;
  const end = bytes.length;
  pos = Math.min(headerEnd + 1, end);

  // Upper bound on rows: one per line feed, plus an unterminated last line.
  let maxRows = 0;
  for (let p = bytes.indexOf(LF, pos); p >= 0; p = bytes.indexOf(LF, p + 1)) maxRows++;
  if (end > pos && bytes[end - 1] !== LF) maxRows++;
  if (opts.limit !== undefined) maxRows = Math.min(maxRows, opts.limit);

  const pixels = new Uint8Array(maxRows * pixelCount);
  const labels = new Uint8Array(maxRows);
  let rows = 0;
  let lineNo = 1;
  while (rows < maxRows && pos < end) {
    lineNo++;
    const rowStart = pos;
    const first = bytes[pos] as number;
    if (first === LF || first === CR) {
      // A blank line: fine only if nothing but blank lines follows.
      let q = pos;
      while (q < end && (bytes[q] === LF || bytes[q] === CR)) q++;
      if (q === end) break;
      throw diagnoseRow(bytes, rowStart, lineNo, header, numClasses, path);
    }
    let p = pos;
    let ok = true;
    if (labelled) {
      let v = 0;
      let digits = 0;
      for (; p < end; p++) {
        const d = (bytes[p] as number) - ZERO;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
        digits++;
        if (v >= numClasses) break;
      }
      if (digits === 0 || v >= numClasses || bytes[p] !== COMMA) ok = false;
      else {
        labels[rows] = v;
        p++;
      }
    }
    const base = rows * pixelCount;
    for (let c = 0; ok && c < pixelCount; c++) {
      let v = 0;
      let digits = 0;
      for (; p < end; p++) {
        const d = (bytes[p] as number) - ZERO;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
        digits++;
        if (v > 255) break;
      }
      if (digits === 0 || v > 255) {
        ok = false;
        break;
      }
      pixels[base + c] = v;
      if (c < pixelCount - 1) {
        if (bytes[p] !== COMMA) ok = false;
        else p++;
      } else if (p < end) {
        const b = bytes[p];
        if (b === LF) p++;
        else if (b === CR && bytes[p + 1] === LF) p += 2;
        else ok = false;
      }
    }
    if (!ok) throw diagnoseRow(bytes, rowStart, lineNo, header, numClasses, path);
    pos = p;
    rows++;
  }
  if (rows === 0) {
    throw invalid(path, `no data rows after the header; expected at least one row of ${labelled ? "a label and " : ""}${pixelCount} pixels`);
  }
  return {
    name: opts.name ?? path,
    split: opts.split ?? (labelled ? "train" : "test"),
    count: rows,
    height: header.side,
    width: header.side,
    channels: 1,
    numClasses,
    pixels: rows === maxRows ? pixels : pixels.subarray(0, rows * pixelCount),
    labels: rows === maxRows ? labels : labels.subarray(0, rows),
    labelled,
  };
}

/**
 * Reads a Kaggle Digit Recognizer CSV (`train.csv` or `test.csv`, optionally
 * gzipped) into memory. The whole file is read at once (train.csv: 73 MB, freed
 * after parsing); see {@link parseKaggleCsv} for the rules.
 *
 * @throws RingtrainError DATA_INVALID when the file is missing, unreadable,
 *   corrupt gzip, or malformed (naming the file and line).
 */
export async function readKaggleCsv(path: string, opts: ReadKaggleCsvOptions = {}): Promise<KaggleCsvDataset> {
  return parseKaggleCsv(await readMaybeGzipped(path), path, opts);
}
