import * as tf from "@tensorflow/tfjs";
import { describe, it } from "vitest";
import { expectWasmMatchesCpu, normals, take } from "./backend-compare.js";

// The Add patch: a bias over the last axis by a SIMD kernel (float32, C % 4 = 0, ≥ 4096 elements); other adds shipped.
describe("wasm Add patch (bias over the last axis)", () => {
  const cases: Array<{ a: number[]; b: number[] }> = [
    { a: [9, 30, 20, 12], b: [12] }, // the kernel
    { a: [5, 13, 13, 64], b: [1, 1, 64] }, // the kernel, bias with leading ones
    { a: [300, 128], b: [128] }, // a dense layer's bias
    { a: [9, 30, 20, 6], b: [6] }, // C % 4 ≠ 0: shipped
    { a: [3, 4, 8], b: [8] }, // small: shipped
    { a: [8], b: [40, 8] }, // the bias first: shipped
    { a: [40, 8], b: [40, 8] }, // no broadcast: shipped
  ];
  for (const c of cases) {
    it(`[${c.a.join(",")}] + [${c.b.join(",")}], values and gradients`, async () => {
      const av = normals(31, c.a.reduce((p, d) => p * d, 1));
      const bv = normals(32, c.b.reduce((p, d) => p * d, 1));
      const run = (): { y: tf.Tensor; da: tf.Tensor; db: tf.Tensor; dispose: () => void } => {
        const a = tf.tensor(av, c.a);
        const b = tf.tensor(bv, c.b);
        const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.add(p, q))))([a, b]);
        return { y: tf.add(a, b), da: da as tf.Tensor, db: db as tf.Tensor, dispose: () => tf.dispose([a, b]) };
      };
      // the add itself is exact (one float32 rounding per element); a broadcast operand's gradient is a sum, in another order
      await expectWasmMatchesCpu(() => {
        const r = run();
        const out = { shape: Float32Array.from(r.y.shape), y: take(r.y) };
        tf.dispose([r.da, r.db]);
        r.dispose();
        return out;
      }, 0);
      await expectWasmMatchesCpu(() => {
        const r = run();
        const out = { da: take(r.da), db: take(r.db) };
        r.y.dispose();
        r.dispose();
        return out;
      });
    });
  }
});
