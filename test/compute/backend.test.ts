import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { selectBackend } from "../../src/compute/backend.js";
import { isRingtrainError } from "../../src/core/errors.js";
import { runCli } from "../helpers/cli.js";
import { nativeInstalled } from "../helpers/installed.js";


describe("backend selection", () => {
  it.skipIf(nativeInstalled)("asking for tensorflow where it is not installed fails with how to install it", async () => {
    const error = await selectBackend("tensorflow").catch((e: unknown) => e);
    expect(isRingtrainError(error) && error.code).toBe("BACKEND_UNAVAILABLE");
    expect(String((error as Error).message)).toMatch(/npm install @tensorflow\/tfjs-node/);
  });

  it.skipIf(nativeInstalled)("auto falls back to wasm (SIMD) and installs its kernel patches", async () => {
    const info = await selectBackend("auto");
    expect(info.name).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(info.device).toMatch(/tfjs-backend-wasm/);
    // the patched filter gradient exists: shipped wasm has none
    expect(tf.getKernel("Conv2DBackpropFilter", "wasm")).toBeDefined();
  });

  it("cpu is always available", async () => {
    expect((await selectBackend("cpu")).name).toBe("cpu");
  });

  it.skipIf(nativeInstalled)("a run asking for an absent backend ends at once, naming the worker and the fix", async () => {
    const r = await runCli(["train", "--backend", "tensorflow", "--workers", "2", "--epochs", "1", "--train-limit", "256", "--test-limit", "64", "--runs-dir", "/tmp/rt-backend-test"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/BACKEND_UNAVAILABLE/);
    expect(r.stderr).toMatch(/worker \d \(host .*, pid \d+\) failed during selecting backend/);
    expect(r.stderr).toMatch(/npm install @tensorflow\/tfjs-node/);
  });
});
