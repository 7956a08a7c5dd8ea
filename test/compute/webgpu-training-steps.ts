import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { runConfigSchema } from "../../src/config/schema.js";
import { buildModel } from "../../src/model/models.js";
import type { Model } from "../../src/model/model.js";
import { createRng } from "../../src/core/random.js";
import { fusedLayout, spanOf } from "../../src/worker/fused-buffer.js";
import { accumulateGradients } from "../../src/worker/gradient-step.js";

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
  const config = runConfigSchema.parse(JSON.parse(readFileSync(new URL(`../../${STEP_MODELS[name]}`, import.meta.url), "utf8")));
  const model = buildModel(config.model, { height: 28, width: 28, channels: 1 }, 10);
  model.setWeights(model.initialWeights(1));
  const rng = createRng(0x7765_6267, 3);
  const pixels = Float32Array.from({ length: batch * 784 }, () => rng.next());
  const labels = Int32Array.from({ length: batch }, () => rng.nextInt(10));
  return { model, pixels, labels, batch };
}

/**
 * One training step's forward and backward pass on the active backend, through
 * the worker's own accumulateGradients (gradient-step.ts): mean cross-entropy
 * over the batch, gradients of every variable. Returns the loss (`loss`) and
 * each variable's gradient (`grad0`, `grad1`, ...), read out of the fused
 * gradient buffer by the model's layout; every tensor it made is disposed.
 */
export async function trainingStep(f: StepFixture): Promise<Record<string, Float32Array>> {
  const sampleIds = Uint32Array.from({ length: f.batch }, (_, i) => i);
  // accumulateGradients adds the gradient and the batch-norm statistics into the fused buffer
  const fused = fusedLayout(f.model);
  const buffer = new Float32Array(fused.length);
  const microBatch = { pixels: f.pixels, labels: f.labels, count: f.batch, inputSize: 784, dropout: { seed: 1, epoch: 0, sampleIds } };
  const { lossSum } = await accumulateGradients(f.model, microBatch, 10, "crossEntropy", f.batch, buffer);
  const out: Record<string, Float32Array> = { loss: Float32Array.of(lossSum / f.batch) };
  const gradients = spanOf(buffer, fused.gradients);
  const slots = f.model.layout.slots;
  for (let i = 0; i < f.model.variables.length; i++) out[`grad${i}`] = f.model.layout.view(gradients, slots[i]!).slice();
  return out;
}

/** The kernels one training step of `name` runs, recorded by tf.profile on the active backend. */
export async function kernelsOfStep(name: StepModel, batch = 8): Promise<string[]> {
  const f = stepFixture(name, batch);
  const info = await tf.profile(async () => {
    await trainingStep(f);
  });
  f.model.dispose();
  return [...new Set(info.kernelNames)].sort();
}
