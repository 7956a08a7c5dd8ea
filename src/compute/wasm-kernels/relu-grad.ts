import * as tf from "@tensorflow/tfjs";
import { RingtrainError } from "../../core/errors.js";
import { simdKernels } from "./simd-kernels.js";
import { f32View, heapMemory, wasmKernel } from "./wasm-backend.js";

/** Name of the fused ReLU-gradient kernel (ours: tfjs has none). Inputs `dy`, `x` (float32, same shape); no attributes. */
export const RELU_GRAD_KERNEL = "RingtrainReluGrad";

/**
 * dx = dy · step(x) in one pass over the heap, for wasm: tfjs's ReLU gradient
 * is `mul(dy, cast(step(x)))`, two full-size kernels and a temporary (~8 ms
 * per reference-CNN step at batch 128 on the loaded 2-core machine). Exactly
 * the same values: step(x) is 1 for x > 0, NaN for NaN and 0 otherwise, and
 * the result is the product, so −0, NaN and ∞·0 come out as from Multiply.
 *
 * The loop is a generated WebAssembly SIMD kernel (simd-kernels.ts): a JS
 * loop over the heap measured ~4 ns per element here, 3x slower than the two
 * shipped kernels it replaces. Without SIMD the gradient stays tfjs's own
 * (see {@link makeReluGradient}).
 */
export function makeReluGrad(backendName: string): tf.KernelConfig {
  return wasmKernel<{ dy: tf.TensorInfo; x: tf.TensorInfo }>(RELU_GRAD_KERNEL, backendName, (backend, { dy, x }) => {
    const memory = heapMemory(backend);
    const kernels = memory === undefined ? undefined : simdKernels(memory);
    if (kernels === undefined) {
      // makeReluGradient checks availability first; only a direct runKernel gets here
      throw new RingtrainError("INTERNAL", `${RELU_GRAD_KERNEL} ran without WebAssembly SIMD or the wasm heap's Memory: run tf.relu's gradient instead`);
    }
    const dx = backend.makeOutput([...x.shape], "float32");
    const size = x.shape.reduce((p, d) => p * d, 1);
    const groups = size >> 2;
    kernels.reluGrad(backend.getMemoryOffset(dy.dataId), backend.getMemoryOffset(x.dataId), backend.getMemoryOffset(dx.dataId), groups);
    if (size > groups * 4) {
      const g = f32View(backend, dy);
      const v = f32View(backend, x);
      const out = f32View(backend, dx);
      for (let i = groups * 4; i < size; i++) {
        const xi = v[i] as number;
        out[i] = (g[i] as number) * (xi > 0 ? 1 : xi !== xi ? NaN : 0);
      }
    }
    return dx;
  });
}

/**
 * The ReLU gradient that runs {@link RELU_GRAD_KERNEL} when the active
 * backend is `backendName`, SIMD kernels are available and both tensors are
 * float32, and tfjs's own gradient (`shipped`) otherwise. Gradients are
 * registered process-wide, not per backend, hence the check on every call.
 */
export function makeReluGradient(backendName: string, shipped: tf.GradConfig, available: () => boolean): tf.GradConfig {
  return {
    kernelName: "Relu",
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0];
      const g = dy as tf.Tensor;
      if (x === undefined || g.dtype !== "float32" || x.dtype !== "float32" || tf.getBackend() !== backendName || !available()) {
        return shipped.gradFunc(dy, saved, attrs);
      }
      return { x: () => tf.engine().runKernel<tf.Tensor>(RELU_GRAD_KERNEL, { dy: g, x }, {}) };
    },
  };
}
