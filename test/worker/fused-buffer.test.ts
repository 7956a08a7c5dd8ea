import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../src/compute/backend.js";
import { modelConfigSchema } from "../../src/model/model-config.js";
import { buildModel } from "../../src/model/models.js";
import { fusedLayout, spanOf } from "../../src/worker/fused-buffer.js";
import { accumulateGradients } from "../../src/worker/gradient-step.js";

const MNIST = { height: 28, width: 28, channels: 1 };

describe("the fused buffer's layout", () => {
  it("is [gradients | batch-norm statistics | Σ loss], back to back", () => {
    const fused = fusedLayout({ trainableSize: 5, statisticsSize: 3 });
    expect(fused).toEqual({ gradients: { offset: 0, length: 5 }, batchNormStats: { offset: 5, length: 3 }, lossSum: 8, length: 9 });
    expect(fusedLayout({ trainableSize: 4, statisticsSize: 0 })).toEqual({ gradients: { offset: 0, length: 4 }, batchNormStats: { offset: 4, length: 0 }, lossSum: 4, length: 5 });
  });

  it("gives views of its spans, not copies", () => {
    const fused = fusedLayout({ trainableSize: 2, statisticsSize: 2 });
    const buffer = new Float32Array(fused.length);
    spanOf(buffer, fused.batchNormStats).fill(7);
    expect(Array.from(buffer)).toEqual([0, 0, 7, 7, 0]);
  });

  describe("as accumulateGradients fills it", () => {
    beforeAll(async () => {
      await selectBackend("cpu");
    });

    it("puts a batch-norm model's gradients at the trainable parameters' offsets, its statistics after them, and leaves Σ loss to the trainer", async () => {
      const config = modelConfigSchema.parse({ name: "sequential", layers: [{ type: "flatten" }, { type: "dense", units: 6 }, { type: "batchNormalization" }, { type: "dense", units: 10, activation: "softmax" }] });
      const model = buildModel(config, MNIST, 10);
      try {
        model.setWeights(model.initialWeights(3));
        const fused = fusedLayout(model);
        // the gradients span ends where the first non-trainable tensor (a moving mean) starts
        expect(fused.gradients.length).toBe(model.layout.slots[model.variables.length]!.offset);
        expect(fused.batchNormStats.length).toBe(2 * 6);
        const count = 4;
        const pixels = Float32Array.from({ length: count * 784 }, (_, i) => (i % 13) / 13);
        const labels = Int32Array.of(1, 2, 3, 4);
        const buffer = new Float32Array(fused.length);
        await accumulateGradients(model, { pixels, labels, count, inputSize: 784, dropout: { seed: 1, epoch: 0, sampleIds: Uint32Array.of(0, 1, 2, 3) } }, 10, "crossEntropy", count, buffer);
        const last = model.layout.slots[model.variables.length - 1]!;
        expect(spanOf(buffer, { offset: last.offset, length: last.size }).some((g) => g !== 0)).toBe(true);
        expect(spanOf(buffer, fused.batchNormStats).some((s) => s !== 0)).toBe(true);
        expect(buffer[fused.lossSum]).toBe(0);
      } finally {
        model.dispose();
      }
    });
  });
});
