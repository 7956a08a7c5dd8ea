import { RingtrainError } from "../core/errors.js";
import type { WorkerMessage } from "../distributed/protocol/messages.js";
import type { EpochRecord } from "../runs/records.js";

type EpochMetrics = Extract<WorkerMessage, { type: "epochMetrics" }>;
type EvalResult = Extract<WorkerMessage, { type: "evalResult" }>;

/**
 * Sums what the ranks report asynchronously about each epoch (training
 * figures, their share of the test evaluation and, when the run evaluates one,
 * of the validation split, the weight checksum) into one
 * {@link EpochRecord} per epoch, emitted in epoch order once every rank has
 * reported. Checksums that differ between ranks are a DESYNC (docs/design.md, invariant 2).
 */
export class EpochAggregator {
  private readonly metrics = new Map<number, Map<number, EpochMetrics>>();
  private readonly evals = new Map<number, Map<number, EvalResult>>();
  private readonly validationEvals = new Map<number, Map<number, EvalResult>>();
  private readonly stepChecksums = new Map<number, Map<number, string>>();
  private nextEpoch = 0;

  constructor(
    private readonly worldSize: number,
    private readonly describeRank: (rank: number) => string,
    /** the ranks also report a `validation` evalResult per epoch */
    private readonly evaluatesValidation = false,
  ) {}

  /** Adds one report; returns the records of the epochs it completed (in order). */
  add(rank: number, message: EpochMetrics | EvalResult): EpochRecord[] {
    if (message.type === "epochMetrics") slot(this.metrics, message.epoch).set(rank, message);
    else slot(message.split === "validation" ? this.validationEvals : this.evals, message.epoch).set(rank, message);
    const done: EpochRecord[] = [];
    for (;;) {
      const m = this.metrics.get(this.nextEpoch);
      const e = this.evals.get(this.nextEpoch);
      const v = this.validationEvals.get(this.nextEpoch);
      if (m?.size !== this.worldSize || e?.size !== this.worldSize) break;
      if (this.evaluatesValidation && v?.size !== this.worldSize) break;
      done.push(this.combine(this.nextEpoch, m, e, v));
      this.metrics.delete(this.nextEpoch);
      this.evals.delete(this.nextEpoch);
      this.validationEvals.delete(this.nextEpoch);
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

  private combine(epoch: number, metrics: Map<number, EpochMetrics>, evals: Map<number, EvalResult>, validation: Map<number, EvalResult> | undefined): EpochRecord {
    this.assertEqual(new Map<number, string>([...metrics].map(([r, m]): [number, string] => [r, m.checksum])), `at the end of epoch ${epoch + 1}`);
    let lossSum = 0, correct = 0, count = 0;
    let wallMs = 0, stepMs = 0, computeMs = 0, allreduceMs = 0, numTensors = 0, steps = 0;
    let stoppedAtStep: number | undefined;
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
      stoppedAtStep ??= m.stoppedAtStep;
    }
    const test = sumEvaluation(evals);
    const held = validation === undefined ? undefined : sumEvaluation(validation);
    return {
      epoch: epoch + 1,
      optimizerSteps: steps,
      trainLoss: lossSum / Math.max(count, 1),
      trainAccuracy: correct / Math.max(count, 1),
      testLoss: test.loss,
      testAccuracy: test.accuracy,
      validationLoss: held?.loss ?? null,
      validationAccuracy: held?.accuracy ?? null,
      stepMs,
      computeMs,
      allreduceMs,
      samplesPerSecond: count / (wallMs / 1000),
      epochSeconds: wallMs / 1000,
      numTensors,
      ...(stoppedAtStep === undefined ? {} : { stoppedAtStep }),
    };
  }
}

/** Mean loss and accuracy over the parts of one split's distributed evaluation. */
function sumEvaluation(parts: Map<number, EvalResult>): { loss: number; accuracy: number } {
  let loss = 0, correct = 0, count = 0;
  for (const p of parts.values()) {
    loss += p.lossSum;
    correct += p.correct;
    count += p.count;
  }
  return { loss: loss / Math.max(count, 1), accuracy: correct / Math.max(count, 1) };
}

/** The per-rank map of one epoch or step, created on first use. */
function slot<T>(table: Map<number, Map<number, T>>, key: number): Map<number, T> {
  let perRank = table.get(key);
  if (perRank === undefined) table.set(key, (perRank = new Map<number, T>()));
  return perRank;
}
