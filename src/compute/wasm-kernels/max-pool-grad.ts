import * as tf from "@tensorflow/tfjs";
import { poolGradRowKernel, type PoolRowKernel } from "./max-pool-grad-simd.js";
import { f32View, heapMemory, wasmKernel } from "./wasm-backend.js";

/**
 * `MaxPoolGrad` for wasm in JS over NHWC: each dy element goes to the first
 * maximum of its window in row-major window order (the cpu backend's rule;
 * a NaN is never a maximum), added, so overlapping windows accumulate.
 *
 * Per window, the in-image taps' offsets are listed once; then each channel
 * scans them, reading x in a few contiguous channel runs. On random data
 * the running-maximum `if` mispredicts about every other comparison, which
 * made a 2×2 window cost ~5 ns per input element (19 ms for the reference
 * CNN's first pooling layer at batch 128; the shipped kernel took ~70 ms);
 * four-tap windows therefore run a branch-free tournament instead (pair
 * winners, then the later pair only if strictly greater, which is the
 * sequential first-maximum rule), ~10 ms.
 *
 * Windows wholly inside the image, when the channel count is a multiple of
 * 4, go to a generated SIMD kernel instead (max-pool-grad-simd.ts), a row of
 * windows per call, same values bit for bit; the JS paths keep the border
 * windows of padded pools and other channel counts.
 */
export function makeMaxPoolGrad(backendName: string): tf.KernelConfig {
  type Inputs = { dy: tf.TensorInfo; input: tf.TensorInfo };
  return wasmKernel<Inputs, tf.MaxPoolGradAttrs>("MaxPoolGrad", backendName, (backend, { dy, input }, attrs) => {
    const { filterSize, strides, pad, dimRoundingMode } = attrs;
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      filterSize,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const dx = backend.makeOutput([...input.shape], "float32");
    const memory = heapMemory(backend);
    const c = info.inChannels;
    const tapBytes: number[] = [];
    for (let h = 0; h < info.filterHeight; h++) for (let w = 0; w < info.filterWidth; w++) tapBytes.push((h * info.inWidth + w) * c * 4);
    const kernel = memory === undefined || c % 4 !== 0 ? undefined : poolGradRowKernel(memory, tapBytes, info.strideWidth * c * 4, c);
    const simd = kernel === undefined ? undefined : {
      kernel,
      x: backend.getMemoryOffset(input.dataId),
      dy: backend.getMemoryOffset(dy.dataId),
      out: backend.getMemoryOffset(dx.dataId),
    };
    maxPoolGrad(f32View(backend, input), f32View(backend, dy), info, f32View(backend, dx), simd);
    return dx;
  });
}

/** The SIMD row kernel and the heap byte offsets of x, dy and out. */
interface SimdRows { kernel: PoolRowKernel; x: number; dy: number; out: number }

function maxPoolGrad(x: Float32Array, g: Float32Array, info: tf.backend_util.Conv2DInfo, out: Float32Array, simd?: SimdRows): void {
  const { inHeight, inWidth, inChannels: c, outHeight, outWidth, filterHeight, filterWidth } = info;
  out.fill(0);
  const taps = new Int32Array(filterHeight * filterWidth);
  // indexing a typed array by a comparison result selects without a branch
  const pick = new Float32Array(4);
  const sw = info.strideWidth;
  const pl = info.padInfo.left;
  // output columns whose windows lie wholly inside the image horizontally
  const insideLo = Math.min(outWidth, Math.ceil(pl / sw));
  const insideHi = Math.max(insideLo, Math.min(outWidth, Math.floor((inWidth + pl - filterWidth) / sw) + 1));
  let dyIndex = 0;
  for (let n = 0; n < info.batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * info.strideHeight - info.padInfo.top;
      const hLo = Math.max(0, h0);
      const hHi = Math.min(inHeight, h0 + filterHeight);
      let skipLo = outWidth;
      let skipHi = outWidth;
      if (simd !== undefined && h0 >= 0 && h0 + filterHeight <= inHeight && insideHi > insideLo) {
        const first = ((n * inHeight + h0) * inWidth + insideLo * sw - pl) * c * 4;
        simd.kernel(simd.x + first, simd.dy + (dyIndex + insideLo * c) * 4, simd.out + first, insideHi - insideLo, c / 4);
        skipLo = insideLo;
        skipHi = insideHi;
      }
      for (let ow = 0; ow < outWidth; ow++, dyIndex += c) {
        if (ow === skipLo) {
          dyIndex += (skipHi - skipLo - 1) * c;
          ow = skipHi - 1;
          continue;
        }
        const w0 = ow * info.strideWidth - info.padInfo.left;
        const wLo = Math.max(0, w0);
        const wHi = Math.min(inWidth, w0 + filterWidth);
        let count = 0;
        for (let ih = hLo; ih < hHi; ih++) {
          for (let iw = wLo; iw < wHi; iw++) taps[count++] = ((n * inHeight + ih) * inWidth + iw) * c;
        }
        if (count === 0) continue;
        if (count === 4) {
          // A branch-free tournament (see the file comment); exact for windows without NaN or all −∞.
          const t0 = taps[0] as number;
          const t1 = taps[1] as number;
          const t2 = taps[2] as number;
          const t3 = taps[3] as number;
          for (let ch = 0; ch < c; ch++) {
            const v0 = (pick[0] = x[t0 + ch] as number);
            const v1 = (pick[1] = x[t1 + ch] as number);
            const v2 = (pick[2] = x[t2 + ch] as number);
            const v3 = (pick[3] = x[t3 + ch] as number);
            const second = +(v1 > v0);
            const fourth = +(v3 > v2);
            const late = +((pick[2 + fourth] as number) > (pick[second] as number));
            const winner = second + late * (2 + fourth - second);
            // NaN compares false and −∞ never beats the initial −∞ of the sequential scan: both go the general way.
            if (v0 !== v0 || v1 !== v1 || v2 !== v2 || v3 !== v3 || (pick[winner] as number) === -Infinity) {
              addToFirstMax(x, taps, 4, ch, (g[dyIndex + ch] as number), out);
            } else {
              const at = (taps[winner] as number) + ch;
              out[at] = (out[at] as number) + (g[dyIndex + ch] as number);
            }
          }
          continue;
        }
        for (let ch = 0; ch < c; ch++) addToFirstMax(x, taps, count, ch, g[dyIndex + ch] as number, out);
      }
    }
  }
}

/** The sequential rule: out[first tap with the largest x, channel ch] += grad; nothing when no tap beats −∞. */
function addToFirstMax(x: Float32Array, taps: Int32Array, count: number, ch: number, grad: number, out: Float32Array): void {
  let best = -Infinity;
  let at = -1;
  for (let t = 0; t < count; t++) {
    const o = (taps[t] as number) + ch;
    const v = x[o] as number;
    if (v > best) {
      best = v;
      at = o;
    }
  }
  if (at >= 0) out[at] = (out[at] as number) + grad;
}
