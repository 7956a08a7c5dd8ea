import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-webgpu";
import { afterAll, describe, expect, it } from "vitest";
import { loadWebGpu, takeWebGpuErrors } from "../../src/compute/webgpu-backend.js";
import { isRingtrainError } from "../../src/core/errors.js";
import { kernelsOfStep, STEP_MODELS, stepFixture, trainingStep, type StepModel } from "./webgpu-training-steps.js";

const models = Object.keys(STEP_MODELS) as StepModel[];

describe("webgpu kernel coverage of the training steps", () => {
  for (const name of models) {
    it(`every kernel a ${name} training step runs on cpu is registered for webgpu`, async () => {
      await tf.setBackend("cpu");
      // tf.profile also lists composite ops with a custom gradient (softmaxCrossEntropy__op): not kernels
      const needed = (await kernelsOfStep(name)).filter((k) => tf.getKernel(k, "cpu") !== undefined);
      expect(needed).toContain("BatchMatMul");
      if (name === "cnn") expect(needed).toEqual(expect.arrayContaining(["Conv2D", "Conv2DBackpropFilter", "Conv2DBackpropInput", "MaxPoolGrad"]));
      const webgpu = new Set(tf.getKernelsForBackend("webgpu").map((k) => k.kernelName));
      const missing = needed.filter((k) => !webgpu.has(k));
      console.info(`${name} training step kernels (${needed.length}): ${needed.join(" ")}; missing on webgpu: ${missing.join(" ") || "none"}`);
      expect(missing).toEqual([]);
    });
  }
});

// Dawn's null device validates every shader and pipeline as a GPU would, and runs none:
// it proves the WGSL of every kernel the steps use compiles under this Dawn, not its results.
describe("the training steps on Dawn's null device", () => {
  afterAll(async () => {
    await tf.setBackend("cpu");
  });

  it("registers the backend through the same loader, naming the adapter", async () => {
    const loaded = await loadWebGpu({ dawnOptions: ["backend=null"] });
    expect(loaded).toMatchObject({ ok: true });
    expect(loaded.ok && loaded.device).toMatch(/on Dawn: null-backend; Dawn's default adapter/);
    expect(await tf.setBackend("webgpu")).toBe(true);
  });

  for (const name of models) {
    it(`a ${name} step compiles and validates every kernel, without a device error`, async () => {
      await tf.setBackend("webgpu");
      const f = stepFixture(name, 16);
      const before = tf.memory().numTensors;
      const out = await trainingStep(f);
      expect(tf.memory().numTensors).toBe(before);
      expect(Object.keys(out)).toHaveLength(1 + f.model.variables.length);
      f.model.dispose();
      expect(takeWebGpuErrors()).toEqual([]);
    });
  }

  it("a shader that does not validate is reported (so the checks above can fail)", async () => {
    await tf.setBackend("webgpu");
    const device = (tf.backend() as unknown as { device: GPUDevice }).device;
    device.createShaderModule({ code: "fn main( { not wgsl" });
    // errors arrive as events once Dawn processes them
    const deadline = performance.now() + 5_000;
    let errors: string[] = [];
    while (errors.length === 0 && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      errors = takeWebGpuErrors();
    }
    expect(errors.join("\n")).toMatch(/error/i);
  });

  it("a synchronous read of a GPU tensor fails saying to read asynchronously", async () => {
    await tf.setBackend("webgpu");
    // large enough not to be forwarded to the CPU, as tfjs-backend-webgpu does with tiny inputs
    const t = tf.tidy(() => tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])));
    const error = (() => {
      try {
        t.dataSync();
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    t.dispose();
    expect(isRingtrainError(error) && error.code).toBe("BACKEND_UNAVAILABLE");
    expect((error as Error).message).toMatch(/await tensor\.data\(\)/);
  });
});
