import * as tf from "@tensorflow/tfjs";
import { asWasm, type KernelCall, type WasmBackend } from "./wasm-backend.js";

/**
 * `Cast` to the input's own dtype as a shared reference (see identity.ts);
 * relu's gradient casts a float32 mask to float32 on every step. Other casts
 * go to the shipped kernel.
 */
export function makeCast(backendName: string, shipped: (backend: WasmBackend) => KernelCall): tf.KernelConfig {
  return {
    kernelName: "Cast",
    backendName,
    kernelFunc: ({ inputs, backend: rawBackend, attrs }) => {
      const backend = asWasm(rawBackend);
      const x = inputs.x as tf.TensorInfo;
      const { dtype } = attrs as unknown as tf.CastAttrs;
      if (dtype !== x.dtype || x.dtype === "string") return shipped(backend)({ x }, attrs as Record<string, unknown>);
      backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
    },
  };
}
