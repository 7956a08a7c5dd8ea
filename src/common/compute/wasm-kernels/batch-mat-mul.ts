import * as tf from "@tensorflow/tfjs";
import { asWasm, type KernelCall, type WasmBackend } from "./wasm-backend.js";

/**
 * `BatchMatMul` with `transposeA`/`transposeB` as an explicit transpose then a
 * plain matMul. Why: the shipped wasm kernel sends any transposed operand to a
 * naive blocked loop ~12x slower than XNNPACK's GEMM (DESIGN.md, measured
 * facts), and dense-layer backprop uses exactly those (dW = xᵀ·dy, dx = dy·Wᵀ).
 *
 * @param matMul the shipped `BatchMatMul`; @param transpose the shipped `Transpose`.
 */
export function makeBatchMatMul(
  backendName: string,
  matMul: (backend: WasmBackend) => KernelCall,
  transpose: (backend: WasmBackend) => KernelCall,
): tf.KernelConfig {
  const transposeLastTwo = (x: tf.TensorInfo, backend: WasmBackend): tf.TensorInfo => {
    const perm = x.shape.map((_, i) => i);
    const n = perm.length;
    perm[n - 1] = n - 2;
    perm[n - 2] = n - 1;
    return transpose(backend)({ x }, { perm });
  };
  return {
    kernelName: "BatchMatMul",
    backendName,
    kernelFunc: ({ inputs, backend: rawBackend, attrs }) => {
      const backend = asWasm(rawBackend);
      const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
      let a = inputs.a as tf.TensorInfo;
      let b = inputs.b as tf.TensorInfo;
      const temporaries: tf.TensorInfo[] = [];
      if (transposeA) temporaries.push((a = transposeLastTwo(a, backend)));
      if (transposeB) temporaries.push((b = transposeLastTwo(b, backend)));
      const out = matMul(backend)({ a, b }, { ...attrs, transposeA: false, transposeB: false });
      for (const t of temporaries) backend.disposeData(t.dataId);
      return out;
    },
  };
}
