import * as tf from "@tensorflow/tfjs";
import { wasmKernel, type KernelCall, type WasmBackend } from "./wasm-backend.js";

/**
 * `Cast` to the input's own dtype as a shared reference (see identity.ts);
 * tfjs's ReLU gradient (used where the fused one of relu-grad.ts is not)
 * casts a float32 mask to float32 on every step. Other casts go to the
 * shipped kernel.
 */
export function makeCast(backendName: string, shipped: (backend: WasmBackend) => KernelCall): tf.KernelConfig {
  return wasmKernel<{ x: tf.TensorInfo }, tf.CastAttrs>("Cast", backendName, (backend, { x }, attrs) => {
    if (attrs.dtype !== x.dtype || x.dtype === "string") return shipped(backend)({ x }, attrs);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  });
}
