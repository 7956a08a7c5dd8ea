import * as tf from "@tensorflow/tfjs";
import { describe, it } from "vitest";
import { expectWasmMatchesCpu, normals, take } from "./backend-compare.js";

// Every op the project's layers train with, values and gradients, on wasm (patched) against cpu:
// the BatchMatMul, Identity and Cast patches, and the shipped kernels the other gradients need.
describe("wasm training ops against cpu", () => {
  it("matMul with every transpose combination, and its gradients", async () => {
    const av = normals(7, 5 * 3);
    const bv = normals(8, 3 * 4);
    await expectWasmMatchesCpu(() => {
      const out: Record<string, Float32Array> = {};
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const a = tf.tensor2d(av, ta ? [3, 5] : [5, 3]);
          const b = tf.tensor2d(bv, tb ? [4, 3] : [3, 4]);
          const f = (p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D, ta, tb)));
          const [da, db] = tf.grads(f)([a, b]);
          out[`y${ta}${tb}`] = take(tf.matMul(a, b, ta, tb));
          out[`da${ta}${tb}`] = take(da as tf.Tensor);
          out[`db${ta}${tb}`] = take(db as tf.Tensor);
          a.dispose();
          b.dispose();
        }
      }
      return out;
    });
  });

  it("a·bᵀ with b much larger than a (computed as (b·aᵀ)ᵀ), and its gradients", async () => {
    const av = normals(12, 3 * 8);
    const bv = normals(13, 40 * 8);
    await expectWasmMatchesCpu(() => {
      const a = tf.tensor2d(av, [3, 8]);
      const b = tf.tensor2d(bv, [40, 8]);
      const f = (p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D, false, true)));
      const [da, db] = tf.grads(f)([a, b]);
      const y = tf.matMul(a, b, false, true);
      const out = { y: take(y), shape: Float32Array.from(y.shape), da: take(da as tf.Tensor), db: take(db as tf.Tensor) };
      a.dispose();
      b.dispose();
      return out;
    });
  });

  it("dense + activations + dropout + batch norm + softmax cross-entropy, gradients for all weights", async () => {
    const xv = normals(9, 7 * 12);
    const w1v = normals(10, 12 * 6);
    const w2v = normals(11, 6 * 4);
    const labels = Int32Array.from([0, 3, 1, 2, 3, 0, 1]);
    await expectWasmMatchesCpu(() => {
      const x = tf.tensor2d(xv, [7, 12]);
      const w1 = tf.tidy(() => tf.variable(tf.tensor2d(w1v, [12, 6]), true, "w1-" + tf.getBackend()));
      const b1 = tf.tidy(() => tf.variable(tf.tensor1d(new Float32Array(6).fill(0.1)), true, "b1-" + tf.getBackend()));
      const gamma = tf.tidy(() => tf.variable(tf.tensor1d(new Float32Array(6).fill(1.5)), true, "g-" + tf.getBackend()));
      const beta = tf.tidy(() => tf.variable(tf.tensor1d(new Float32Array(6).fill(-0.2)), true, "be-" + tf.getBackend()));
      const w2 = tf.tidy(() => tf.variable(tf.tensor2d(w2v, [6, 4]), true, "w2-" + tf.getBackend()));
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, "int32"), 4));
      const loss = () => {
        let h = tf.add(tf.matMul(x, w1), b1);
        const { mean, variance } = tf.moments(h, 0);
        h = tf.batchNorm(h, mean, variance, beta, gamma, 1e-3);
        h = tf.add(tf.add(tf.leakyRelu(h, 0.2), tf.elu(h)), tf.add(tf.tanh(h), tf.sigmoid(h)));
        h = tf.dropout(h, 0.25, undefined, 17);
        const logits = tf.matMul(tf.reshape(h, [7, -1]), w2);
        return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1))) as tf.Scalar;
      };
      const { value, grads } = tf.variableGrads(loss);
      const out: Record<string, Float32Array> = { loss: take(value) };
      for (const [name, g] of Object.entries(grads)) out[name.replace(/-.*/, "")] = take(g);
      const extra = tf.tidy(() => {
        const logits = tf.matMul(tf.relu(tf.matMul(x, w1)), w2);
        return { argMax: tf.cast(tf.argMax(logits, 1), "float32"), softmaxCe: tf.losses.softmaxCrossEntropy(y, logits) };
      });
      out.argMax = take(extra.argMax);
      out.softmaxCe = take(extra.softmaxCe);
      for (const t of [x, w1, b1, gamma, beta, w2, y]) t.dispose();
      return out;
    });
  });
});
