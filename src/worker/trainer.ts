import * as tf from "@tensorflow/tfjs";
import { weightChecksum } from "../common/checksum.js";
import type { RingAllreduce } from "../common/collective/ring-allreduce.js";
import type { RunConfig } from "../common/config/schema.js";
import { createSampleSource } from "../common/data/augment/sample-source.js";
import type { Dataset } from "../common/data/dataset.js";
import type { Model } from "../common/model/model.js";
import { createOptimizer } from "../common/model/optimizers/registry.js";
import { scheduleFactor } from "../common/model/schedules.js";
import type { WorkerMessage } from "../common/protocol/messages.js";
import { evaluateShare } from "./evaluator.js";
import { BatchPipeline } from "./batch-pipeline.js";
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
  ring: RingAllreduce;
  /** fire-and-forget report to the coordinator (off the step's critical path) */
  report: (message: WorkerMessage) => void;
  /** polled between steps: true once the coordinator asked us to stop */
  stopRequested: () => boolean;
  /** the current phase, for heartbeats and failure messages */
  setPhase: (phase: string) => void;
}

/** Progress reports from rank 0 at most this often. */
const PROGRESS_INTERVAL_MS = 250;

/**
 * The training loop of one worker.
 *
 * Per optimizer step s of epoch e:
 *  1. the global batch s is a fixed slice of epoch e's permutation of the (possibly
 *     augmented, virtually expanded) sample source — the same on every rank;
 *  2. this rank takes its share of it and, in micro-batches of at most `microBatchSize`,
 *     adds d(Σ loss / global batch)/dθ into one flat gradient buffer;
 *  3. the ring allreduce sums that buffer over ranks (same bits everywhere), while this
 *     rank prepares step s+1's first micro-batch;
 *  4. the optimizer updates the trainable part of the flat parameters, the batch-norm
 *     moving statistics fold in the allreduced batch statistics, and all is copied into the model.
 * At epoch end the rank reports its training metrics and weight checksum, then
 * evaluates its share of the test set. Reports go out without waiting.
 */
export async function train(ctx: TrainerContext): Promise<void> {
  const { config, rank, worldSize, model, params, train: trainSet } = ctx;
  const source = createSampleSource(trainSet, config.augment, config.seed);
  const batches = new BatchPipeline(source, config.batchSize, config.microBatchSize, config.seed, rank, worldSize);
  const steps = batches.stepsPerEpoch;
  // one fused buffer for the allreduce: the gradient, then the batch-norm statistics
  const gradients = new Float32Array(model.trainableSize + model.statisticsSize);
  const trainableParams = params.subarray(0, model.trainableSize);
  const trainableGradients = gradients.subarray(0, model.trainableSize);
  const statistics = gradients.subarray(model.trainableSize);
  const optimizer = createOptimizer(config.optimizer, model.trainableSize);
  let optimizerSteps = 0;
  let lastProgress = 0;

  for (let epoch = 0; epoch < config.epochs; epoch++) {
    ctx.setPhase(`training epoch ${epoch + 1}`);
    optimizer.learningRate = config.optimizer.learningRate * scheduleFactor(config.schedule, epoch, config.epochs);
    const epochStart = performance.now();
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let computeMs = 0;
    let allreduceMs = 0;
    for (let step = 0; step < steps; step++) {
      if (ctx.stopRequested()) return;
      const t0 = performance.now();
      const position = { epoch, step };
      const globalBatch = batches.stepSize(step);
      gradients.fill(0);
      const micros = batches.microRanges(position).length;
      for (let micro = 0; micro < micros; micro++) {
        const batch = batches.microBatch(position, micro);
        const r = accumulateGradients(model, batch, trainSet.numClasses, config.loss, globalBatch, gradients);
        lossSum += r.lossSum;
        correct += r.correct;
        seen += batch.count;
      }
      const t1 = performance.now();
      const reduced = ctx.ring.allreduce(gradients, optimizerSteps);
      // the next step's inputs (gathering, augmenting) are prepared while the gradients travel
      const next = batches.next(position, config.epochs);
      if (next !== undefined) batches.prefetch(next);
      await reduced;
      const t2 = performance.now();
      optimizer.apply(trainableParams, trainableGradients);
      model.updateState(params, statistics);
      model.setWeights(params);
      optimizerSteps++;
      computeMs += t1 - t0 + (performance.now() - t2);
      allreduceMs += t2 - t1;
      if (optimizerSteps % config.checksumEvery === 0) {
        ctx.report({ type: "checksum", step: optimizerSteps, checksum: weightChecksum(params) });
      }
      if (rank === 0 && performance.now() - lastProgress > PROGRESS_INTERVAL_MS) {
        lastProgress = performance.now();
        ctx.report({ type: "progress", epoch, step: step + 1, stepsPerEpoch: steps, loss: seen > 0 ? lossSum / seen : 0 });
      }
    }
    const wallMs = performance.now() - epochStart;
    ctx.report({
      type: "epochMetrics",
      epoch,
      optimizerSteps,
      trainLossSum: lossSum,
      trainCorrect: correct,
      trainCount: seen,
      stepMs: wallMs / steps,
      computeMs: computeMs / steps,
      allreduceMs: allreduceMs / steps,
      wallMs,
      checksum: weightChecksum(params),
      numTensors: tf.memory().numTensors,
    });
    ctx.setPhase(`evaluating epoch ${epoch + 1}`);
    const part = evaluateShare(model, ctx.test, rank, worldSize, config.loss);
    ctx.report({ type: "evalResult", epoch, ...part });
  }
}
