import * as tf from "@tensorflow/tfjs";
import { describe, it } from "vitest";
import { expectWasmMatchesCpu, normals, take } from "./backend-compare.js";

describe("wasm Sum patch (leading axes as a column sum; others shipped)", () => {
  const cases: Array<{ shape: number[]; axis: number[]; keepDims: boolean }> = [
    { shape: [7, 5, 3, 4], axis: [0, 1, 2], keepDims: false },
    { shape: [7, 5, 3, 4], axis: [2, 0, 1], keepDims: true },
    { shape: [7, 5, 3, 4], axis: [-4, -3], keepDims: false },
    { shape: [9, 6], axis: [0], keepDims: false },
    { shape: [9, 6], axis: [1], keepDims: false },
    { shape: [7, 5, 3, 4], axis: [1, 2], keepDims: true },
    { shape: [7, 5, 3, 4], axis: [0, 1, 2, 3], keepDims: false },
    // the SIMD column sum over several 256-row blocks, the last one partial; and a row length that is not a multiple of 4
    { shape: [9, 11, 7, 12], axis: [0, 1, 2], keepDims: false },
    { shape: [600, 6], axis: [0], keepDims: false },
  ];
  for (const c of cases) {
    it(`sum [${c.shape.join(",")}] over [${c.axis.join(",")}]${c.keepDims ? " keepDims" : ""}`, async () => {
      const size = c.shape.reduce((p, d) => p * d, 1);
      const xv = normals(4, size);
      await expectWasmMatchesCpu(() => {
        const x = tf.tensor(xv, c.shape);
        const s = tf.sum(x, c.axis, c.keepDims);
        const shape = Float32Array.from(s.shape);
        const out = { s: take(s), shape };
        x.dispose();
        return out;
      });
    });
  }

  it("the bias gradient of a conv layer (sum over N, H, W of dy)", async () => {
    const xv = normals(5, 3 * 6 * 5 * 2);
    const bv = normals(6, 2);
    await expectWasmMatchesCpu(() => {
      const x = tf.tensor4d(xv, [3, 6, 5, 2]);
      const b = tf.tensor1d(bv);
      const db = tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.add(x, v))))(b);
      const out = { db: take(db) };
      x.dispose();
      b.dispose();
      return out;
    });
  });
});
