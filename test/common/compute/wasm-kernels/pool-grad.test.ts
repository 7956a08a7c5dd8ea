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
