import * as tf from "@tensorflow/tfjs";
import { RingtrainError } from "../../core/errors.js";
import { smallFilterGradient } from "./small-filter-grad.js";
import { f32View, wasmKernel, type KernelCall, type WasmBackend } from "./wasm-backend.js";

/** When to cut the batch into chunks (see {@link chunkSamples}); the defaults are measured, tests shrink them. */
export interface FilterChunking {
  /** budget (floats) for one chunk's filter operand, the transposed dy */
  filterFloats: number;
  /** output rows (inChannels·filterHeight·filterWidth) from which chunking pays */
  minRows: number;
}

const DEFAULT_CHUNKING: FilterChunking = { filterFloats: 1 << 17, minRows: 64 };

/**
 * `Conv2DBackpropFilter` for wasm, which ships without it (so CNNs cannot
 * train there as shipped). Two paths:
 *
 * 1. Small filters (K·Cout/4 ≤ 96, Cout % 4 = 0, e.g. the first layer,
 *    3×3×1 → 32): a generated WebAssembly SIMD kernel (small-filter-grad.ts).
 * 2. Otherwise one forward XNNPACK convolution with the batch and channel
 *    axes swapped:
 *
 *   dW[fh, fw, ci, co] = Σₙ Σ_{oh,ow} x[n, oh·sh + fh − pt, ow·sw + fw − pl, ci] · dy[n, oh, ow, co]
 *
 * is a valid convolution whose *input* is x laid out [ci, H', W', n] (batch ci,
 * channels n, zero-padded by pt/pl and cropped or extended to
 * H' = FH + (OH − 1)·sh), whose *filter* is dy laid out [OH, OW, n, co] with
 * dilation (sh, sw), and whose output is [ci, FH, FW, co], a small transpose
 * away from dW; no patch matrix is built. XNNPACK packs its filter operand on
 * every call (~5–10 ns per element), which is why path 1 exists: for the
 * first layer dy is 2.8M floats. Measured on the reference CNN at batch 128
 * (loaded 2-core machine), 3×3×32 → 64 on 13×13: im2col + matMul 73 ms, this
 * ~38 ms, near the GEMM's own speed (the forward convolution of the same
 * FLOPs takes ~20–28 ms and packs only a 3×3×32×64 filter).
 *
 * When the swapped convolution has many output rows, XNNPACK streams the
 * whole filter operand once per row tile, so the batch is cut into chunks
 * whose transposed dy stays in L2 (2^17 floats: 38 ms; 2^19: 42 ms; the
 * whole batch: 70 ms), and the chunk results are summed.
 * NHWC only (as the wasm Conv2D); any stride and padding.
 *
 * @param conv2d the shipped wasm `Conv2D`, captured before any patch.
 */
export function makeConv2DBackpropFilter(
  backendName: string,
  conv2d: (backend: WasmBackend) => KernelCall,
  chunking: FilterChunking = DEFAULT_CHUNKING,
): tf.KernelConfig {
  type Inputs = { x: tf.TensorInfo; dy: tf.TensorInfo };
  return wasmKernel<Inputs, tf.Conv2DBackpropFilterAttrs>("Conv2DBackpropFilter", backendName, (backend, { x, dy }, attrs) => {
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
    if (dataFormat === "NCHW") {
      throw new RingtrainError(
        "INTERNAL",
        "wasm Conv2DBackpropFilter got dataFormat NCHW but supports NHWC only (as the wasm Conv2D does): build the model NHWC, or use --backend cpu",
      );
    }
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    return smallFilterGradient(backend, x, dy, info)
      ?? swappedConvolution(backend, conv2d(backend), x, dy, info, chunkSamples(info, chunking));
  });
}

/** Samples per chunk: the whole batch unless the output has many rows and the transposed dy is over budget. */
function chunkSamples(info: tf.backend_util.Conv2DInfo, chunking: FilterChunking): number {
  const rows = info.inChannels * info.filterHeight * info.filterWidth;
  if (rows < chunking.minRows) return Math.max(1, info.batchSize);
  const perSample = info.outHeight * info.outWidth * info.outChannels;
  return Math.max(1, Math.min(info.batchSize, Math.floor(chunking.filterFloats / Math.max(1, perSample))));
}

