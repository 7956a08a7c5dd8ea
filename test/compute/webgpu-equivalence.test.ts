import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import { loadWebGpu, takeWebGpuErrors } from "../../src/compute/webgpu-backend.js";
import { largestError } from "./largest-error.js";
import { STEP_MODELS, stepFixture, trainingStep, type StepModel } from "./webgpu-training-steps.js";

// Runs on a machine where Dawn finds a real GPU adapter; skipped elsewhere (these CPU machines), unless
// RINGTRAIN_REQUIRE_WEBGPU=1 (scripts/gpu/verify-webgpu.sh sets it), which turns a missing adapter into a failure.
const loaded = await loadWebGpu();
const required = process.env.RINGTRAIN_REQUIRE_WEBGPU === "1";

describe.runIf(required)("webgpu is required here", () => {
  it("Dawn found a GPU adapter", () => {
    expect(loaded.ok ? "ok" : loaded.reason).toBe("ok");
  });
});

describe.runIf(loaded.ok)(`training steps on webgpu equal cpu's (${loaded.ok ? loaded.device : "no adapter"})`, () => {
  afterAll(async () => {
    await tf.setBackend("cpu");
  });

  for (const name of Object.keys(STEP_MODELS) as StepModel[]) {
    // the cpu reference takes about a minute per CNN step at batch 128: 32 covers the tiling
    for (const batch of name === "cnn" ? [1, 32] : [1, 32, 128]) {
      it(`${name} at batch ${batch}: loss and every gradient within 1e-3 of the largest`, async () => {
        await tf.setBackend("cpu");
        const reference = stepFixture(name, batch);
        const expected = await trainingStep(reference);
        reference.model.dispose();
        expect(await tf.setBackend("webgpu")).toBe(true);
        const f = stepFixture(name, batch);
        const before = tf.memory().numTensors;
        const actual = await trainingStep(f);
        expect(tf.memory().numTensors).toBe(before);
        f.model.dispose();
        expect(takeWebGpuErrors()).toEqual([]);
        expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
        for (const [key, ref] of Object.entries(expected)) {
          const got = actual[key]!;
          expect(got.length, key).toBe(ref.length);
          const { error, at, scale } = largestError(got, ref);
          expect(error / Math.max(scale, 1e-12), `${key}: at ${at} webgpu ${got[at]}, cpu ${ref[at]}, scale ${scale}`).toBeLessThanOrEqual(1e-3);
        }
      });
    }
  }
});
