import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../src/compute/backend.js";
import { loadDataset } from "../../src/data/datasets.js";
import { gatherBatch } from "../../src/data/dataset.js";
import type { ModelConfig } from "../../src/model/model.js";
import { buildModel } from "../../src/model/models.js";
import { createOptimizer } from "../../src/model/optimizers/registry.js";
import { fusedLayout, spanOf } from "../../src/worker/fused-buffer.js";
import { accumulateGradients } from "../../src/worker/gradient-step.js";
import { evaluateShare } from "../../src/worker/evaluator.js";

const MODELS: Array<[string, ModelConfig, number]> = [
  ["the MLP", { name: "mlp", hidden: [32], activation: "relu", dropout: 0 }, 200],
  [
    "a CNN with batch norm and dropout",
    {
      name: "sequential",
      layers: [
        { type: "conv2d", filters: 4, kernelSize: 3, strides: 1, padding: "same", activation: "relu", useBias: true },
        { type: "batchNormalization", momentum: 0.9, epsilon: 1e-3 },
        { type: "maxPool", poolSize: 2, padding: "valid" },
        { type: "avgPool", poolSize: 2, padding: "valid" },
        { type: "flatten" },
        { type: "dropout", rate: 0.3 },
        { type: "dense", units: 10, activation: "softmax", useBias: true },
      ],
    },
    40,
  ],
];

describe("tensor memory is constant per step (invariant 5)", () => {
  beforeAll(async () => {
    await selectBackend("wasm");
  });

  it.each(MODELS)("steps of gradient, update and evaluation of %s leave the tensor count unchanged", async (_, config, steps) => {
    const train = await loadDataset("mnist", "train", { limit: 1000 });
    const test = await loadDataset("mnist", "test", { limit: 100 });
    const model = buildModel(config, train, 10);
    const params = model.initialWeights(1);
    model.setWeights(params);
    const optimizer = createOptimizer({ name: "adam", learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, model.trainableSize);
    const fused = fusedLayout(model);
    const buffer = new Float32Array(fused.length);
    const pixels = new Float32Array(16 * 784);
    const labels = new Int32Array(16);
    const counts: number[] = [];
    for (let step = 0; step < steps; step++) {
      const indices = Uint32Array.from({ length: 16 }, (_, i) => (step * 16 + i) % train.count);
      gatherBatch(train, indices, pixels, labels);
      buffer.fill(0);
      const batch = { pixels, labels, count: 16, inputSize: 784, dropout: { seed: 1, epoch: 0, sampleIds: indices } };
      await accumulateGradients(model, batch, 10, "crossEntropy", 16, buffer);
      optimizer.apply(params.subarray(0, model.trainableSize), spanOf(buffer, fused.gradients));
      model.updateState(params, spanOf(buffer, fused.batchNormStats));
      model.setWeights(params);
      if (step % 20 === 0) await evaluateShare(model, test, 0, 1, "crossEntropy");
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    expect(counts[0]).toBe(model.layout.slots.length);
    model.dispose();
  });
});
