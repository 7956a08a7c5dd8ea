import * as tf from "@tensorflow/tfjs";
import { addInto, bytesOf } from "../common/collective/f32-add.js";
import type { Model } from "../common/model/model.js";

/** What one micro-batch contributed, summed over its samples. */
export interface MicroBatchResult {
  lossSum: number;
  correct: number;
}

/**
 * Forward and backward pass over one micro-batch; **adds** its gradient into
 * `gradients` (the flat fused buffer, in the model's layout).
 *
 * The loss differentiated is Σ per-sample cross-entropy / `globalBatch`, so
 * that summing every worker's (and every micro-batch's) contribution with the
 * allreduce gives exactly the gradient of the global batch mean (invariant 1).
 *
 * Tensor data is read after the tidy scope closes: a tidy that returns a large
 * typed array is slow (DESIGN.md, measured facts).
 */
export function accumulateGradients(
  model: Model,
  pixels: Float32Array,
  labels: Int32Array,
  count: number,
  inputSize: number,
  numClasses: number,
  globalBatch: number,
  gradients: Float32Array,
): MicroBatchResult {
  if (count === 0) return { lossSum: 0, correct: 0 };
  const { grads, lossSum, correct } = tf.tidy(() => {
    const x = tf.tensor2d(pixels.subarray(0, count * inputSize), [count, inputSize]);
    const labelTensor = tf.tensor1d(labels.subarray(0, count), "int32");
    const oneHot = tf.oneHot(labelTensor, numClasses);
    let lossSum: tf.Tensor | undefined;
    let correct: tf.Tensor | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const logits = model.logits(x);
      const perSampleLoss = tf.losses.softmaxCrossEntropy(oneHot, logits, undefined, 0, tf.Reduction.NONE);
      // kept: the gradient scope disposes everything else it created
      lossSum = tf.keep(tf.sum(perSampleLoss));
      correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labelTensor), "int32")));
      return tf.div<tf.Scalar>(lossSum, globalBatch);
    }, model.variables);
    value.dispose();
    return { grads: model.variables.map((v) => grads[v.name]!), lossSum: lossSum!, correct: correct! };
  });
  const slots = model.layout.slots;
  for (let i = 0; i < grads.length; i++) {
    const g = grads[i]!;
    const data = g.dataSync() as Float32Array;
    // the allreduce's SIMD add: micro-batches accumulate with the same kernel
    addInto(gradients, slots[i]!.offset, bytesOf(data), data.length);
    g.dispose();
  }
  const result = { lossSum: lossSum.dataSync()[0]!, correct: correct.dataSync()[0]! };
  lossSum.dispose();
  correct.dispose();
  return result;
}
