import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { runConfigSchema } from "../../../src/config/schema.js";
import { isRingtrainError } from "../../../src/core/errors.js";
import { layerConfigSchema, type LayerConfig } from "../../../src/model/layers/layer-config.js";
import { planNetwork } from "../../../src/model/layers/network-plan.js";
import { initialWeights } from "../../../src/model/layers/weight-init.js";
import { planModel } from "../../../src/model/models.js";

const MNIST = { height: 28, width: 28, channels: 1 };
const layers = (specs: unknown[]): LayerConfig[] => specs.map((s) => layerConfigSchema.parse(s));

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isRingtrainError(e) && e.code === "CONFIG_INVALID") return e.message;
    throw e;
  }
  throw new Error("expected a CONFIG_INVALID error");
}

describe("planNetwork", () => {
  it("resolves the reference CNN's shapes and parameter count (Keras: 225,034)", async () => {
    const config = runConfigSchema.parse(JSON.parse(await readFile("configs/cnn.json", "utf8")));
    const plan = planModel(config.model, MNIST, 10);
    expect(plan.layers.map((l) => l.outputShape)).toEqual([[26, 26, 32], [13, 13, 32], [11, 11, 64], [5, 5, 64], [1600], [128], [10]]);
    expect(plan.trainableSize).toBe(225_034);
    expect(plan.layout.totalSize).toBe(225_034);
    expect(plan.statisticsSize).toBe(0);
  });

  it("computes same/valid padding and strides like Keras", () => {
    const plan = planNetwork(
      layers([
        { type: "conv2d", filters: 8, kernelSize: 3, strides: 2, padding: "same" },
        { type: "conv2d", filters: 4, kernelSize: [3, 2], strides: 2 },
        { type: "avgPool", poolSize: 2, padding: "same" },
        { type: "flatten" },
        { type: "dense", units: 10 },
      ]),
      { height: 28, width: 27, channels: 1 },
      10,
    );
    expect(plan.layers.map((l) => l.outputShape).slice(0, 3)).toEqual([[14, 14, 8], [6, 7, 4], [3, 4, 4]]);
  });

  it("places batch-norm state after every trainable tensor and counts its statistics", () => {
    const plan = planNetwork(
      layers([{ type: "flatten" }, { type: "dense", units: 16 }, { type: "batchNormalization" }, { type: "dense", units: 10 }]),
      MNIST,
      10,
    );
    const names = plan.layout.slots.map((s) => s.name);
    expect(names).toEqual([
      "dense0/kernel",
      "dense0/bias",
      "batchNormalization0/gamma",
      "batchNormalization0/beta",
      "dense1/kernel",
      "dense1/bias",
      "batchNormalization0/movingMean",
      "batchNormalization0/movingVariance",
    ]);
    expect(plan.trainableSize).toBe(784 * 16 + 16 + 32 + 16 * 10 + 10);
    expect(plan.statisticsSize).toBe(32);
    const w = initialWeights(plan, 7);
    const variance = plan.layout.slots[7]!;
    expect(Array.from(plan.layout.view(w, variance))).toEqual(new Array(16).fill(1));
    const gamma = plan.layout.slots[2]!;
    expect(Array.from(plan.layout.view(w, gamma))).toEqual(new Array(16).fill(1));
  });

  it("draws Glorot-uniform kernels within the Keras limit, deterministically from the seed", () => {
    const plan = planModel({ name: "mlp", hidden: [64], activation: "relu", dropout: 0 }, MNIST, 10);
    const a = initialWeights(plan, 3);
    const b = initialWeights(plan, 3);
    const c = initialWeights(plan, 4);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const kernel = plan.layout.view(a, plan.layout.slots[0]!);
    const limit = Math.sqrt(6 / (784 + 64));
    expect(Math.max(...kernel.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...kernel.map(Math.abs))).toBeGreaterThan(0.9 * limit);
    expect(plan.layout.view(a, plan.layout.slots[1]!).every((v) => v === 0)).toBe(true);
  });

  it("names the layer that does not fit", () => {
    expect(configError(() => planNetwork(layers([{ type: "dense", units: 10 }]), MNIST, 10))).toMatch(/layers\[0\] \(dense\).*flatten/);
    expect(configError(() => planNetwork(layers([{ type: "flatten" }, { type: "conv2d", filters: 2, kernelSize: 3 }, { type: "dense", units: 10 }]), MNIST, 10))).toMatch(
      /layers\[1\] \(conv2d\).*image input/,
    );
    expect(configError(() => planNetwork(layers([{ type: "conv2d", filters: 2, kernelSize: 29 }, { type: "flatten" }, { type: "dense", units: 10 }]), MNIST, 10))).toMatch(
      /29x29 kernel does not fit its 28x28 input/,
    );
    expect(configError(() => planNetwork(layers([{ type: "flatten" }, { type: "dense", units: 12 }]), MNIST, 10))).toMatch(/output layer.*"units": 10/);
    expect(configError(() => planNetwork(layers([{ type: "flatten" }, { type: "dense", units: 10, activation: "relu" }]), MNIST, 10))).toMatch(/softmax or linear/);
  });
});

describe("model config", () => {
  it("defaults to the MLP 128-64 and infers sequential from layers", () => {
    expect(runConfigSchema.parse({}).model).toEqual({ name: "mlp", hidden: [128, 64], activation: "relu", dropout: 0 });
    const seq = runConfigSchema.parse({ model: { layers: [{ type: "flatten" }, { type: "dense", units: 10 }] } }).model;
    expect(seq.name).toBe("sequential");
  });

  it("rejects unknown layer types and fields", () => {
    expect(runConfigSchema.safeParse({ model: { layers: [{ type: "lstm", units: 3 }] } }).success).toBe(false);
    expect(runConfigSchema.safeParse({ model: { layers: [{ type: "dense", units: 3, kernel: 2 }] } }).success).toBe(false);
    expect(runConfigSchema.safeParse({ model: { name: "mlp", hidden: [10], dropout: 1 } }).success).toBe(false);
  });
});
