/**
 * Writes a {@link Dataset} as a Kaggle Digit Recognizer CSV — the labelled
 * `train.csv` form or the unlabelled `test.csv` form — so IDX datasets can be
 * exported to Kaggle's format and read back by {@link readKaggleCsv}.
 *
 * Rows are encoded straight into a reused byte buffer (a table holds the
 * decimal bytes of 0..255) and written in chunks, so exporting MNIST's 60k
 * images never builds millions of strings nor one 100 MB buffer.
 */
import { RingtrainError } from "../core/errors.js";
import { writeFileAtomicWith } from "../core/file-writes.js";
import { sampleSize, type Dataset } from "./dataset.js";
import type { KaggleCsvDataset } from "./csv-read.js";

/** Decimal ASCII of each byte value, e.g. DECIMAL[12] = "12". */
const DECIMAL: readonly Uint8Array[] = Array.from({ length: 256 }, (_, i) => Buffer.from(String(i), "latin1"));

/** Rows encoded per write: bounds the buffer to ROWS_PER_CHUNK × 4 bytes × columns (~3 MB for 28×28). */
const ROWS_PER_CHUNK = 1024;

/** The header line (with its line feed) of a Kaggle CSV with `pixelCount` pixel columns. */
export function kaggleCsvHeader(pixelCount: number, labelled: boolean): string {
  const cols = Array.from({ length: pixelCount }, (_, i) => `pixel${i}`);
  if (labelled) cols.unshift("label");
  return `${cols.join(",")}\n`;
}

export interface WriteKaggleCsvOptions {
  /**
   * Write the `label` column (train.csv form). Default: the dataset's own
   * `labelled` flag when it came from a CSV, else true.
   */
  labelled?: boolean;
}

/**
 * Writes `ds` to `path` (overwriting it) as a Kaggle CSV: header, then one row
 * per sample with integer pixels 0..255 and, when labelled, the label first.
 * `ds` is only read. Asynchronous; `path` is replaced atomically when the
 * promise resolves, and left as it was when it rejects.
 *
 * @throws RingtrainError DATA_INVALID when `ds` is not square single-channel
 *   images (the format can only describe √N×√N×1), or labels are asked for a
 *   dataset that has none (`labelled: false`); FILE_SYSTEM naming `path` when
 *   it cannot be written.
 */
export async function writeKaggleCsv(path: string, ds: Dataset, opts: WriteKaggleCsvOptions = {}): Promise<void> {
  const own = (ds as Partial<KaggleCsvDataset>).labelled;
  const labelled = opts.labelled ?? own ?? true;
  if (ds.channels !== 1 || ds.height !== ds.width) {
    throw new RingtrainError(
      "DATA_INVALID",
      `${ds.name} (${ds.split}): images are ${ds.height}×${ds.width}×${ds.channels}; a Kaggle CSV can only hold square single-channel images`,
    );
  }
  if (labelled && own === false) {
    throw new RingtrainError(
      "DATA_INVALID",
      `${ds.name} (${ds.split}) has no labels (it was read from an unlabelled CSV); write it with labelled: false`,
    );
  }
  const size = sampleSize(ds);
  const { pixels, labels } = ds;
  const buf = Buffer.allocUnsafe(ROWS_PER_CHUNK * 4 * (size + 1));
  await writeFileAtomicWith(path, "the CSV file", async (fh) => {
    // writeFile, not write: it loops until every byte is written (write may write fewer)
    await fh.writeFile(kaggleCsvHeader(size, labelled));
    for (let first = 0; first < ds.count; first += ROWS_PER_CHUNK) {
      const last = Math.min(ds.count, first + ROWS_PER_CHUNK);
      let p = 0;
      for (let i = first; i < last; i++) {
        if (labelled) {
          const d = DECIMAL[labels[i] as number] as Uint8Array;
          buf.set(d, p);
          p += d.length;
          buf[p++] = 0x2c;
        }
        const base = i * size;
        for (let j = 0; j < size; j++) {
          const d = DECIMAL[pixels[base + j] as number] as Uint8Array;
          // Most pixels are 0: one byte, no set() call.
          if (d.length === 1) buf[p++] = d[0] as number;
          else {
            buf.set(d, p);
            p += d.length;
          }
          buf[p++] = 0x2c;
        }
        buf[p - 1] = 0x0a; // the last comma becomes the line end
      }
      await fh.writeFile(buf.subarray(0, p));
    }
  });
}
