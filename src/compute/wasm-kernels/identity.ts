import * as tf from "@tensorflow/tfjs";
import { wasmKernel, type KernelCall, type WasmBackend } from "./wasm-backend.js";

/**
 * `Identity` that shares the input's data (one more reference) instead of
 * copying it, as the cpu backend does. tfjs never writes a tensor's data in
 * place, so sharing is safe; the engine calls Identity to save every tensor a
 * gradient needs, which cost ~9 ms per reference-CNN step as copies.
 */
export function makeIdentity(backendName: string, shipped: (backend: WasmBackend) => KernelCall): tf.KernelConfig {
  return wasmKernel<{ x: tf.TensorInfo }>("Identity", backendName, (backend, { x }) => {
    if (x.dtype === "string") return shipped(backend)({ x }, {});
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  });
}
