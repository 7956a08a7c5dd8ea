import * as tf from "@tensorflow/tfjs";
import { simdKernels } from "./simd-kernels.js";
import { f32View, heapMemory, wasmKernel, type KernelCall, type WasmBackend } from "./wasm-backend.js";

/** Rows summed in float32 by the SIMD kernel before the block's sums join the float64 totals. */
const BLOCK_ROWS = 256;

/**
 * `Sum` over leading axes (a bias gradient: NHWC summed over N, H, W) as a JS
 * column sum. The shipped kernel transposes the reduced axes to the end
 * first, which cost ~18 ms for [128,26,26,32] in the reference CNN; the column
 * sum reads the data once, in order. Other axis sets and non-float32 inputs
 * go to the shipped kernel.
 *
 * When the row length is a multiple of 4 the rows are added by a generated
 * SIMD kernel in place on the heap, in float32 over blocks of
 * {@link BLOCK_ROWS} rows whose sums are then totalled in float64 (a JS loop
 * over the heap took ~7 ms for [128,26,26,32], the kernel ~1 ms); otherwise
 * a JS loop totals in float64.
 *
 * @param shipped the shipped wasm `Sum`.
 */
export function makeSum(backendName: string, shipped: (backend: WasmBackend) => KernelCall): tf.KernelConfig {
  return wasmKernel<{ x: tf.TensorInfo }, tf.SumAttrs>("Sum", backendName, (backend, inputs, attrs) => {
    const { x } = inputs;
    const { axis, keepDims } = attrs;
    const rank = x.shape.length;
    const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    if (!leading || x.dtype !== "float32") return shipped(backend)(inputs, attrs);
    const kept = x.shape.slice(axes.length);
    const cols = kept.reduce((p, d) => p * d, 1);
    const rows = x.shape.slice(0, axes.length).reduce((p, d) => p * d, 1);
    const outShape = keepDims ? [...axes.map(() => 1), ...kept] : kept;
    const out = backend.makeOutput(outShape, "float32");
    const acc = new Float64Array(cols);
    const memory = heapMemory(backend);
    const kernels = memory === undefined || cols % 4 !== 0 ? undefined : simdKernels(memory);
    if (kernels !== undefined) {
      const block = backend.makeOutput([cols], "float32");
      const blockView = f32View(backend, block);
      const xBase = backend.getMemoryOffset(x.dataId);
      const blockBase = backend.getMemoryOffset(block.dataId);
      for (let r0 = 0; r0 < rows; r0 += BLOCK_ROWS) {
        blockView.fill(0);
        kernels.columnSum(xBase + r0 * cols * 4, blockBase, Math.min(BLOCK_ROWS, rows - r0), cols / 4);
        for (let j = 0; j < cols; j++) acc[j] = (acc[j] as number) + (blockView[j] as number);
      }
      backend.disposeData(block.dataId);
    } else {
      const src = f32View(backend, x);
      for (let r = 0, base = 0; r < rows; r++, base += cols) {
        for (let j = 0; j < cols; j++) acc[j] = (acc[j] as number) + (src[base + j] as number);
      }
    }
    f32View(backend, out).set(acc);
    return out;
  });
}
