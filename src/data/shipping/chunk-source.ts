/** The coordinator's side of data shipping: cutting a chunk out of a loaded split. */
import { RingtrainError } from "../../core/errors.js";
import { sampleSize, type Dataset } from "../dataset.js";
import { chunkCount, chunkRecords, type DatasetManifest } from "./manifest.js";

/** One chunk's records as views into the coordinator's dataset. */
export interface ChunkPayload {
  pixels: Uint8Array;
  labels: Uint8Array;
}

/**
 * The pixels and labels of chunk `chunk` of `m`, as views of `ds` (no copy:
 * encoding the message copies them; the dataset must not change meanwhile).
 *
 * @throws RingtrainError PROTOCOL for a chunk index outside the manifest,
 *   naming `who` asked for it.
 */
export function readChunk(ds: Dataset, m: DatasetManifest, chunk: number, who: string): ChunkPayload {
  const chunks = chunkCount(m);
  if (!(Number.isInteger(chunk) && chunk >= 0 && chunk < chunks)) {
    throw new RingtrainError("PROTOCOL", `${who} asked for chunk ${chunk} of the ${m.split} split (${m.name}), which has chunks 0..${chunks - 1}`);
  }
  const { first, records } = chunkRecords(m, chunk);
  const size = sampleSize(ds);
  return { pixels: ds.pixels.subarray(first * size, (first + records) * size), labels: ds.labels.subarray(first, first + records) };
}
