/**
 * A dataset made of some samples of another, e.g. the train and validation
 * parts of a holdout split.
 */
import { RingtrainError } from "../core/errors.js";
import { sampleSize, type Dataset } from "./dataset.js";

export interface SubsetOptions {
  /** `name` of the result; default `<name>[<count> of <parent count>]`. */
  name?: string;
  /** `split` of the result; default the parent's. */
  split?: Dataset["split"];
}

/**
 * Copies the samples at `indices` (in that order; repeats allowed) into a new
 * dataset with fresh `pixels` and `labels` arrays, owned by the caller; the
 * parent is only read. Synchronous; O(indices.length · sample size).
 *
 * @throws RingtrainError INTERNAL when an index is not an integer in
 *   [0, ds.count) (a split computed for another dataset).
 */
export function subsetDataset(ds: Dataset, indices: ArrayLike<number>, opts: SubsetOptions = {}): Dataset {
  const n = indices.length;
  const size = sampleSize(ds);
  const pixels = new Uint8Array(n * size);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const idx = indices[i] as number;
    if (!(Number.isInteger(idx) && idx >= 0 && idx < ds.count)) {
      throw new RingtrainError(
        "INTERNAL",
        `subsetDataset(${ds.name} ${ds.split}): index ${idx} at position ${i} is outside [0, ${ds.count}); was the split made for another dataset?`,
      );
    }
    pixels.set(ds.pixels.subarray(idx * size, (idx + 1) * size), i * size);
    labels[i] = ds.labels[idx] as number;
  }
  return {
    name: opts.name ?? `${ds.name}[${n} of ${ds.count}]`,
    split: opts.split ?? ds.split,
    count: n,
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    numClasses: ds.numClasses,
    pixels,
    labels,
  };
}
