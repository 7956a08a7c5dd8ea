import * as tf from "@tensorflow/tfjs";
import { describe, it } from "vitest";
import { expectWasmMatchesCpu, normals, take } from "./backend-compare.js";

// MaxPoolGrad (patched) and AvgPoolGrad (shipped) through the gradients of tf.maxPool / tf.avgPool.
interface Case { n: number; h: number; w: number; c: number; size: [number, number]; stride: number; pad: "same" | "valid" }

const cases: Case[] = [];
for (const stride of [1, 2]) {
  for (const pad of ["same", "valid"] as const) {
    cases.push({ n: 1, h: 6, w: 5, c: 1, size: [2, 2], stride, pad });
    cases.push({ n: 3, h: 9, w: 7, c: 5, size: [3, 2], stride, pad });
    cases.push({ n: 5, h: 8, w: 8, c: 32, size: [2, 2], stride, pad });
  }
}
cases.push({ n: 3, h: 11, w: 10, c: 4, size: [3, 3], stride: 2, pad: "same" });

describe("wasm pooling gradients", () => {
  for (const c of cases) {
    for (const pool of ["max", "avg"] as const) {
      it(`${pool}Pool n${c.n} ${c.h}x${c.w}x${c.c}, window ${c.size.join("x")}, stride ${c.stride}, ${c.pad}`, async () => {
        const xv = normals(3, c.n * c.h * c.w * c.c);
        await expectWasmMatchesCpu(() => {
          const x = tf.tensor4d(xv, [c.n, c.h, c.w, c.c]);
          const op = (a: tf.Tensor4D) => (pool === "max" ? tf.maxPool(a, c.size, c.stride, c.pad) : tf.avgPool(a, c.size, c.stride, c.pad));
          // Weighting the output by itself makes every window's gradient different.
          const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.square(op(a as tf.Tensor4D))))(x);
          const out = { y: take(op(x)), dx: take(dx) };
          x.dispose();
          return out;
        });
      });
    }
  }
});

describe("wasm MaxPoolGrad: ties, NaN and −∞ follow cpu's first-maximum rule", () => {
  // Values from {−1, 0, 1} tie often; NaN and −∞ sprinkled in, and windows that are all −∞.
  const make = (size: number): Float32Array => {
    const v = normals(7, size).map((r) => Math.round(r));
    for (let i = 0; i < size; i += 7) v[i] = NaN;
    for (let i = 3; i < size; i += 11) v[i] = -Infinity;
    v.fill(-Infinity, 0, 8); // the first 2×2 windows of a 4-channel input: all −∞
    return v;
  };
  const shapes: Array<{ shape: [number, number, number, number]; size: [number, number]; stride: number; pad: "same" | "valid" }> = [
    { shape: [3, 6, 6, 4], size: [2, 2], stride: 2, pad: "valid" },
    { shape: [2, 7, 5, 4], size: [2, 2], stride: 1, pad: "same" },
    { shape: [2, 7, 7, 3], size: [3, 3], stride: 2, pad: "same" },
    { shape: [1, 5, 8, 4], size: [1, 4], stride: 2, pad: "valid" },
  ];
  for (const c of shapes) {
    it(`[${c.shape.join(",")}], window ${c.size.join("x")}, stride ${c.stride}, ${c.pad}`, async () => {
      const size = c.shape.reduce((p, d) => p * d, 1);
      const xv = make(size);
      await expectWasmMatchesCpu(() => {
        const x = tf.tensor4d(xv, c.shape);
        const y = tf.maxPool(x, c.size, c.stride, c.pad);
        // a fixed finite upstream gradient, different per output element
        const dy = tf.tensor(normals(8, y.size), y.shape);
        const dx = tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, c.size, c.stride, c.pad))(x, dy);
        const out = { dx: take(dx) };
        for (const t of [x, y, dy]) t.dispose();
        return out;
      });
    });
  }
});
