/**
 * What a coordinator ships to a worker that lacks the run's data: one
 * manifest per split, the records this rank needs, cut into chunks of bounded
 * size, and a content hash the worker checks after reassembly.
 *
 * A rank needs the whole training split (every epoch's global permutation,
 * augmentation and validation hold-out touch samples from anywhere in it) and
 * only its own contiguous share of the evaluated split (see evaluateShare).
 * The splits shipped are those `loadRunDatasets` produced on the coordinator,
 * after limits and the validation hold-out, so a worker's splits are the
 * coordinator's by construction.
 */
import { createHash } from "node:crypto";
import { RingtrainError } from "../../core/errors.js";
import { sampleSize, type Dataset } from "../dataset.js";

/** Pixel bytes per chunk: a chunk is one control message, far below any maxMessageSize and quick to copy. */
export const SHIP_CHUNK_BYTES = 1 << 20;

/** Which of the run's splits a manifest describes (the evaluated splits are `test` and, when the run holds one out besides its test split, `validation`). */
export type ShippedSplit = "train" | "test" | "validation";

/** One split as a worker will hold it, and the records of it that are shipped. Plain data (travels in the plan). */
export interface DatasetManifest {
  /** `name` of the coordinator's dataset (e.g. `mnist (validation)`) */
  name: string;
  split: ShippedSplit;
  /** records in the whole split: the worker's dataset has this count (records outside the share are zero) */
  count: number;
  height: number;
  width: number;
  channels: number;
  numClasses: number;
  /** the shipped records: [first, first + records) */
  first: number;
  records: number;
  /** records per chunk (the last one may hold fewer) */
  recordsPerChunk: number;
  /** {@link shareHash} of the shipped records, lower-case hex SHA-256 */
  sha256: string;
}

/**
 * SHA-256 over the shape (count, height, width, channels, classes, range) and
 * the pixels and labels of records [first, first + records). Synchronous;
 * reads the dataset only (MNIST train, 47 MB: ~0.1 s).
 */
export function shareHash(ds: Dataset, first: number, records: number): string {
  const size = sampleSize(ds);
  const header = JSON.stringify([ds.count, ds.height, ds.width, ds.channels, ds.numClasses, first, records]);
  return createHash("sha256")
    .update(header)
    .update(ds.pixels.subarray(first * size, (first + records) * size))
    .update(ds.labels.subarray(first, first + records))
    .digest("hex");
}

/**
 * The manifest for shipping records [first, first + records) of `ds`.
 *
 * @param chunkBytes pixel bytes per chunk (default {@link SHIP_CHUNK_BYTES}); a
 *   sample larger than that travels alone.
 * @throws RingtrainError INTERNAL for a range outside the dataset.
 */
export function makeManifest(ds: Dataset, split: ShippedSplit, first: number, records: number, chunkBytes = SHIP_CHUNK_BYTES): DatasetManifest {
  if (!(Number.isInteger(first) && Number.isInteger(records) && first >= 0 && records >= 0 && first + records <= ds.count)) {
    throw new RingtrainError("INTERNAL", `makeManifest(${ds.name} ${split}): records [${first}, ${first + records}) are outside [0, ${ds.count})`);
  }
  return {
    name: ds.name,
    split,
    count: ds.count,
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    numClasses: ds.numClasses,
    first,
    records,
    recordsPerChunk: Math.max(1, Math.floor(chunkBytes / Math.max(1, sampleSize(ds)))),
    sha256: shareHash(ds, first, records),
  };
}

/** Number of chunks the shipped records take (0 when there are none). */
export function chunkCount(m: DatasetManifest): number {
  return Math.ceil(m.records / m.recordsPerChunk);
}

/** The records chunk `chunk` carries: [first, first + records) of the whole split. */
export function chunkRecords(m: DatasetManifest, chunk: number): { first: number; records: number } {
  const first = m.first + chunk * m.recordsPerChunk;
  return { first, records: Math.max(0, Math.min(m.recordsPerChunk, m.first + m.records - first)) };
}

/**
 * True when `ds` is the split the manifest describes, shipped records
 * included (a worker's own copy it may train on instead of downloading).
 */
export function matchesManifest(ds: Dataset, m: DatasetManifest): boolean {
  return (
    ds.count === m.count &&
    ds.height === m.height &&
    ds.width === m.width &&
    ds.channels === m.channels &&
    ds.numClasses === m.numClasses &&
    shareHash(ds, m.first, m.records) === m.sha256
  );
}
