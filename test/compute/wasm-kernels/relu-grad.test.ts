import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { installKernelPatches } from "../../../src/compute/kernel-patches.js";
import { expectWasmMatchesCpu, normals, take } from "./backend-compare.js";

// The fused ReLU gradient (RingtrainReluGrad, a SIMD kernel) against tfjs's mul(dy, step(x)) on cpu.
const special = [0, -0, NaN, Infinity, -Infinity, 1e-30, -1e-30, 3.5, -2];

/** x and dy of `size` values: normals, with the special values spread over both (so every pairing occurs). */
function inputs(size: number): { x: Float32Array; dy: Float32Array } {
  const x = normals(21, size);
  const dy = normals(22, size);
  for (let i = 0; i < size; i++) {
    if (i % 3 === 0) x[i] = special[(i / 3) % special.length] as number;
    if (i % 5 === 0) dy[i] = special[Math.floor(i / 5) % special.length] as number;
  }
  return { x, dy };
}

async function reluGrad(backend: string, x: Float32Array, dy: Float32Array, shape: number[]): Promise<Float32Array> {
  await tf.setBackend(backend);
  if (backend === "wasm") installKernelPatches("wasm");
  const before = tf.memory().numTensors;
  const xt = tf.tensor(x, shape);
  const dyt = tf.tensor(dy, shape);
  const dx = take(tf.grad((v: tf.Tensor) => tf.relu(v))(xt, dyt));
  xt.dispose();
  dyt.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return dx;
}

describe("wasm ReLU gradient (fused kernel)", () => {
  // 4·k elements, and sizes with a 1..3 element scalar tail
  for (const shape of [[4, 6, 6, 8], [3, 7, 5, 3], [2, 5], [1]]) {
    it(`equals cpu bit for bit, specials included, shape [${shape.join(",")}]`, async () => {
      const size = shape.reduce((p, d) => p * d, 1);
      const { x, dy } = inputs(size);
      const reference = await reluGrad("cpu", x, dy, shape);
      const actual = await reluGrad("wasm", x, dy, shape);
      await tf.setBackend("cpu");
      for (let i = 0; i < size; i++) {
        if (!Object.is(actual[i], reference[i])) {
          expect.fail(`element ${i}: x ${x[i]}, dy ${dy[i]}: wasm ${actual[i]}, cpu ${reference[i]}`);
        }
      }
    });
  }

  it("leaves other backends on tfjs's own gradient once installed (the registry is global)", async () => {
    const { x, dy } = inputs(30);
    await reluGrad("wasm", x, dy, [30]);
    const onCpu = await reluGrad("cpu", x, dy, [30]);
    await tf.setBackend("cpu");
    const expected = tf.tidy(() => tf.mul(tf.tensor(dy), tf.step(tf.tensor(x))).dataSync() as Float32Array);
    expect(Array.from(onCpu)).toEqual(Array.from(expected));
  });

  it("a relu network's weight gradients match cpu", async () => {
    const xv = normals(23, 6 * 10);
    const wv = normals(24, 10 * 12);
    await expectWasmMatchesCpu(() => {
      const x = tf.tensor2d(xv, [6, 10]);
      const w = tf.tensor2d(wv, [10, 12]);
      const dw = tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.relu(tf.matMul(x, v as tf.Tensor2D)))))(w);
      const out = { dw: take(dw) };
      x.dispose();
      w.dispose();
      return out;
    });
  });
});
