import * as tf from "@tensorflow/tfjs";
import { gatherBatch, type Dataset } from "../common/data/dataset.js";
import { workerShare } from "../common/data/sampler.js";
import type { LossName } from "../common/config/schema.js";
import { perSampleLoss } from "../common/model/loss.js";
import type { Model } from "../common/model/model.js";

/** This rank's part of a distributed evaluation; the coordinator sums the parts. */
export interface EvaluationPart {
  lossSum: number;
  correct: number;
  count: number;
}

const EVAL_CHUNK = 1000;

/**
 * Evaluates the model on rank `rank`'s contiguous share of `dataset` (shares
 * of all ranks cover it exactly once), in chunks of bounded size.
 */
export function evaluateShare(model: Model, dataset: Dataset, rank: number, worldSize: number, lossName: LossName): EvaluationPart {
  const share = workerShare(dataset.count, worldSize, rank);
  const inputSize = dataset.height * dataset.width * dataset.channels;
  const pixels = new Float32Array(Math.min(EVAL_CHUNK, Math.max(share.count, 1)) * inputSize);
  const labels = new Int32Array(Math.min(EVAL_CHUNK, Math.max(share.count, 1)));
  const indices = new Uint32Array(labels.length);
  let lossSum = 0;
  let correct = 0;
  for (let done = 0; done < share.count; done += EVAL_CHUNK) {
    const n = Math.min(EVAL_CHUNK, share.count - done);
    for (let i = 0; i < n; i++) indices[i] = share.offset + done + i;
    gatherBatch(dataset, indices.subarray(0, n), pixels, labels);
    const [loss, hits] = tf.tidy((): [tf.Tensor, tf.Tensor] => {
      const x = tf.tensor2d(pixels.subarray(0, n * inputSize), [n, inputSize]);
      const y = tf.tensor1d(labels.subarray(0, n), "int32");
      const logits = model.logits(x);
      const perSample = perSampleLoss(lossName, tf.oneHot(y, dataset.numClasses) as tf.Tensor2D, logits);
      return [tf.sum(perSample), tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), "int32"))];
    });
    lossSum += loss.dataSync()[0]!;
    correct += hits.dataSync()[0]!;
    loss.dispose();
    hits.dispose();
  }
  return { lossSum, correct, count: share.count };
}
