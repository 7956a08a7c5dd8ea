import * as tf from "@tensorflow/tfjs";
import { describe, it } from "vitest";
import { expectWasmMatchesCpu, normals, take } from "./backend-compare.js";

// Conv2DBackpropFilter and Conv2DBackpropInput through the gradients of tf.conv2d.
interface Case { n: number; h: number; w: number; cin: number; cout: number; f: [number, number]; stride: number; pad: "same" | "valid" }

const cases: Case[] = [];
for (const stride of [1, 2]) {
  for (const pad of ["same", "valid"] as const) {
    cases.push({ n: 1, h: 7, w: 5, cin: 1, cout: 16, f: [3, 3], stride, pad }); // K = 9 < Cout: the dyᵀ·cols layout
    cases.push({ n: 3, h: 9, w: 6, cin: 5, cout: 2, f: [3, 2], stride, pad });
    cases.push({ n: 5, h: 8, w: 8, cin: 16, cout: 24, f: [3, 3], stride, pad });
  }
}
cases.push({ n: 3, h: 12, w: 11, cin: 3, cout: 8, f: [5, 5], stride: 3, pad: "same" });
// Large enough for the chunked filter gradient to take 3 chunks of 2 samples, the last one partial.
cases.push({ n: 5, h: 40, w: 40, cin: 8, cout: 8, f: [3, 3], stride: 1, pad: "valid" });

describe("wasm Conv2DBackpropFilter / Conv2DBackpropInput patches", () => {
  for (const c of cases) {
    it(`n${c.n} ${c.h}x${c.w}x${c.cin} -> ${c.cout}, filter ${c.f.join("x")}, stride ${c.stride}, ${c.pad}`, async () => {
      const xv = normals(1, c.n * c.h * c.w * c.cin);
      const wv = normals(2, c.f[0] * c.f[1] * c.cin * c.cout);
      await expectWasmMatchesCpu(() => {
        const x = tf.tensor4d(xv, [c.n, c.h, c.w, c.cin]);
        const w = tf.tensor4d(wv, [c.f[0], c.f[1], c.cin, c.cout]);
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad)));
        const y = tf.conv2d(x, w, c.stride, c.pad);
        const [dx, dw] = tf.grads(f)([x, w]);
        const out = { y: take(y), dx: take(dx as tf.Tensor), dw: take(dw as tf.Tensor) };
        x.dispose();
        w.dispose();
        return out;
      });
    });
  }
});
