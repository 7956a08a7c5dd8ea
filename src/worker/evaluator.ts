import * as tf from "@tensorflow/tfjs";
import { forEachChunk } from "../data/contiguous-chunks.js";
import { sampleSize, type Dataset } from "../data/dataset.js";
import { workerShare } from "../data/sampler.js";
import type { LossName } from "../model/loss-names.js";
import { perSampleLoss } from "../model/loss.js";
import type { Model } from "../model/model.js";

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
export async function evaluateShare(model: Model, dataset: Dataset, rank: number, worldSize: number, lossName: LossName): Promise<EvaluationPart> {
  const share = workerShare(dataset.count, worldSize, rank);
  const inputSize = sampleSize(dataset);
  // per-chunk sums stay on the device until the end: they are read asynchronously (webgpu has no synchronous read in Node)
  const sums: Array<[tf.Tensor, tf.Tensor]> = [];
  forEachChunk(dataset, share.offset, share.count, EVAL_CHUNK, ({ count: n, pixels, labels }) => {
    const [loss, hits] = tf.tidy((): [tf.Tensor, tf.Tensor] => {
      const x = tf.tensor2d(pixels, [n, inputSize]);
      const y = tf.tensor1d(labels, "int32");
      const logits = model.logits(x);
      const perSample = perSampleLoss(lossName, tf.oneHot(y, dataset.numClasses) as tf.Tensor2D, logits);
      return [tf.sum(perSample), tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), "int32"))];
    });
    sums.push([loss, hits]);
  });
  let lossSum = 0;
  let correct = 0;
  for (const [loss, hits] of sums) {
    lossSum += (await loss.data())[0]!;
    correct += (await hits.data())[0]!;
    loss.dispose();
    hits.dispose();
  }
  return { lossSum, correct, count: share.count };
}
