import * as tf from "@tensorflow/tfjs";
import { transpose2d } from "./transpose2d.js";
import { f32View, wasmKernel, type KernelCall, type WasmBackend } from "./wasm-backend.js";

/**
 * `BatchMatMul` with `transposeA`/`transposeB` as an explicit transpose then a
 * plain matMul. Why: the shipped wasm kernel sends any transposed operand to a
 * naive blocked loop ~12x slower than XNNPACK's GEMM (docs/design.md,
 * "Measured facts"), and dense-layer backprop uses exactly those (dW = xᵀ·dy, dx = dy·Wᵀ).
 *
 * float32 operands are transposed by the tiled JS {@link transpose2d} (the
 * shipped wasm Transpose took ~5 ns per element, a quarter of the MLP step);
 * others by the shipped `Transpose`.
 *
 * XNNPACK also packs the right operand on every call (its packed copy is
 * cached under the tensor's id, and these are fresh tensors), at a few ns per
 * element: for a·bᵀ with b much larger than a (the first dense layer's input
 * gradient, dy[128,128]·W[1600,128]ᵀ) computing (b·aᵀ)ᵀ transposes and packs
 * the small operand instead and transposes the [m, n] result, which costs
 * less when 3·m·k + m·n < 3·n·k (transpose ≈ half the packing cost).
 *
 * @param matMul the shipped `BatchMatMul`; @param transpose the shipped `Transpose`.
 */
export function makeBatchMatMul(
  backendName: string,
  matMul: (backend: WasmBackend) => KernelCall,
  transpose: (backend: WasmBackend) => KernelCall,
): tf.KernelConfig {
  const transposeLastTwo = (x: tf.TensorInfo, backend: WasmBackend): tf.TensorInfo => {
    const n = x.shape.length;
    const rows = x.shape[n - 2] ?? 1;
    const cols = x.shape[n - 1] ?? 1;
    const shape = [...x.shape.slice(0, n - 2), cols, rows];
    if (x.dtype !== "float32") {
      const perm = x.shape.map((_, i) => i);
      perm[n - 1] = n - 2;
      perm[n - 2] = n - 1;
      return transpose(backend)({ x }, { perm });
    }
    const out = backend.makeOutput(shape, "float32");
    const src = f32View(backend, x);
    const dst = f32View(backend, out);
    const block = rows * cols;
    for (let offset = 0; offset < src.length; offset += block) transpose2d(src, offset, rows, cols, dst.subarray(offset, offset + block));
    return out;
  };
  return wasmKernel<{ a: tf.TensorInfo; b: tf.TensorInfo }, tf.BatchMatMulAttrs>("BatchMatMul", backendName, (backend, inputs, attrs) => {
    const { transposeA, transposeB } = attrs;
    let { a, b } = inputs;
    if (transposeB && !transposeA && swapPays(a, b)) {
      // a·bᵀ as (b·aᵀ)ᵀ: transposes and packs the small a instead of the large b (see the file comment)
      const aT = transposeLastTwo(a, backend);
      const r = matMul(backend)({ a: b, b: aT }, { ...attrs, transposeA: false, transposeB: false });
      backend.disposeData(aT.dataId);
      const out = transposeLastTwo(r, backend);
      backend.disposeData(r.dataId);
      return out;
    }
    const temporaries: tf.TensorInfo[] = [];
    if (transposeA) temporaries.push((a = transposeLastTwo(a, backend)));
    if (transposeB) temporaries.push((b = transposeLastTwo(b, backend)));
    const out = matMul(backend)({ a, b }, { ...attrs, transposeA: false, transposeB: false });
    for (const t of temporaries) backend.disposeData(t.dataId);
    return out;
  });
}

/** Whether a·bᵀ is cheaper as (b·aᵀ)ᵀ: float32, no batching, and the cost estimate in the file comment. */
function swapPays(a: tf.TensorInfo, b: tf.TensorInfo): boolean {
  const rank = a.shape.length;
  if (rank < 2 || b.shape.length !== rank || a.dtype !== "float32" || b.dtype !== "float32") return false;
  if (a.shape.slice(0, -2).some((d) => d !== 1) || b.shape.slice(0, -2).some((d) => d !== 1)) return false;
  const m = a.shape[rank - 2] ?? 0;
  const k = a.shape[rank - 1] ?? 0;
  const n = b.shape[rank - 2] ?? 0;
  return 3 * m * k + m * n < 3 * n * k;
}
