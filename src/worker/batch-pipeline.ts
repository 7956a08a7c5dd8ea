import type { SampleSource } from "../data/augment/sample-source.js";
import { epochPermutation, globalBatchRange, microBatches, stepsPerEpoch, workerShare } from "../data/sampler.js";
import type { MicroBatch } from "./gradient-step.js";

/** Where a step's batch lies: the epoch and the step within it. */
export interface StepPosition {
  epoch: number;
  step: number;
}

/** One micro-batch's inputs. */
interface Slot {
  pixels: Float32Array;
  labels: Int32Array;
  /** which (epoch, step, micro) the slot holds; undefined when stale */
  holds: string | undefined;
}

/**
 * This rank's inputs, step by step: the sampler's slice of each global batch
 * (docs/design.md, invariant 1), gathered — and augmented — from the sample source into
 * reusable buffers.
 *
 * Prefetch: while the allreduce of step s is in flight, the trainer calls
 * {@link prefetch} for step s+1, which prepares that step's first micro-batch
 * into the spare buffer; {@link microBatch} then finds it ready. The work is the
 * same either way (a sample's pixels depend only on seed, epoch and index), so
 * prefetching never changes results, only when the CPU time is spent.
 *
 * One buffer is enough: the gradient step has consumed a micro-batch's inputs
 * (synchronously) before the allreduce starts, and so before any prefetch.
 */
export class BatchPipeline {
  readonly stepsPerEpoch: number;
  readonly globalBatch: number;
  private readonly capacity: number;
  private readonly slot: Slot;
  private permutations = new Map<number, Uint32Array>();

  constructor(
    private readonly source: SampleSource,
    batchSize: number | "full",
    microBatchSize: number,
    private readonly seed: number,
    private readonly rank: number,
    private readonly worldSize: number,
  ) {
    this.globalBatch = batchSize === "full" ? source.count : batchSize;
    this.stepsPerEpoch = stepsPerEpoch(source.count, this.globalBatch);
    const largestShare = Math.ceil(this.globalBatch / worldSize);
    this.capacity = Math.max(1, Math.min(microBatchSize, largestShare));
    this.slot = { pixels: new Float32Array(this.capacity * source.sampleSize), labels: new Int32Array(this.capacity), holds: undefined };
  }

  /** The global batch size of `step` (the last step of an epoch may be smaller). */
  stepSize(step: number): number {
    const { start, end } = globalBatchRange(this.source.count, this.globalBatch, step);
    return end - start;
  }

  /** This rank's micro-batches of a step: sample ranges into the epoch's permutation. */
  microRanges(position: StepPosition): Array<{ from: number; count: number }> {
    const { start, end } = globalBatchRange(this.source.count, this.globalBatch, position.step);
    const share = workerShare(end - start, this.worldSize, this.rank);
    return microBatches(share.count, this.capacity).map((m) => ({ from: start + share.offset + m.offset, count: m.count }));
  }

  /**
   * Micro-batch `micro` of this rank's share of `position`, ready for the
   * gradient step. The returned buffers are reused: valid until the next call.
   */
  microBatch(position: StepPosition, micro: number): MicroBatch {
    const key = `${position.epoch}/${position.step}/${micro}`;
    const slot = this.slot;
    const range = this.microRanges(position)[micro]!;
    const sampleIds = this.permutation(position.epoch).subarray(range.from, range.from + range.count);
    if (slot.holds !== key) this.fill(slot, sampleIds, position.epoch, key);
    // consumed: the next prefetch may overwrite it
    slot.holds = undefined;
    return { pixels: slot.pixels, labels: slot.labels, count: range.count, inputSize: this.source.sampleSize, dropout: { seed: this.seed, epoch: position.epoch, sampleIds } };
  }

  /** Prepares the first micro-batch of `position` into the spare buffer (call while waiting on the network). */
  prefetch(position: StepPosition): void {
    const range = this.microRanges(position)[0];
    if (range === undefined) return; // this rank has no samples in that step
    const sampleIds = this.permutation(position.epoch).subarray(range.from, range.from + range.count);
    this.fill(this.slot, sampleIds, position.epoch, `${position.epoch}/${position.step}/0`);
  }

  /** The position after `position`, or undefined after the last step of `epochs`. */
  next(position: StepPosition, epochs: number): StepPosition | undefined {
    if (position.step + 1 < this.stepsPerEpoch) return { epoch: position.epoch, step: position.step + 1 };
    return position.epoch + 1 < epochs ? { epoch: position.epoch + 1, step: 0 } : undefined;
  }

  private fill(slot: Slot, sampleIds: Uint32Array, epoch: number, key: string): void {
    this.source.gather(sampleIds, epoch, slot.pixels, slot.labels);
    slot.holds = key;
  }

  /** The epoch's permutation; kept for the current and the next epoch only. */
  private permutation(epoch: number): Uint32Array {
    let p = this.permutations.get(epoch);
    if (p === undefined) {
      p = epochPermutation(this.seed, epoch, this.source.count);
      this.permutations.set(epoch, p);
      for (const e of this.permutations.keys()) if (e < epoch - 1) this.permutations.delete(e);
    }
    return p;
  }
}
