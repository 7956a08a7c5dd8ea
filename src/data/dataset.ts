/**
 * An in-memory image-classification dataset and the batch gather that turns
 * sampled indices into model input.
 */
import { RingtrainError } from "../core/errors.js";

/** One split of an image-classification dataset, fully in memory. */
export interface Dataset {
  /** Registry name or directory it was loaded from. */
  name: string;
  split: "train" | "test";
  /** Number of samples. */
  count: number;
  height: number;
  width: number;
  channels: number;
  numClasses: number;
  /** pixels, uint8, count*height*width*channels, row-major NHWC */
  pixels: Uint8Array;
  /** One class index per sample, each < numClasses. */
  labels: Uint8Array;
}

/** Elements per sample: height·width·channels. */
export function sampleSize(ds: Dataset): number {
  return ds.height * ds.width * ds.channels;
}

/** byte value → float32 in [0, 1]; a table keeps the gather loop to one load and one store. */
const UINT8_TO_UNIT = (() => {
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) t[i] = i / 255;
  return t;
})();

/**
 * Copies the samples at `indices` into `out` (length indices.length*sampleSize) as float32 scaled to [0,1], and their labels into `labelsOut`.
 *
 * `out` and `labelsOut` may be longer than needed (a buffer reused for a smaller
 * last batch); only their first indices.length·sampleSize and indices.length
 * elements are written. Buffers stay owned by the caller. Synchronous.
 *
 * @throws RingtrainError INTERNAL when a buffer is too short or an index is out
 *   of range (a sampler bug, not bad data).
 */
export function gatherBatch(ds: Dataset, indices: ArrayLike<number>, out: Float32Array, labelsOut: Int32Array): void {
  const n = indices.length;
  const size = sampleSize(ds);
  if (out.length < n * size || labelsOut.length < n) {
    throw new RingtrainError(
      "INTERNAL",
      `gatherBatch(${ds.name} ${ds.split}): ${n} samples of ${size} need out ≥ ${n * size} and labelsOut ≥ ${n}; got ${out.length} and ${labelsOut.length}`,
    );
  }
  const pixels = ds.pixels;
  const labels = ds.labels;
  const lut = UINT8_TO_UNIT;
  for (let i = 0; i < n; i++) {
    const idx = indices[i] as number;
    if (!(idx >= 0 && idx < ds.count && Number.isInteger(idx))) {
      throw new RingtrainError(
        "INTERNAL",
        `gatherBatch(${ds.name} ${ds.split}): index ${idx} at position ${i} is outside [0, ${ds.count})`,
      );
    }
    const src = idx * size;
    const dst = i * size;
    for (let j = 0; j < size; j++) out[dst + j] = lut[pixels[src + j] as number] as number;
    labelsOut[i] = labels[idx] as number;
  }
}
