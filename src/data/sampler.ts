/**
 * The deterministic sampler: which samples each worker trains on at each step.
 *
 * Invariant 1 of docs/design.md (worker count does not change the math), in sampler terms:
 *  1. Each epoch has one global permutation of the training set, a function of
 *     (run seed, epoch) only.
 *  2. Global batch `s` is the fixed slice [s·B, min((s+1)·B, count)) of it, where
 *     B is the config's `batchSize` (the global batch). The last batch of an
 *     epoch may be smaller; no sample is dropped.
 *  3. Rank r takes the r-th contiguous share of that slice; shares differ by at
 *     most one sample, so the union over ranks is exactly the global batch
 *     whatever the world size.
 *  4. A share larger than fits in memory is cut into micro-batches whose
 *     gradients are accumulated before the one allreduce of the step.
 * The trainer divides the summed loss by the size of the *global* batch
 * (`end - start` of {@link globalBatchRange}), never by its share.
 */
import { RingtrainError } from "../core/errors.js";
import { RNG_STREAM, createRng } from "../core/random.js";

function requireCount(what: string, v: number, min: number): void {
  if (!(Number.isSafeInteger(v) && v >= min)) {
    throw new RingtrainError("INTERNAL", `sampler: ${what} is ${v}; expected an integer ≥ ${min}`);
  }
}

/** one global permutation per epoch, seeded by (seed, epoch) */
export function epochPermutation(seed: number, epoch: number, count: number): Uint32Array {
  requireCount("sample count", count, 0);
  const perm = new Uint32Array(count);
  for (let i = 0; i < count; i++) perm[i] = i;
  return createRng(RNG_STREAM.permutation, seed, epoch).shuffleInPlace(perm);
}

/** number of global batches (steps) per epoch; the last one may be smaller (no sample dropped) */
export function stepsPerEpoch(count: number, globalBatch: number): number {
  requireCount("sample count", count, 0);
  requireCount("global batch size", globalBatch, 1);
  return Math.ceil(count / globalBatch);
}

/** [start, end) of global batch `step` in the permutation */
export function globalBatchRange(count: number, globalBatch: number, step: number): { start: number; end: number } {
  const steps = stepsPerEpoch(count, globalBatch);
  if (!(Number.isSafeInteger(step) && step >= 0 && step < steps)) {
    throw new RingtrainError(
      "INTERNAL",
      `sampler: step ${step} is outside the epoch's ${steps} steps (${count} samples, global batch ${globalBatch})`,
    );
  }
  const start = step * globalBatch;
  return { start, end: Math.min(start + globalBatch, count) };
}

/** rank r's contiguous part of a global batch of `size` samples: shares differ by at most one (the first size % worldSize ranks get one more) */
export function workerShare(size: number, worldSize: number, rank: number): { offset: number; count: number } {
  requireCount("batch size", size, 0);
  requireCount("world size", worldSize, 1);
  if (!(Number.isSafeInteger(rank) && rank >= 0 && rank < worldSize)) {
    throw new RingtrainError("INTERNAL", `sampler: rank ${rank} is outside [0, ${worldSize})`);
  }
  const base = Math.floor(size / worldSize);
  const extra = size % worldSize;
  return { offset: rank * base + Math.min(rank, extra), count: base + (rank < extra ? 1 : 0) };
}

/**
 * split `count` samples into micro-batches of at most `maxMicro` (for gradient accumulation)
 *
 * All but the last have exactly `maxMicro` samples, so a worker can reuse one
 * input buffer (and one compiled shape) for all of them. `count` 0 gives [].
 */
export function microBatches(count: number, maxMicro: number): Array<{ offset: number; count: number }> {
  requireCount("sample count", count, 0);
  requireCount("micro-batch size", maxMicro, 1);
  const out: Array<{ offset: number; count: number }> = [];
  for (let offset = 0; offset < count; offset += maxMicro) {
    out.push({ offset, count: Math.min(maxMicro, count - offset) });
  }
  return out;
}

/**
 * Samples in one epoch: the training set, or with `augment.mode: "copies"` its
 * virtual expansion of (copies+1)·N (see createSampleSource). The coordinator
 * plans steps from it without building the sample source.
 */
export function samplesPerEpoch(originalCount: number, augment: { mode: "online" } | { mode: "copies"; copies: number } | undefined): number {
  return augment?.mode === "copies" ? (augment.copies + 1) * originalCount : originalCount;
}
