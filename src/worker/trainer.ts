import * as tf from "@tensorflow/tfjs";
import { weightChecksum } from "../common/checksum.js";
import type { RingAllreduce } from "../common/collective/ring-allreduce.js";
import type { RunConfig } from "../common/config/schema.js";
import { gatherBatch, type Dataset } from "../common/data/dataset.js";
import { epochPermutation, globalBatchRange, microBatches, stepsPerEpoch, workerShare } from "../common/data/sampler.js";
import type { Model } from "../common/model/model.js";
import { createOptimizer } from "../common/model/optimizers/registry.js";
import type { WorkerMessage } from "../common/protocol/messages.js";
import { evaluateShare } from "./evaluator.js";
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
 *  1. the global batch s is a fixed slice of epoch e's permutation (the same on every rank);
 *  2. this rank takes its share of it and, in micro-batches of at most `microBatchSize`,
 *     adds d(Σ loss / global batch)/dθ into one flat gradient buffer;
 *  3. the ring allreduce sums that buffer over ranks (same bits everywhere);
 *  4. the optimizer updates the trainable part of the flat parameters, the batch-norm
 *     moving statistics fold in the allreduced batch statistics, and all is copied into the model.
 * At epoch end the rank reports its training metrics and weight checksum, then
 * evaluates its share of the test set. Reports go out without waiting.
 */
export async function train(ctx: TrainerContext): Promise<void> {
  const { config, rank, worldSize, model, params, train: trainSet } = ctx;
  const inputSize = trainSet.height * trainSet.width * trainSet.channels;
  const globalBatch = config.batchSize === "full" ? trainSet.count : config.batchSize;
  const steps = stepsPerEpoch(trainSet.count, globalBatch);
  const largestShare = Math.ceil(globalBatch / worldSize);
  const microCapacity = Math.max(1, Math.min(config.microBatchSize, largestShare));
  const pixels = new Float32Array(microCapacity * inputSize);
  const labels = new Int32Array(microCapacity);
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
    const epochStart = performance.now();
    const permutation = epochPermutation(config.seed, epoch, trainSet.count);
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let computeMs = 0;
    let allreduceMs = 0;
    for (let step = 0; step < steps; step++) {
      if (ctx.stopRequested()) return;
      const t0 = performance.now();
      const { start, end } = globalBatchRange(trainSet.count, globalBatch, step);
      const share = workerShare(end - start, worldSize, rank);
      gradients.fill(0);
      for (const micro of microBatches(share.count, microCapacity)) {
        const from = start + share.offset + micro.offset;
        const sampleIds = permutation.subarray(from, from + micro.count);
        gatherBatch(trainSet, sampleIds, pixels, labels);
        const batch = { pixels, labels, count: micro.count, inputSize, dropout: { seed: config.seed, epoch, sampleIds } };
        const r = accumulateGradients(model, batch, trainSet.numClasses, config.loss, end - start, gradients);
        lossSum += r.lossSum;
        correct += r.correct;
      }
      seen += share.count;
      const t1 = performance.now();
      await ctx.ring.allreduce(gradients, optimizerSteps);
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
