import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, it } from "vitest";
import { installKernelPatches } from "../../../src/compute/kernel-patches.js";
import { makeConv2DBackpropFilter } from "../../../src/compute/wasm-kernels/conv2d-backprop-filter.js";
import { shippedKernel } from "../../../src/compute/wasm-kernels/wasm-backend.js";
import { expectWasmMatchesCpu, normals, take } from "./backend-compare.js";

// Conv2DBackpropFilter and Conv2DBackpropInput through the gradients of tf.conv2d.
// Filter-gradient paths: the generated SIMD kernel (Cout % 4 = 0 and K·Cout/4 ≤ 96), otherwise the
// swapped convolution (chunked over the batch when K ≥ 64 and dy is large).
interface Case { n: number; h: number; w: number; cin: number; cout: number; f: [number, number]; stride: number; pad: "same" | "valid" }

const cases: Case[] = [];
for (const stride of [1, 2]) {
  for (const pad of ["same", "valid"] as const) {
    cases.push({ n: 1, h: 7, w: 5, cin: 1, cout: 16, f: [3, 3], stride, pad }); // the SIMD kernel, K = 9 < Cout
    cases.push({ n: 3, h: 9, w: 6, cin: 5, cout: 2, f: [3, 2], stride, pad });
    cases.push({ n: 5, h: 8, w: 8, cin: 16, cout: 24, f: [3, 3], stride, pad });
    cases.push({ n: 3, h: 9, w: 7, cin: 2, cout: 8, f: [3, 3], stride, pad }); // the SIMD kernel, K = 18
    cases.push({ n: 1, h: 6, w: 8, cin: 3, cout: 4, f: [2, 3], stride, pad }); // the SIMD kernel, non-square filter
  }
}
cases.push({ n: 3, h: 11, w: 10, cin: 1, cout: 12, f: [5, 5], stride: 2, pad: "same" }); // SIMD kernel with padding on every side
cases.push({ n: 2, h: 7, w: 7, cin: 4, cout: 4, f: [1, 1], stride: 2, pad: "valid" }); // SIMD kernel, rows/columns skipped
cases.push({ n: 3, h: 12, w: 11, cin: 3, cout: 8, f: [5, 5], stride: 3, pad: "same" });
// The swapped convolution on a larger image: one chunk under the default budget (too slow on cpu to exceed it);
// the chunked path is tested below with a shrunk budget.
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

describe("the swapped-convolution filter gradient, chunked over the batch", () => {
  const chunked = (): tf.KernelConfig => {
    const conv2d = shippedKernel("Conv2D", "wasm");
    if (conv2d === undefined) throw new Error("no wasm Conv2D");
    // 1 or 2 samples per chunk for the shapes below, so every case takes several chunks, the last one partial
    return makeConv2DBackpropFilter("wasm", conv2d, { filterFloats: 2 * 6 * 6 * 6, minRows: 1 });
  };
  beforeAll(async () => {
    await tf.setBackend("wasm");
    installKernelPatches("wasm");
    tf.unregisterKernel("Conv2DBackpropFilter", "wasm");
    tf.registerKernel(chunked());
  });
  afterAll(async () => {
    const conv2d = shippedKernel("Conv2D", "wasm");
    tf.unregisterKernel("Conv2DBackpropFilter", "wasm");
    if (conv2d !== undefined) tf.registerKernel(makeConv2DBackpropFilter("wasm", conv2d));
    await tf.setBackend("cpu");
  });
  for (const c of [
    { n: 5, h: 8, w: 8, cin: 3, cout: 6, f: [3, 3] as [number, number], stride: 1, pad: "valid" as const },
    { n: 5, h: 12, w: 11, cin: 2, cout: 6, f: [3, 3] as [number, number], stride: 2, pad: "same" as const },
    { n: 3, h: 7, w: 7, cin: 4, cout: 3, f: [2, 2] as [number, number], stride: 1, pad: "same" as const },
  ]) {
    it(`n${c.n} ${c.h}x${c.w}x${c.cin} -> ${c.cout}, filter ${c.f.join("x")}, stride ${c.stride}, ${c.pad}`, async () => {
      const xv = normals(5, c.n * c.h * c.w * c.cin);
      const wv = normals(6, c.f[0] * c.f[1] * c.cin * c.cout);
      await expectWasmMatchesCpu(() => {
        const x = tf.tensor4d(xv, [c.n, c.h, c.w, c.cin]);
        const w = tf.tensor4d(wv, [c.f[0], c.f[1], c.cin, c.cout]);
        const dw = tf.grad((b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, b as tf.Tensor4D, c.stride, c.pad))))(w);
        const out = { dw: take(dw) };
        x.dispose();
        w.dispose();
        return out;
      });
    });
  }
});
