import * as tf from "@tensorflow/tfjs";
import { forEachChunk } from "../data/contiguous-chunks.js";
import { sampleSize, type Dataset } from "../data/dataset.js";
import { RingtrainError } from "../core/errors.js";
import { buildModel } from "../model/models.js";
import type { Model } from "../model/model.js";
import type { TrainedRun } from "./trained-run.js";

/** Class predictions for every sample of a dataset, with the winning probability. */
export interface Predictions {
  /** argmax class per sample */
  classes: Uint8Array;
  /** softmax probability of the predicted class per sample */
  confidence: Float32Array;
  /** full softmax output, `count × numClasses`, row-major */
  probabilities: Float32Array;
}

const CHUNK = 1000;

/**
 * Builds the run's model on the active tfjs backend with its final weights,
 * shaped for `input` (which must match the training data's sample shape).
 *
 * @throws RingtrainError DATA_INVALID when the weights do not fit the model (a
 *   different sample shape or class count than the run was trained on).
 */
export function restoreModel(run: TrainedRun, input: Dataset, numClasses: number): Model {
  const model = buildModel(run.config.model, input, numClasses);
  if (model.layout.totalSize !== run.weights.length) {
    model.dispose();
    throw new RingtrainError(
      "DATA_INVALID",
      `${run.dir}/weights.bin holds ${run.weights.length} values but the model for ${input.height}x${input.width}x${input.channels} inputs and ${numClasses} classes has ${model.layout.totalSize}: ` +
        `predict on data shaped like the training data`,
    );
  }
  model.setWeights(run.weights);
  return model;
}

/** Runs `model` in inference mode over all of `dataset`, in chunks of bounded size. */
export function predict(model: Model, dataset: Dataset, numClasses: number): Predictions {
  const inputSize = sampleSize(dataset);
  const probabilities = new Float32Array(dataset.count * numClasses);
  forEachChunk(dataset, 0, dataset.count, CHUNK, ({ start, count: n, pixels }) => {
    const probs = tf.tidy(() => tf.softmax(model.logits(tf.tensor2d(pixels, [n, inputSize]))));
    probabilities.set(probs.dataSync(), start * numClasses);
    probs.dispose();
  });
  const classes = argmaxRows(probabilities, numClasses);
  const confidence = Float32Array.from(classes, (c, i) => probabilities[i * numClasses + c]!);
  return { classes, confidence, probabilities };
}

/**
 * The class of every row of `probabilities` (`rows × numClasses`, row-major):
 * the index of its largest value, the first one on a tie.
 */
export function argmaxRows(probabilities: Float32Array, numClasses: number): Uint8Array {
  const classes = new Uint8Array(probabilities.length / numClasses);
  for (let i = 0; i < classes.length; i++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (probabilities[i * numClasses + c]! > probabilities[i * numClasses + best]!) best = c;
    classes[i] = best;
  }
  return classes;
}

/** The share of `classes` equal to the `labels` at the same index (0 to 1). */
export function accuracyOf(classes: ArrayLike<number>, labels: ArrayLike<number>): number {
  let correct = 0;
  for (let i = 0; i < classes.length; i++) if (classes[i] === labels[i]) correct++;
  return correct / classes.length;
}
