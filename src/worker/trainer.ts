import * as tf from "@tensorflow/tfjs";
import { weightChecksum } from "../core/checksum.js";
import type { RingAllreduce } from "../distributed/collective/ring-allreduce.js";
import type { RunConfig } from "../config/schema.js";
import { createSampleSource } from "../data/augment/sample-source.js";
import type { Dataset } from "../data/dataset.js";
import type { Model } from "../model/model.js";
import { createOptimizer } from "../model/optimizers/registry.js";
import { scheduleFactor } from "../model/schedules.js";
import type { WorkerMessage } from "../distributed/protocol/messages.js";
import { evaluateShare } from "./evaluator.js";
import { BatchPipeline } from "./batch-pipeline.js";
import { fusedLayout, spanOf } from "./fused-buffer.js";
import { accumulateGradients } from "./gradient-step.js";

/** Everything the training loop needs, wired up by the worker main. */
export interface TrainerContext {
  config: RunConfig;
  rank: number;
  worldSize: number;
  model: Model;
  /** the flat parameters, identical on every rank; updated in place */
  params: Float32Array;
  train: Dataset;
  test: Dataset;
  /** a held-out validation split evaluated after `test` each epoch, when the run has one besides its test split */
  validation?: Dataset | undefined;
  ring: RingAllreduce;
  /** fire-and-forget report to the coordinator (off the step's critical path) */
  report: (message: WorkerMessage) => void;
  /** polled between steps: true once the coordinator asked us to stop */
  stopRequested: () => boolean;
  /** the current phase, for heartbeats and failure messages */
  setPhase: (phase: string) => void;
}

/**
 * How training ended on this rank (every rank ends the same way at the same step):
 * `completed` and `diverged` leave the run's final weights in `params` (a
 * divergence was already reported, with its step and loss); `stopped` (the
 * coordinator ended the run) leaves them mid-training, no run's final weights.
 */
export type TrainingOutcome = "completed" | "stopped" | "diverged";

/** Progress reports from rank 0 at most this often. */
const PROGRESS_INTERVAL_MS = 250;

/**
 * The training loop of one worker.
 *
 * Per optimizer step s of epoch e:
 *  1. the global batch s is a fixed slice of epoch e's permutation of the (possibly
 *     augmented, virtually expanded) sample source — the same on every rank;
 *  2. this rank takes its share of it and, in micro-batches of at most `microBatchSize`,
 *     adds d(Σ loss / global batch)/dθ into one flat buffer, followed by its batch-norm
 *     statistics and, in the last slot, its Σ loss;
 *  3. the ring allreduce sums that buffer over ranks (same bits everywhere), while this
 *     rank prepares step s+1's first micro-batch;
 *  4. every rank reads the global batch's mean loss from the last slot; if it is NaN,
 *     infinite or above `divergence.maxLoss`, all ranks stop here, before the update
 *     (the weights stay the last finite ones), and report the partial epoch;
 *  5. the optimizer updates the trainable part of the flat parameters, the batch-norm
 *     moving statistics fold in the allreduced batch statistics, and all is copied into the model.
 * At epoch end the rank reports its training metrics and weight checksum, then
 * evaluates its share of the test set (and of the validation set). Reports go out without waiting.
 */
