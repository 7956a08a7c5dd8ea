import { gatherBatch, sampleSize, type Dataset } from "./dataset.js";

/** One chunk of a contiguous range, gathered as model input. Buffers are reused: valid until `visit` returns. */
export interface GatheredChunk {
  /** index of the chunk's first sample in the dataset */
  start: number;
  count: number;
  /** `count × sampleSize` floats in [0, 1] */
  pixels: Float32Array;
  labels: Int32Array;
}

/**
 * Gathers samples `[offset, offset + count)` of `dataset` in chunks of at most
 * `chunk` samples (bounded memory for evaluation and prediction) and calls
 * `visit` for each, in order.
 */
export function forEachChunk(dataset: Dataset, offset: number, count: number, chunk: number, visit: (c: GatheredChunk) => void): void {
  const capacity = Math.max(1, Math.min(chunk, count));
  const size = sampleSize(dataset);
  const pixels = new Float32Array(capacity * size);
  const labels = new Int32Array(capacity);
  const indices = new Uint32Array(capacity);
  for (let done = 0; done < count; done += capacity) {
    const n = Math.min(capacity, count - done);
    for (let i = 0; i < n; i++) indices[i] = offset + done + i;
    gatherBatch(dataset, indices.subarray(0, n), pixels, labels);
    visit({ start: offset + done, count: n, pixels: pixels.subarray(0, n * size), labels: labels.subarray(0, n) });
  }
}
