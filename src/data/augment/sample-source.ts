/**
 * What the trainer samples from: a dataset seen through its `augment` config,
 * as a virtual list of `count` samples that the sampler permutes.
 *
 * Invariant 1 of docs/design.md (worker count does not change the math), in augmentation terms:
 * a sample's pixels are a pure function of (run seed, epoch or copy, sample
 * index) — each augmented sample reads its own stream
 * `createRng(RNG_STREAM.augment, seed, tag, epochOrCopy, index)` — never of
 * which worker gathers it, with which other samples, or in what order.
 *
 *  - no augment: `count` = N and gather is gatherBatch.
 *  - online: `count` = N; each sample gets fresh parameters every epoch from
 *    stream (seed, ONLINE, epoch, i). With several kinds, the stream's first
 *    draw picks one (uniformly); with one kind nothing is spent on the choice.
 *  - copies: `count` = (copies+1)·N; index i < N is original i unchanged;
 *    index c·N + j (1 ≤ c ≤ copies) is copy c of original j, made with
 *    kinds[(c−1) mod kinds.length] from stream (seed, COPY, c, j), so it is the
 *    same every epoch. Nothing is materialised: a copy is re-made on each gather.
 */
import { gatherBatch, type Dataset } from "../dataset.js";
import { samplesPerEpoch } from "../sampler.js";
import { RingtrainError } from "../../core/errors.js";
import { RNG_STREAM, createRng } from "../../core/random.js";
import type { AugmentConfig, AugmentKind } from "./config.js";
import { SampleAugmenter, copyScaled } from "./sample-augmenter.js";

/** Stream tags, so online and copies streams never coincide for the same integers. */
const TAG_ONLINE = 1;
const TAG_COPY = 2;

/** A (possibly augmented, possibly virtually expanded) training set the sampler draws from. */
export interface SampleSource {
  /** Virtual length: what the sampler permutes each epoch. */
  readonly count: number;
  /** Samples in the underlying dataset (N). */
  readonly originalCount: number;
  readonly numClasses: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Elements per sample: height·width·channels. */
  readonly sampleSize: number;
  /**
   * Writes the samples at virtual `indices` (any subset, any order) for
   * `epoch` into `pixelsOut` as float32 in [0, 1], NHWC, and their labels into
   * `labelsOut`, like gatherBatch: buffers may be longer than needed, only the
   * first indices.length·sampleSize and indices.length elements are written,
   * and they stay owned by the caller. Synchronous; per augmented sample it
   * allocates only its small random-stream object (pixel buffers are reused).
   *
   * @throws RingtrainError INTERNAL when a buffer is too short, an index is
   *   outside [0, count) or the epoch is not a non-negative integer (caller bugs).
   */
  gather(indices: ArrayLike<number>, epoch: number, pixelsOut: Float32Array, labelsOut: Int32Array): void;
  /** The dataset index a virtual index shows (labels, failure galleries). */
  originalIndex(index: number): number;
}

/**
 * Builds the sample source of `dataset` under `augment` (undefined: none) for
 * run seed `seed`. Cheap; each worker builds its own.
 *
 * @throws RingtrainError INTERNAL when the seed is not a safe integer.
 */
