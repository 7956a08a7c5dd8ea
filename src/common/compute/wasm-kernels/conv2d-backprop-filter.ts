import * as tf from "@tensorflow/tfjs";
import { im2col, im2colTransposed, type ConvGeometry } from "./im2col.js";
import { transpose2d } from "./transpose2d.js";
import { asWasm, f32View, viewAs, type KernelCall, type WasmBackend } from "./wasm-backend.js";

/** Patch-matrix chunk size (floats) for the chunked strategy: ~1 MiB stays in L2. */
const CHUNK_FLOATS = 1 << 18;

/**
 * `Conv2DBackpropFilter` for wasm, which ships without it (so CNNs cannot
 * train there as shipped).
 *
 * dW[k, co] = Σₘ patches[m, k] · dy[m, co], k = (fh, fw, ci), m = (n, oh, ow),
 * computed with the shipped wasm matMul (XNNPACK GEMM), which is fast only
 * untransposed and packs its right operand on every call (its packed copy is
 * cached under the tensor's id, so every right operand here is a fresh
 * tensor). Two layouts, by measurement on the reference CNN at batch 128:
 * - K ≥ Cout (e.g. 3×3×32 → 64): per chunk of samples, colsᵀ [K, mc] · dy [mc, Cout],
 *   summed over chunks; chunking keeps the transposed im2col in cache
 *   (~2x faster than one whole-batch product).
 * - K < Cout (e.g. 3×3×1 → 32): dyᵀ [Cout, M] · cols [M, K], then a small
 *   transpose; a GEMM with only K rows on the left is slow.
 * NHWC only (as the wasm Conv2D); any stride and padding.
 *
 * @param matMul the shipped wasm `BatchMatMul`, captured before any patch.
 */
export function makeConv2DBackpropFilter(backendName: string, matMul: (backend: WasmBackend) => KernelCall): tf.KernelConfig {
  return {
    kernelName: "Conv2DBackpropFilter",
    backendName,
    kernelFunc: ({ inputs, backend: rawBackend, attrs }) => {
      const backend = asWasm(rawBackend);
      const x = inputs.x as tf.TensorInfo;
      const dy = inputs.dy as tf.TensorInfo;
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      if (dataFormat === "NCHW") {
        throw new Error("wasm Conv2DBackpropFilter supports dataFormat NHWC only (as the wasm Conv2D does); got NCHW");
      }
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        filterShape,
        strides,
        1,
        pad,
        dimRoundingMode,
      );
      const g: ConvGeometry = { ...info, padTop: info.padInfo.top, padLeft: info.padInfo.left };
      const k = info.filterHeight * info.filterWidth * info.inChannels;
      const dW = k >= info.outChannels ? chunkedColsT(backend, matMul(backend), x, dy, g, k, info.outChannels)
        : dyTCols(backend, matMul(backend), x, dy, g, k, info.outChannels);
      return viewAs(dW, [...filterShape]);
    },
  };
}

function chunkedColsT(
  backend: WasmBackend, matMul: KernelCall, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry, k: number, cout: number,
): tf.TensorInfo {
  const perSample = g.outHeight * g.outWidth;
  const samplesPerChunk = Math.max(1, Math.floor(CHUNK_FLOATS / (k * perSample)));
  const dW = backend.makeOutput([k, cout], "float32");
  for (let n0 = 0; n0 < g.batchSize; n0 += samplesPerChunk) {
    const n1 = Math.min(g.batchSize, n0 + samplesPerChunk);
    const mc = (n1 - n0) * perSample;
    const colsT = backend.makeOutput([k, mc], "float32");
    const dyChunk = backend.makeOutput([mc, cout], "float32");
    im2colTransposed(f32View(backend, x), g, n0, n1, f32View(backend, colsT));
    f32View(backend, dyChunk).set(f32View(backend, dy).subarray(n0 * perSample * cout, n1 * perSample * cout));
    const part = matMul({ a: colsT, b: dyChunk }, { transposeA: false, transposeB: false });
    const acc = f32View(backend, dW);
    const p = f32View(backend, part);
    if (n0 === 0) acc.set(p);
    else for (let i = 0; i < p.length; i++) acc[i] = (acc[i] as number) + (p[i] as number);
    backend.disposeData(part.dataId);
    backend.disposeData(colsT.dataId);
    backend.disposeData(dyChunk.dataId);
  }
  return dW;
}

function dyTCols(
  backend: WasmBackend, matMul: KernelCall, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry, k: number, cout: number,
): tf.TensorInfo {
  const m = g.batchSize * g.outHeight * g.outWidth;
  const cols = backend.makeOutput([m, k], "float32");
  const dyT = backend.makeOutput([cout, m], "float32");
  im2col(f32View(backend, x), g, f32View(backend, cols));
  transpose2d(f32View(backend, dy), 0, m, cout, f32View(backend, dyT));
  const dWT = matMul({ a: dyT, b: cols }, { transposeA: false, transposeB: false });
  backend.disposeData(cols.dataId);
  backend.disposeData(dyT.dataId);
  const dW = backend.makeOutput([k, cout], "float32");
  transpose2d(f32View(backend, dWT), 0, cout, k, f32View(backend, dW));
  backend.disposeData(dWT.dataId);
  return dW;
}
