import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../src/common/compute/backend.js";
import { loadDataset } from "../../src/common/data/datasets.js";
import { gatherBatch } from "../../src/common/data/dataset.js";
import { buildModel } from "../../src/common/model/models.js";
import { createOptimizer } from "../../src/common/model/optimizers/registry.js";
import { accumulateGradients } from "../../src/worker/gradient-step.js";
import { evaluateShare } from "../../src/worker/evaluator.js";

describe("tensor memory is constant per step (invariant 5)", () => {
  beforeAll(async () => {
    await selectBackend("wasm");
  });

  it("200 steps of gradient, update and evaluation leave the tensor count unchanged", async () => {
    const train = await loadDataset("mnist", "train", { limit: 1000 });
    const test = await loadDataset("mnist", "test", { limit: 100 });
    const model = buildModel({ name: "mlp", hidden: [32], activation: "relu" }, 784, 10);
    const params = model.initialWeights(1);
    model.setWeights(params);
    const optimizer = createOptimizer({ name: "adam", learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, params.length);
    const grads = new Float32Array(params.length);
    const pixels = new Float32Array(16 * 784);
    const labels = new Int32Array(16);
    const counts: number[] = [];
    for (let step = 0; step < 200; step++) {
      const indices = Array.from({ length: 16 }, (_, i) => (step * 16 + i) % train.count);
      gatherBatch(train, indices, pixels, labels);
      grads.fill(0);
      accumulateGradients(model, pixels, labels, 16, 784, 10, 16, grads);
      optimizer.apply(params, grads);
      model.setWeights(params);
      if (step % 50 === 0) evaluateShare(model, test, 0, 1);
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    expect(counts[0]).toBe(model.variables.length);
    model.dispose();
  });
});
