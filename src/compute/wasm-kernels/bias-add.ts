import * as tf from "@tensorflow/tfjs";
import { simdKernels } from "./simd-kernels.js";
import { heapMemory, wasmKernel, type KernelCall, type WasmBackend } from "./wasm-backend.js";

/** Below this many elements the shipped kernel's fixed cost is no worse. */
const MIN_ELEMENTS = 4096;

/**
 * `Add` of a bias, x [..., C] + b [C] (float32, C a multiple of 4), as a
 * generated SIMD kernel (simd-kernels.ts): the shipped broadcasting Add
 * took ~3.3 ms for the reference CNN's [128,26,26,32] + [32] at batch 128
 * (loaded 2-core machine), the kernel ~1 ms. Float32 addition is exact and
 * order-free per element, so values equal the shipped kernel's. Every other
 * Add goes to the shipped kernel.
 *
 * @param shipped the shipped wasm `Add`.
 */
export function makeBiasAdd(backendName: string, shipped: (backend: WasmBackend) => KernelCall): tf.KernelConfig {
  return wasmKernel<{ a: tf.TensorInfo; b: tf.TensorInfo }>("Add", backendName, (backend, inputs, attrs) => {
    const { a, b } = inputs;
    const c = a.shape[a.shape.length - 1] ?? 0;
    const size = a.shape.reduce((p, d) => p * d, 1);
    const bias = a.dtype === "float32" && b.dtype === "float32" && a.shape.length >= 2 && c % 4 === 0 && c > 0 &&
      b.shape.length >= 1 && b.shape[b.shape.length - 1] === c && b.shape.slice(0, -1).every((d) => d === 1) &&
      b.shape.length <= a.shape.length && size >= MIN_ELEMENTS;
    const memory = bias ? heapMemory(backend) : undefined;
    const kernels = memory === undefined ? undefined : simdKernels(memory);
    if (kernels === undefined) return shipped(backend)(inputs, attrs);
    const out = backend.makeOutput([...a.shape], "float32");
    kernels.rowBroadcastAdd(
      backend.getMemoryOffset(a.dataId), backend.getMemoryOffset(b.dataId), backend.getMemoryOffset(out.dataId), size / c, c / 4,
    );
    return out;
  });
}
