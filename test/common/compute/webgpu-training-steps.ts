import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { runConfigSchema } from "../../../src/common/config/schema.js";
import { perSampleLoss } from "../../../src/common/model/loss.js";
import { buildModel } from "../../../src/common/model/models.js";
import type { Model } from "../../../src/common/model/model.js";
import { createRng } from "../../../src/common/random.js";

/** The two networks the issue names: the configs users train and `bench:compute` measures. */
export const STEP_MODELS = { mlp: "configs/mlp-128-64.json", cnn: "configs/cnn.json" } as const;
export type StepModel = keyof typeof STEP_MODELS;

/** A model with seeded weights and a seeded random batch, the same on every backend. */
export interface StepFixture {
  model: Model;
  pixels: Float32Array;
  labels: Int32Array;
  batch: number;
}

export function stepFixture(name: StepModel, batch: number): StepFixture {
  const config = runConfigSchema.parse(JSON.parse(readFileSync(new URL(`../../../${STEP_MODELS[name]}`, import.meta.url), "utf8")));
  const model = buildModel(config.model, { height: 28, width: 28, channels: 1 }, 10);
  model.setWeights(model.initialWeights(1));
  const rng = createRng(0x7765_6267, 3);
  const pixels = Float32Array.from({ length: batch * 784 }, () => rng.next());
  const labels = Int32Array.from({ length: batch }, () => rng.nextInt(10));
  return { model, pixels, labels, batch };
}

/**
 * One training step's forward and backward pass on the active backend, as the
 * worker computes it (gradient-step.ts): mean cross-entropy over the batch,
 * gradients of every variable. Returns the loss and gradients as tensors, for
 * the caller to read asynchronously (webgpu has no synchronous read in Node).
 */
export function trainingStep(f: StepFixture): { loss: tf.Scalar; grads: tf.Tensor[] } {
  return tf.tidy(() => {
    const x = tf.tensor2d(f.pixels, [f.batch, 784]);
    const y = tf.oneHot(tf.tensor1d(f.labels, "int32"), 10) as tf.Tensor2D;
    const sampleIds = Uint32Array.from({ length: f.batch }, (_, i) => i);
    const { value, grads } = tf.variableGrads(() => {
      const out = f.model.forward(x, { training: true, globalBatch: f.batch, dropout: { seed: 1, epoch: 0, sampleIds } });
      return tf.div<tf.Scalar>(tf.sum(perSampleLoss("crossEntropy", y, out.logits)), f.batch);
    }, f.model.variables);
    return { loss: value, grads: f.model.variables.map((v) => grads[v.name]!) };
  });
}

/** The step's loss and gradients read out (asynchronously) and disposed. */
export async function readStep(step: { loss: tf.Scalar; grads: tf.Tensor[] }): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = { loss: Float32Array.from(await step.loss.data()) };
  for (let i = 0; i < step.grads.length; i++) out[`grad${i}`] = Float32Array.from(await step.grads[i]!.data());
  step.loss.dispose();
  for (const g of step.grads) g.dispose();
  return out;
}

/** The kernels one training step of `name` runs, recorded by tf.profile on the active backend. */
export async function kernelsOfStep(name: StepModel, batch = 8): Promise<string[]> {
  const f = stepFixture(name, batch);
  const info = await tf.profile(async () => {
    await readStep(trainingStep(f));
  });
  f.model.dispose();
  return [...new Set(info.kernelNames)].sort();
}
