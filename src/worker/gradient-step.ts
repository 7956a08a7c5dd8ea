import * as tf from "@tensorflow/tfjs";
import { addInto, bytesOf } from "../distributed/collective/f32-add.js";
import type { LossName } from "../model/loss-names.js";
import { perSampleLoss } from "../model/loss.js";
import type { DropoutKeys } from "../model/layers/dropout-mask.js";
import type { Model } from "../model/model.js";
import { fusedLayout } from "./fused-buffer.js";

/** What one micro-batch contributed, summed over its samples. */
export interface MicroBatchResult {
  lossSum: number;
  correct: number;
}

/** One micro-batch: `count` samples of `inputSize` floats and their labels. */
export interface MicroBatch {
  pixels: Float32Array;
  labels: Int32Array;
  count: number;
  inputSize: number;
  /** the batch's sample ids, for per-sample dropout masks */
  dropout: DropoutKeys;
}

/**
 * Forward and backward pass over one micro-batch; **adds** its gradient and
 * its batch-norm statistics into their spans of `buffer`, the model's fused
 * buffer (see {@link fusedLayout}) that the allreduce sums.
 *
 * The loss differentiated is Σ per-sample loss / `globalBatch`, so that summing
 * every worker's (and every micro-batch's) contribution with the allreduce gives
 * exactly the gradient of the global batch mean (docs/design.md, invariant 1).
 *
 * Tensor data is read after the tidy scope closes: a tidy that returns a large
 * typed array is slow (docs/design.md, "Measured facts"). It is read asynchronously:
 * the webgpu backend has no synchronous read in Node.
 */
export async function accumulateGradients(model: Model, batch: MicroBatch, numClasses: number, loss: LossName, globalBatch: number, buffer: Float32Array): Promise<MicroBatchResult> {
  const { count, inputSize } = batch;
  if (count === 0) return { lossSum: 0, correct: 0 };
  const { grads, lossSum, correct, statistics } = tf.tidy(() => {
    const x = tf.tensor2d(batch.pixels.subarray(0, count * inputSize), [count, inputSize]);
    const labelTensor = tf.tensor1d(batch.labels.subarray(0, count), "int32");
    const oneHot = tf.oneHot(labelTensor, numClasses) as tf.Tensor2D;
    let lossSum: tf.Tensor | undefined;
    let correct: tf.Tensor | undefined;
    let statistics: tf.Tensor[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const out = model.forward(x, { training: true, globalBatch, dropout: batch.dropout });
      // kept: the gradient scope disposes everything else it created
      statistics = out.statistics.map((s) => tf.keep(s));
      lossSum = tf.keep(tf.sum(perSampleLoss(loss, oneHot, out.logits)));
      correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(out.logits, 1), labelTensor), "int32")));
      return tf.div<tf.Scalar>(lossSum, globalBatch);
    }, model.variables);
    value.dispose();
    return { grads: model.variables.map((v) => grads[v.name]!), lossSum: lossSum!, correct: correct!, statistics };
  });
  const fused = fusedLayout(model);
  const slots = model.layout.slots;
  for (let i = 0; i < grads.length; i++) {
    const g = grads[i]!;
    const data = (await g.data()) as Float32Array;
    // the allreduce's SIMD add: micro-batches accumulate with the same kernel
    addInto(buffer, fused.gradients.offset + slots[i]!.offset, bytesOf(data), data.length);
    g.dispose();
  }
  let offset = fused.batchNormStats.offset;
  for (const s of statistics) {
    const data = (await s.data()) as Float32Array;
    addInto(buffer, offset, bytesOf(data), data.length);
    offset += data.length;
    s.dispose();
  }
  const result = { lossSum: (await lossSum.data())[0]!, correct: (await correct.data())[0]! };
  lossSum.dispose();
  correct.dispose();
  return result;
}
