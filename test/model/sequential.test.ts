import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../src/compute/backend.js";
import { createRng } from "../../src/core/random.js";
import { fillDropoutMask } from "../../src/model/layers/dropout-mask.js";
import type { ModelConfig } from "../../src/model/model.js";
import { buildModel } from "../../src/model/models.js";

const INPUT = { height: 12, width: 10, channels: 2 };
const FEATURES = 12 * 10 * 2;

const CNN: ModelConfig = {
  name: "sequential",
  layers: [
    { type: "conv2d", filters: 4, kernelSize: 3, strides: 1, padding: "same", activation: "relu", useBias: true },
    { type: "batchNormalization", momentum: 0.9, epsilon: 1e-3 },
    { type: "maxPool", poolSize: 2, padding: "valid" },
    { type: "conv2d", filters: 3, kernelSize: [3, 2], strides: 2, padding: "valid", activation: "elu", useBias: true },
    { type: "avgPool", poolSize: 2, padding: "same" },
    { type: "flatten" },
    { type: "dense", units: 7, activation: "leakyRelu", useBias: true },
    { type: "dense", units: 5, activation: "softmax", useBias: true },
  ],
};

function randomInput(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * FEATURES }, () => rng.next());
}

/** The same network in Keras terms (tf.layers), weights copied from our flat layout. */
function kerasTwin(flat: Float32Array, slots: ReadonlyArray<{ offset: number; size: number; shape: number[] }>): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [12, 10, 2], filters: 4, kernelSize: 3, padding: "same", activation: "relu" }));
  m.add(tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3 }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 3, kernelSize: [3, 2], strides: 2, activation: "elu" }));
  m.add(tf.layers.averagePooling2d({ poolSize: 2, padding: "same" }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 7 }));
  m.add(tf.layers.leakyReLU({ alpha: 0.3 }));
  m.add(tf.layers.dense({ units: 5 }));
  // tf.layers lists every trainable weight in layer order, then the non-trainable ones: our flat layout's order
  m.setWeights(slots.map((s) => tf.tensor(flat.subarray(s.offset, s.offset + s.size), s.shape)));
  return m;
}

describe("SequentialModel", () => {
  beforeAll(async () => {
    await selectBackend("cpu");
  });

  it("computes the same inference outputs as the Keras-style tf.layers twin", () => {
    const model = buildModel(CNN, INPUT, 5);
    const flat = model.initialWeights(11);
    // non-trivial batch-norm state, to check inference uses the moving statistics
    const slots = model.layout.slots;
    flat.subarray(slots[10]!.offset, slots[10]!.offset + 4).set([0.1, -0.2, 0.3, 0.05]);
    flat.subarray(slots[11]!.offset, slots[11]!.offset + 4).set([0.5, 2, 1.5, 0.8]);
    model.setWeights(flat);
    const x = randomInput(6, 1);
    const twin = kerasTwin(flat, slots);
    const [ours, theirs] = tf.tidy(() => {
      const input = tf.tensor2d(x, [6, FEATURES]);
      return [model.logits(input).dataSync(), (twin.predict(tf.reshape(input, [6, 12, 10, 2])) as tf.Tensor).dataSync()];
    });
    expect(ours.length).toBe(30);
    for (let i = 0; i < ours.length; i++) expect(ours[i]!).toBeCloseTo(theirs[i]!, 5);
    twin.dispose();
    model.dispose();
  });

  it("reports batch statistics whose sum over two halves equals the whole batch's mean and mean square", () => {
    const model = buildModel(CNN, INPUT, 5);
    model.setWeights(model.initialWeights(2));
    const x = randomInput(8, 2);
    const stats = (from: number, to: number): Float32Array =>
      tf.tidy(() => {
        const input = tf.tensor2d(x.subarray(from * FEATURES, to * FEATURES), [to - from, FEATURES]);
        const out = model.forward(input, { training: true, globalBatch: 8, dropout: { seed: 1, epoch: 0, sampleIds: [] } });
        return out.statistics[0]!.dataSync() as Float32Array;
      });
    const whole = stats(0, 8);
    const a = stats(0, 3);
    const b = stats(3, 8);
    expect(whole.length).toBe(8);
    for (let i = 0; i < whole.length; i++) expect(a[i]! + b[i]!).toBeCloseTo(whole[i]!, 5);
    // mean square ≥ square of the mean (a variance is never negative)
    for (let c = 0; c < 4; c++) expect(whole[4 + c]!).toBeGreaterThanOrEqual(whole[c]! * whole[c]! - 1e-6);
    model.dispose();
  });

  it("folds allreduced statistics into the moving averages with the layer's momentum", () => {
    const model = buildModel(CNN, INPUT, 5);
    const flat = model.initialWeights(2);
    const stats = new Float32Array([1, 2, 3, 4, 2, 5, 10, 17]); // means 1..4, mean squares → variances 1,1,1,1
    model.updateState(flat, stats);
    const slots = model.layout.slots;
    const mean = Array.from(flat.subarray(slots[10]!.offset, slots[10]!.offset + 4));
    const variance = Array.from(flat.subarray(slots[11]!.offset, slots[11]!.offset + 4));
    expect(mean.map((v) => +v.toFixed(5))).toEqual([0.1, 0.2, 0.3, 0.4]);
    expect(variance.map((v) => +v.toFixed(5))).toEqual([1, 1, 1, 1]);
    model.dispose();
  });
});

describe("per-sample dropout masks", () => {
  it("give a sample the same mask whichever batch it is in, and drop about `rate` of the units", () => {
    const keys = (ids: number[]) => ({ seed: 5, epoch: 2, sampleIds: ids });
    const together = new Float32Array(3 * 1000);
    fillDropoutMask(0.25, 1000, 4, keys([7, 8, 9]), 3, together);
    const alone = new Float32Array(1000);
    fillDropoutMask(0.25, 1000, 4, keys([8]), 1, alone);
    expect(alone).toEqual(together.subarray(1000, 2000));
    const dropped = together.filter((v) => v === 0).length / together.length;
    expect(dropped).toBeGreaterThan(0.2);
    expect(dropped).toBeLessThan(0.3);
    expect(together.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    const otherEpoch = new Float32Array(1000);
    fillDropoutMask(0.25, 1000, 4, { seed: 5, epoch: 3, sampleIds: [8] }, 1, otherEpoch);
    expect(otherEpoch).not.toEqual(alone);
  });
});
