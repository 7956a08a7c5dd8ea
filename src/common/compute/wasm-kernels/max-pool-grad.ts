import * as tf from "@tensorflow/tfjs";
import { asWasm, f32View } from "./wasm-backend.js";

/**
 * `MaxPoolGrad` for wasm in JS over NHWC: each dy element goes to the first
 * maximum of its window (the cpu backend's rule), the channels of one window
 * scanned together so that every read of x is contiguous. The shipped kernel
 * took ~70 ms for the reference CNN's first pooling layer at batch 128.
 */
export function makeMaxPoolGrad(backendName: string): tf.KernelConfig {
  return {
    kernelName: "MaxPoolGrad",
    backendName,
    kernelFunc: ({ inputs, backend: rawBackend, attrs }) => {
      const backend = asWasm(rawBackend);
      const dy = inputs.dy as tf.TensorInfo;
      const input = inputs.input as tf.TensorInfo;
      const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
      const info = tf.backend_util.computePool2DInfo(
        input.shape as [number, number, number, number],
        filterSize,
        strides,
        1,
        pad,
        dimRoundingMode,
      );
      const dx = backend.makeOutput([...input.shape], "float32");
      const x = f32View(backend, input);
      const g = f32View(backend, dy);
      const out = f32View(backend, dx);
      out.fill(0);
      const c = info.inChannels;
      const best = new Float32Array(c);
      const where = new Int32Array(c);
      let dyIndex = 0;
      for (let n = 0; n < info.batchSize; n++) {
        for (let oh = 0; oh < info.outHeight; oh++) {
          const h0 = oh * info.strideHeight - info.padInfo.top;
          const hLo = Math.max(0, h0);
          const hHi = Math.min(info.inHeight, h0 + info.filterHeight);
          for (let ow = 0; ow < info.outWidth; ow++, dyIndex += c) {
            const w0 = ow * info.strideWidth - info.padInfo.left;
            const wLo = Math.max(0, w0);
            const wHi = Math.min(info.inWidth, w0 + info.filterWidth);
            best.fill(-Infinity);
            where.fill(-1);
            for (let ih = hLo; ih < hHi; ih++) {
              for (let iw = wLo; iw < wHi; iw++) {
                const base = ((n * info.inHeight + ih) * info.inWidth + iw) * c;
                for (let ch = 0; ch < c; ch++) {
                  const v = x[base + ch] as number;
                  if (v > (best[ch] as number)) {
                    best[ch] = v;
                    where[ch] = base + ch;
                  }
                }
              }
            }
            for (let ch = 0; ch < c; ch++) {
              const at = where[ch] as number;
              if (at >= 0) out[at] = (out[at] as number) + (g[dyIndex + ch] as number);
            }
          }
        }
      }
      return dx;
    },
  };
}