function swappedConvolution(
  backend: WasmBackend, conv2d: KernelCall, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo, step: number,
): tf.TensorInfo {
  const { batchSize, inChannels: cin, outChannels: cout, filterHeight: fh, filterWidth: fw, outHeight: oh, outWidth: ow } = info;
  const taps = fh * fw;
  const dW = backend.makeOutput([fh, fw, cin, cout], "float32");
  if (batchSize === 0 || oh === 0 || ow === 0) {
    f32View(backend, dW).fill(0);
    return dW;
  }
  const hp = fh + (oh - 1) * info.strideHeight;
  const wp = fw + (ow - 1) * info.strideWidth;
  // [ci, FH, FW, co], summed over chunks; the chunk outputs are small (one filter's size).
  const acc = new Float32Array(cin * taps * cout);
  for (let n0 = 0; n0 < batchSize; n0 += step) {
    const n1 = Math.min(batchSize, n0 + step);
    const nc = n1 - n0;
    const input = backend.makeOutput([cin, hp, wp, nc], "float32");
    // A fresh filter tensor per call: the wasm Conv2D caches its packed filter under the tensor's id.
    const filter = backend.makeOutput([oh, ow, nc, cout], "float32");
    packInput(f32View(backend, x), info, n0, n1, hp, wp, f32View(backend, input));
    packFilter(f32View(backend, dy), oh * ow, cout, n0, n1, f32View(backend, filter));
    const part = conv2d(
      { x: input, filter },
      { strides: [1, 1], pad: "valid", dataFormat: "NHWC", dilations: [info.strideHeight, info.strideWidth], dimRoundingMode: undefined },
    );
    backend.disposeData(input.dataId);
    backend.disposeData(filter.dataId);
    const p = f32View(backend, part);
    if (n0 === 0) acc.set(p);
    else for (let i = 0; i < acc.length; i++) acc[i] = (acc[i] as number) + (p[i] as number);
    backend.disposeData(part.dataId);
  }
  // [ci, tap, co] -> [tap, ci, co]
  const out = f32View(backend, dW);
  for (let ci = 0; ci < cin; ci++) {
    for (let t = 0; t < taps; t++) out.set(acc.subarray((ci * taps + t) * cout, (ci * taps + t + 1) * cout), (t * cin + ci) * cout);
  }
  return dW;
}

/**
 * out[ci, r, c, n − n0] = x[n, r − padTop, c − padLeft, ci] (0 outside x) for
 * r < hp, c < wp: every element written. One input pixel at a time, its
 * [nc, cin] block transposed to [cin, nc], so reads and writes both stay in
 * a few cache lines per pixel.
 */
function packInput(
  x: Float32Array, info: tf.backend_util.Conv2DInfo, n0: number, n1: number, hp: number, wp: number, out: Float32Array,
): void {
  const { inHeight: h, inWidth: w, inChannels: cin } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const nc = n1 - n0;
  const plane = hp * wp * nc;
  const sampleStride = h * w * cin;
  const rLo = Math.max(0, pt);
  const rHi = Math.min(hp, h + pt);
  const cLo = Math.max(0, pl);
  const cHi = Math.min(wp, w + pl);
  if (rLo > 0 || rHi < hp || cLo > 0 || cHi < wp) out.fill(0);
  for (let r = rLo; r < rHi; r++) {
    for (let c = cLo; c < cHi; c++) {
      const src0 = (n0 * h + (r - pt)) * w * cin + (c - pl) * cin;
      const dst0 = (r * wp + c) * nc;
      for (let n = 0; n < nc; n++) {
        const src = src0 + n * sampleStride;
        let dst = dst0 + n;
        for (let ci = 0; ci < cin; ci++, dst += plane) out[dst] = x[src + ci] as number;
      }
    }
  }
}

/** out[p, n − n0, co] = dy[n, p, co] for the `pixels` = OH·OW output positions p: [n, p, co] -> [p, n, co]. */
function packFilter(dy: Float32Array, pixels: number, cout: number, n0: number, n1: number, out: Float32Array): void {
  const nc = n1 - n0;
  for (let n = 0; n < nc; n++) {
    let src = (n0 + n) * pixels * cout;
    for (let p = 0; p < pixels; p++, src += cout) {
      const dst = (p * nc + n) * cout;
      for (let c = 0; c < cout; c++) out[dst + c] = dy[src + c] as number;
    }
  }
}
