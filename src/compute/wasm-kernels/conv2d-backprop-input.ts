import * as tf from "@tensorflow/tfjs";
import { RingtrainError } from "../../core/errors.js";
import { f32View, wasmKernel, type KernelCall, type WasmBackend } from "./wasm-backend.js";

/**
 * `Conv2DBackpropInput` (the transposed convolution) for wasm as a forward
 * convolution: dx = conv2d(dy dilated by the stride and padded, W flipped in
 * space with in/out channels swapped), which runs on XNNPACK's convolution.
 * The shipped kernel is a direct loop about 10x slower.
 *
 * Stride 1 passes the padding to the convolution; larger strides build the
 * zero-dilated, padded dy in JS first. NHWC only. Geometries whose implied
 * padding is negative (explicit pads larger than the filter) go to the
 * shipped kernel.
 *
 * @param conv2d the shipped wasm `Conv2D`; @param shipped the shipped `Conv2DBackpropInput`.
 */
export function makeConv2DBackpropInput(
  backendName: string,
  conv2d: (backend: WasmBackend) => KernelCall,
  shipped: (backend: WasmBackend) => KernelCall,
): tf.KernelConfig {
  type Inputs = { dy: tf.TensorInfo; filter: tf.TensorInfo };
  return wasmKernel<Inputs, tf.Conv2DBackpropInputAttrs>("Conv2DBackpropInput", backendName, (backend, inputs, a) => {
    const { dy, filter } = inputs;
    if (a.dataFormat === "NCHW") {
      throw new RingtrainError(
        "INTERNAL",
        "wasm Conv2DBackpropInput got dataFormat NCHW but supports NHWC only (as the wasm Conv2D does): build the model NHWC, or use --backend cpu",
      );
    }
    const info = tf.backend_util.computeConv2DInfo(
      a.inputShape,
      filter.shape as [number, number, number, number],
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
    const dilatedH = (info.outHeight - 1) * sh + 1;
    const dilatedW = (info.outWidth - 1) * sw + 1;
    const top = fh - 1 - info.padInfo.top;
    const left = fw - 1 - info.padInfo.left;
    const bottom = info.inHeight + fh - 1 - dilatedH - top;
    const right = info.inWidth + fw - 1 - dilatedW - left;
    if (top < 0 || left < 0 || bottom < 0 || right < 0) return shipped(backend)(inputs, a);
    const flipped = backend.makeOutput([fh, fw, info.outChannels, info.inChannels], "float32");
    let source = dy;
    let pad: number[][] = [[0, 0], [top, bottom], [left, right], [0, 0]];
    if (sh > 1 || sw > 1) {
      source = backend.makeOutput([info.batchSize, top + dilatedH + bottom, left + dilatedW + right, info.outChannels], "float32");
      pad = [[0, 0], [0, 0], [0, 0], [0, 0]];
    }
    flipFilter(f32View(backend, filter), fh, fw, info.inChannels, info.outChannels, f32View(backend, flipped));
    if (source !== dy) {
      dilateAndPad(f32View(backend, dy), info.batchSize, info.outHeight, info.outWidth, info.outChannels,
        sh, sw, top, left, source.shape[1] ?? 0, source.shape[2] ?? 0, f32View(backend, source));
    }
    const out = conv2d(backend)(
      { x: source, filter: flipped },
      { strides: [1, 1], pad, dataFormat: "NHWC", dilations: [1, 1], dimRoundingMode: undefined },
    );
    backend.disposeData(flipped.dataId);
    if (source !== dy) backend.disposeData(source.dataId);
    return out;
  });
}

/** out[fh, fw, co, ci] = w[FH−1−fh, FW−1−fw, ci, co]. */
function flipFilter(w: Float32Array, fh: number, fw: number, cin: number, cout: number, out: Float32Array): void {
  for (let h = 0; h < fh; h++) {
    for (let v = 0; v < fw; v++) {
      const src = ((fh - 1 - h) * fw + (fw - 1 - v)) * cin * cout;
      const dst = (h * fw + v) * cout * cin;
      for (let ci = 0; ci < cin; ci++) {
        for (let co = 0; co < cout; co++) out[dst + co * cin + ci] = w[src + ci * cout + co] as number;
      }
    }
  }
}

/** Zero-fills `out` [n, hp, wp, c] and places dy[n, i, j, :] at (top + i·sh, left + j·sw). */
function dilateAndPad(
  dy: Float32Array, n: number, oh: number, ow: number, c: number,
  sh: number, sw: number, top: number, left: number, hp: number, wp: number, out: Float32Array,
): void {
  out.fill(0);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      const srcRow = ((b * oh + i) * ow) * c;
      const dstRow = ((b * hp + top + i * sh) * wp + left) * c;
      for (let j = 0; j < ow; j++) out.set(dy.subarray(srcRow + j * c, srcRow + (j + 1) * c), dstRow + j * sw * c);
    }
  }
}
