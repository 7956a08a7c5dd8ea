import * as tf from "@tensorflow/tfjs";
import type { LossName } from "./loss-names.js";

/**
 * Per-sample loss `[n]` of class scores `logits` against one-hot `labels`.
 *
 * - `crossEntropy`: softmax cross-entropy (log loss).
 * - `meanSquaredError`: Keras's MSE of a softmax output, the mean over classes
 *   of (softmax(logits) − one-hot)².
 *
 * Note the argument order of `tf.losses.softmaxCrossEntropy`: the 4th is label
 * smoothing, the 5th the reduction (passing NONE 4th silently gives the mean).
 */
export function perSampleLoss(name: LossName, labels: tf.Tensor2D, logits: tf.Tensor2D): tf.Tensor1D {
  switch (name) {
    case "crossEntropy":
      return tf.losses.softmaxCrossEntropy<tf.Tensor2D, tf.Tensor1D>(labels, logits, undefined, 0, tf.Reduction.NONE);
    case "meanSquaredError":
      return tf.mean(tf.squaredDifference(tf.softmax(logits), labels), 1);
  }
}
