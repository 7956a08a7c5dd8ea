import { RingtrainError } from "../common/errors.js";
import type { WorkerMessage } from "../common/protocol/messages.js";
import type { EpochRecord } from "./results.js";

type EpochMetrics = Extract<WorkerMessage, { type: "epochMetrics" }>;
type EvalResult = Extract<WorkerMessage, { type: "evalResult" }>;

/**
 * Sums what the ranks report asynchronously about each epoch (training
 * figures, their share of the test evaluation, the weight checksum) into one
 * {@link EpochRecord} per epoch, emitted in epoch order once every rank has
 * reported. Checksums that differ between ranks are a DESYNC (invariant 2).
 */
export class EpochAggregator {
  private readonly metrics = new Map<number, Map<number, EpochMetrics>>();
  private readonly evals = new Map<number, Map<number, EvalResult>>();
  private readonly stepChecksums = new Map<number, Map<number, string>>();
  private nextEpoch = 0;

  constructor(
    private readonly worldSize: number,
    private readonly describeRank: (rank: number) => string,
  ) {}

  /** Adds one report; returns the records of the epochs it completed (in order). */
  add(rank: number, message: EpochMetrics | EvalResult): EpochRecord[] {
    if (message.type === "epochMetrics") slot(this.metrics, message.epoch).set(rank, message);
    else slot(this.evals, message.epoch).set(rank, message);
    const done: EpochRecord[] = [];
    for (;;) {
      const m = this.metrics.get(this.nextEpoch);
      const e = this.evals.get(this.nextEpoch);
      if (m?.size !== this.worldSize || e?.size !== this.worldSize) break;
      done.push(this.combine(this.nextEpoch, m, e));
      this.metrics.delete(this.nextEpoch);
      this.evals.delete(this.nextEpoch);
      this.nextEpoch++;
    }
    return done;
  }

  /** Records a periodic checksum; throws DESYNC once all ranks reported a step and they disagree. */
  addChecksum(rank: number, step: number, checksum: string): void {
    const perRank = slot(this.stepChecksums, step);
    perRank.set(rank, checksum);
    if (perRank.size === this.worldSize) {
      this.stepChecksums.delete(step);
      this.assertEqual(perRank, `after optimizer step ${step}`);
    }
  }

  private assertEqual(checksums: Map<number, string>, when: string): void {
    const reference = checksums.get(0);
    for (const [rank, sum] of checksums) {
      if (sum !== reference) {
        throw new RingtrainError(
          "DESYNC",
          `${this.describeRank(rank)} holds different weights than rank 0 ${when} (checksum ${sum} vs ${String(reference)}): ` +
            "the ranks no longer train the same model; this is a bug in the allreduce or the update, please report it",
        );
      }
    }
  }

  private combine(epoch: number, metrics: Map<number, EpochMetrics>, evals: Map<number, EvalResult>): EpochRecord {
    this.assertEqual(new Map<number, string>([...metrics].map(([r, m]): [number, string] => [r, m.checksum])), `at the end of epoch ${epoch + 1}`);
    let lossSum = 0, correct = 0, count = 0, testLoss = 0, testCorrect = 0, testCount = 0;
    let wallMs = 0, stepMs = 0, computeMs = 0, allreduceMs = 0, numTensors = 0, steps = 0;
    for (const m of metrics.values()) {
      lossSum += m.trainLossSum;
      correct += m.trainCorrect;
      count += m.trainCount;
      wallMs = Math.max(wallMs, m.wallMs);
      stepMs = Math.max(stepMs, m.stepMs);
      computeMs += m.computeMs / this.worldSize;
      allreduceMs += m.allreduceMs / this.worldSize;
      numTensors = Math.max(numTensors, m.numTensors);
      steps = m.optimizerSteps;
    }
    for (const e of evals.values()) {
      testLoss += e.lossSum;
      testCorrect += e.correct;
      testCount += e.count;
    }
    return {
      epoch: epoch + 1,
      optimizerSteps: steps,
      trainLoss: lossSum / Math.max(count, 1),
      trainAccuracy: correct / Math.max(count, 1),
      testLoss: testLoss / Math.max(testCount, 1),
      testAccuracy: testCorrect / Math.max(testCount, 1),
      stepMs,
      computeMs,
      allreduceMs,
      samplesPerSecond: count / (wallMs / 1000),
      epochSeconds: wallMs / 1000,
      numTensors,
    };
  }
}

/** The per-rank map of one epoch or step, created on first use. */
function slot<T>(table: Map<number, Map<number, T>>, key: number): Map<number, T> {
  let perRank = table.get(key);
  if (perRank === undefined) table.set(key, (perRank = new Map<number, T>()));
  return perRank;
}