export async function train(ctx: TrainerContext): Promise<TrainingOutcome> {
  const { config, rank, worldSize, model, params, train: trainSet } = ctx;
  const source = createSampleSource(trainSet, config.augment, config.seed);
  const batches = new BatchPipeline(source, config.batchSize, config.microBatchSize, config.seed, rank, worldSize);
  const steps = batches.stepsPerEpoch;
  // one fused buffer for the allreduce: the gradient, the batch-norm statistics, then Σ loss
  const fused = fusedLayout(model);
  const gradients = new Float32Array(fused.length);
  const lossSlot = fused.lossSum;
  const trainableParams = params.subarray(0, model.trainableSize);
  const trainableGradients = spanOf(gradients, fused.gradients);
  const statistics = spanOf(gradients, fused.batchNormStats);
  const optimizer = createOptimizer(config.optimizer, model.trainableSize);
  const { maxLoss } = config.divergence;
  let optimizerSteps = 0;
  let lastProgress = 0;
  // the global losses of the steps since the last progress report: a report carries their mean,
  // so the sampled curve is smoothed over every step, not one small batch's noise
  let lossSinceReport = 0;
  let stepsSinceReport = 0;

  for (let epoch = 0; epoch < config.epochs; epoch++) {
    ctx.setPhase(`training epoch ${epoch + 1}`);
    optimizer.learningRate = config.optimizer.learningRate * scheduleFactor(config.schedule, epoch, config.epochs);
    const epochStart = performance.now();
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let computeMs = 0;
    let allreduceMs = 0;
    let stepsDone = 0;
    let divergedLoss: number | undefined;
    for (let step = 0; step < steps; step++) {
      if (ctx.stopRequested()) return "stopped";
      const t0 = performance.now();
      const position = { epoch, step };
      const globalBatch = batches.stepSize(step);
      gradients.fill(0);
      let stepLoss = 0;
      let stepCorrect = 0;
      let stepSeen = 0;
      const micros = batches.microRanges(position).length;
      for (let micro = 0; micro < micros; micro++) {
        const batch = batches.microBatch(position, micro);
        const r = await accumulateGradients(model, batch, trainSet.numClasses, config.loss, globalBatch, gradients);
        stepLoss += r.lossSum;
        stepCorrect += r.correct;
        stepSeen += batch.count;
      }
      gradients[lossSlot] = stepLoss;
      const t1 = performance.now();
      const reduced = ctx.ring.allreduce(gradients, optimizerSteps);
      // the next step's inputs (gathering, augmenting) are prepared while the gradients travel
      const next = batches.next(position, config.epochs);
      if (next !== undefined) batches.prefetch(next);
      await reduced;
      const t2 = performance.now();
      const globalLoss = gradients[lossSlot] / globalBatch;
      if (!Number.isFinite(globalLoss) || globalLoss > maxLoss) {
        divergedLoss = globalLoss;
        break;
      }
      lossSum += stepLoss;
      correct += stepCorrect;
      seen += stepSeen;
      optimizer.apply(trainableParams, trainableGradients);
      model.updateState(params, statistics);
      model.setWeights(params);
      optimizerSteps++;
      stepsDone++;
      computeMs += t1 - t0 + (performance.now() - t2);
      allreduceMs += t2 - t1;
      if (optimizerSteps % config.checksumEvery === 0) {
        ctx.report({ type: "checksum", step: optimizerSteps, checksum: weightChecksum(params) });
      }
      lossSinceReport += globalLoss;
      stepsSinceReport++;
      if (rank === 0 && (performance.now() - lastProgress > PROGRESS_INTERVAL_MS || step === steps - 1)) {
        lastProgress = performance.now();
        ctx.report({ type: "progress", epoch, step: step + 1, stepsPerEpoch: steps, optimizerStep: optimizerSteps, loss: lossSinceReport / stepsSinceReport });
        lossSinceReport = 0;
        stepsSinceReport = 0;
      }
    }
    // an epoch that diverged on its first step has nothing new to report: the last epoch's figures stand
    if (stepsDone > 0) {
      const wallMs = performance.now() - epochStart;
      ctx.report({
        type: "epochMetrics",
        epoch,
        optimizerSteps,
        trainLossSum: lossSum,
        trainCorrect: correct,
        trainCount: seen,
        stepMs: wallMs / stepsDone,
        computeMs: computeMs / stepsDone,
        allreduceMs: allreduceMs / stepsDone,
        wallMs,
        checksum: weightChecksum(params),
        numTensors: tf.memory().numTensors,
        ...(divergedLoss === undefined ? {} : { stoppedAtStep: optimizerSteps + 1 }),
      });
      ctx.setPhase(`evaluating epoch ${epoch + 1}`);
      ctx.report({ type: "evalResult", epoch, split: "test", ...(await evaluateShare(model, ctx.test, rank, worldSize, config.loss)) });
      if (ctx.validation !== undefined) {
        ctx.report({ type: "evalResult", epoch, split: "validation", ...(await evaluateShare(model, ctx.validation, rank, worldSize, config.loss)) });
      }
    }
    if (divergedLoss !== undefined) {
      ctx.report({ type: "diverged", epoch, optimizerStep: optimizerSteps + 1, loss: Number.isNaN(divergedLoss) ? null : divergedLoss, maxLoss });
      return "diverged";
    }
  }
  return "completed";
}
