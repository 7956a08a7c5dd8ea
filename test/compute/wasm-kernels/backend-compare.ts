import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { expect } from "vitest";
import { installKernelPatches } from "../../../src/compute/kernel-patches.js";
import { createRng } from "../../../src/core/random.js";
import { largestError } from "../largest-error.js";

/** A seeded normal tensor's values, the same on every backend. */
export function normals(seed: number, size: number): Float32Array {
  const rng = createRng(0x7465_7374, seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.nextNormal();
  return out;
}

/**
 * Runs `compute` on the cpu backend (the reference), then on wasm with the
 * kernel patches installed, and expects every returned array to agree within
 * `rtol` relative to the reference array's largest magnitude (plus 1e-6
 * absolute, for gradients that are zero up to rounding). `compute` must
 * read its results out of the tensors and dispose them: the wasm run also
 * checks that it leaves the tensor count unchanged.
 */
export async function expectWasmMatchesCpu(compute: () => Record<string, Float32Array>, rtol = 1e-4): Promise<void> {
  await tf.setBackend("cpu");
  const reference = compute();
  await tf.setBackend("wasm");
  installKernelPatches("wasm");
  const before = tf.memory().numTensors;
  const actual = compute();
  expect(tf.memory().numTensors).toBe(before);
  await tf.setBackend("cpu");
  expect(Object.keys(actual).sort()).toEqual(Object.keys(reference).sort());
  for (const [name, ref] of Object.entries(reference)) {
    const got = actual[name] as Float32Array;
    expect(got.length, name).toBe(ref.length);
    const { error: worst, at: worstAt, scale } = largestError(got, ref);
    expect(worst, `${name}: largest error at ${worstAt} (wasm ${got[worstAt]}, cpu ${ref[worstAt]}, scale ${scale})`)
      .toBeLessThanOrEqual(rtol * scale + 1e-6);
  }
}

/** Reads a tensor's values (outside any tidy: see docs/design.md, "Measured facts") and disposes it. */
export function take(t: tf.Tensor): Float32Array {
  const v = t.dataSync() as Float32Array;
  t.dispose();
  return Float32Array.from(v);
}