export function createSampleSource(dataset: Dataset, augment: AugmentConfig | undefined, seed: number): SampleSource {
  if (!Number.isSafeInteger(seed)) {
    throw new RingtrainError("INTERNAL", `createSampleSource(${dataset.name}): seed is ${seed}; expected a safe integer`);
  }
  const n = dataset.count;
  const { height, width, channels, numClasses } = dataset;
  const sampleSize = height * width * channels;
  // the same count the coordinator plans with
  const count = samplesPerEpoch(n, augment);
  const augmenter = new SampleAugmenter(height, width, channels);
  const kinds: readonly AugmentKind[] = augment?.kinds ?? [];
  const where = `sample source (${dataset.name} ${dataset.split}${augment ? `, augment ${augment.mode}` : ""})`;

  const check = (indices: ArrayLike<number>, epoch: number, pixelsOut: Float32Array, labelsOut: Int32Array): void => {
    const k = indices.length;
    if (pixelsOut.length < k * sampleSize || labelsOut.length < k) {
      throw new RingtrainError(
        "INTERNAL",
        `${where}: ${k} samples of ${sampleSize} need pixelsOut ≥ ${k * sampleSize} and labelsOut ≥ ${k}; got ${pixelsOut.length} and ${labelsOut.length}`,
      );
    }
    if (!(Number.isSafeInteger(epoch) && epoch >= 0)) {
      throw new RingtrainError("INTERNAL", `${where}: epoch is ${epoch}; expected a non-negative integer`);
    }
    for (let i = 0; i < k; i++) {
      const idx = indices[i] as number;
      if (!(Number.isInteger(idx) && idx >= 0 && idx < count)) {
        throw new RingtrainError("INTERNAL", `${where}: index ${idx} at position ${i} is outside [0, ${count})`);
      }
    }
  };

  let gather: SampleSource["gather"];
  if (augment === undefined) {
    gather = (indices, epoch, pixelsOut, labelsOut) => {
      check(indices, epoch, pixelsOut, labelsOut);
      gatherBatch(dataset, indices, pixelsOut, labelsOut);
    };
  } else if (augment.mode === "online") {
    gather = (indices, epoch, pixelsOut, labelsOut) => {
      check(indices, epoch, pixelsOut, labelsOut);
      for (let i = 0; i < indices.length; i++) {
        const idx = indices[i] as number;
        augmentOnline(augmenter, dataset, kinds, seed, epoch, idx, pixelsOut, i * sampleSize);
        labelsOut[i] = dataset.labels[idx] as number;
      }
    };
  } else {
    gather = (indices, epoch, pixelsOut, labelsOut) => {
      check(indices, epoch, pixelsOut, labelsOut);
      const { pixels, labels } = dataset;
      for (let i = 0; i < indices.length; i++) {
        const idx = indices[i] as number;
        const c = Math.floor(idx / n);
        const j = idx - c * n;
        if (c === 0) copyScaled(pixels, j * sampleSize, sampleSize, pixelsOut, i * sampleSize);
        else {
          const kind = kinds[(c - 1) % kinds.length] as AugmentKind;
          augmenter.apply(kind, createRng(RNG_STREAM.augment, seed, TAG_COPY, c, j), pixels, j * sampleSize, pixelsOut, i * sampleSize);
        }
        labelsOut[i] = labels[j] as number;
      }
    };
  }

  return {
    count,
    originalCount: n,
    numClasses,
    height,
    width,
    channels,
    sampleSize,
    gather,
    originalIndex(index: number): number {
      if (!(Number.isInteger(index) && index >= 0 && index < count)) {
        throw new RingtrainError("INTERNAL", `${where}: index ${index} is outside [0, ${count})`);
      }
      return index % n;
    },
  };
}

function augmentOnline(
  augmenter: SampleAugmenter,
  dataset: Dataset,
  kinds: readonly AugmentKind[],
  seed: number,
  epoch: number,
  index: number,
  out: Float32Array,
  outOffset: number,
): void {
  const rng = createRng(RNG_STREAM.augment, seed, TAG_ONLINE, epoch, index);
  const kind = (kinds.length === 1 ? kinds[0] : kinds[rng.nextInt(kinds.length)]) as AugmentKind;
  augmenter.apply(kind, rng, dataset.pixels, index * augmenter.size, out, outOffset);
}

/**
 * One augmented variant of sample `index` of `dataset` under `kind`, as
 * float32 in [0, 1] (for preview grids). Variant v is exactly what online
 * training with `kinds: [kind]` and run seed `seed` shows at epoch v.
 *
 * @param out reused when given (length ≥ sampleSize); a new array otherwise.
 * @throws RingtrainError INTERNAL for an index outside the dataset, a negative
 *   or fractional variant, or a short `out`.
 */
export function augmentSample(dataset: Dataset, index: number, kind: AugmentKind, seed: number, variant: number, out?: Float32Array): Float32Array {
  const size = dataset.height * dataset.width * dataset.channels;
  const where = `augmentSample(${dataset.name} ${dataset.split})`;
  if (!(Number.isInteger(index) && index >= 0 && index < dataset.count)) {
    throw new RingtrainError("INTERNAL", `${where}: index ${index} is outside [0, ${dataset.count})`);
  }
  if (!(Number.isSafeInteger(variant) && variant >= 0)) {
    throw new RingtrainError("INTERNAL", `${where}: variant is ${variant}; expected a non-negative integer`);
  }
  if (!Number.isSafeInteger(seed)) {
    throw new RingtrainError("INTERNAL", `${where}: seed is ${seed}; expected a safe integer`);
  }
  const dst = out ?? new Float32Array(size);
  if (dst.length < size) {
    throw new RingtrainError("INTERNAL", `${where}: out has ${dst.length} elements; expected ≥ ${size}`);
  }
  augmentOnline(new SampleAugmenter(dataset.height, dataset.width, dataset.channels), dataset, [kind], seed, variant, index, dst, 0);
  return dst;
}
