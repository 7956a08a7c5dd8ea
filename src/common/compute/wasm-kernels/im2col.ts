/**
 * Convolution geometry in NHWC, as the im2col helpers need it (the subset of
 * tfjs `Conv2DInfo` that matters here).
 */
export interface ConvGeometry {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

/**
 * Writes the transposed patch matrix of samples [n0, n1) of NHWC `x` into
 * `out`: row k = (fh·filterWidth + fw)·inChannels + ci, column
 * m = ((n − n0)·outHeight + oh)·outWidth + ow, value
 * x[n, oh·sh + fh·dh − padTop, ow·sw + fw·dw − padLeft, ci], or 0 outside the
 * image. `out` must hold K × (n1 − n0)·outHeight·outWidth floats, K =
 * filterHeight·filterWidth·inChannels; every element is written (the buffer
 * may be uninitialised).
 *
 * Why transposed: the filter gradient is colsᵀ·dy, and the wasm matMul is only
 * fast untransposed with the many-row operand on the left. Why a sample range:
 * the writes go to inChannels streams M floats apart; over a whole batch that
 * thrashes the caches (45 ms for the reference CNN's second layer), over 8
 * samples it stays in L2 (several times faster).
 */
export function im2colTransposed(x: Float32Array, g: ConvGeometry, n0: number, n1: number, out: Float32Array): void {
  const { inHeight, inWidth, inChannels: cin, outHeight, outWidth } = g;
  const m = (n1 - n0) * outHeight * outWidth;
  for (let fh = 0; fh < g.filterHeight; fh++) {
    for (let fw = 0; fw < g.filterWidth; fw++) {
      const rowBase = (fh * g.filterWidth + fw) * cin * m;
      const dh = fh * g.dilationHeight - g.padTop;
      const dw = fw * g.dilationWidth - g.padLeft;
      const [owLo, owHi] = insideRange(dw, g.strideWidth, inWidth, outWidth);
      let col = 0;
      for (let n = n0; n < n1; n++) {
        for (let oh = 0; oh < outHeight; oh++, col += outWidth) {
          const ih = oh * g.strideHeight + dh;
          const inside = ih >= 0 && ih < inHeight;
          for (let ci = 0; ci < cin; ci++) {
            const r = rowBase + ci * m + col;
            if (!inside) out.fill(0, r, r + outWidth);
            else {
              out.fill(0, r, r + owLo);
              out.fill(0, r + owHi, r + outWidth);
            }
          }
          if (!inside) continue;
          const rowOffset = (n * inHeight + ih) * inWidth;
          for (let ow = owLo; ow < owHi; ow++) {
            const src = (rowOffset + ow * g.strideWidth + dw) * cin;
            let dst = rowBase + col + ow;
            for (let ci = 0; ci < cin; ci++, dst += m) out[dst] = x[src + ci] as number;
          }
        }
      }
    }
  }
}

/**
 * Writes the patch matrix of NHWC `x` into `out` [M, K] (row m = (n·outHeight +
 * oh)·outWidth + ow, column k as in {@link im2colTransposed}); zero outside the
 * image; every element is written.
 */
export function im2col(x: Float32Array, g: ConvGeometry, out: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels: cin, outHeight, outWidth, filterHeight, filterWidth } = g;
  let dst = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        for (let fh = 0; fh < filterHeight; fh++) {
          const ih = oh * g.strideHeight + fh * g.dilationHeight - g.padTop;
          if (ih < 0 || ih >= inHeight) {
            out.fill(0, dst, dst + filterWidth * cin);
            dst += filterWidth * cin;
            continue;
          }
          for (let fw = 0; fw < filterWidth; fw++) {
            const iw = ow * g.strideWidth + fw * g.dilationWidth - g.padLeft;
            if (iw < 0 || iw >= inWidth) {
              out.fill(0, dst, dst + cin);
              dst += cin;
              continue;
            }
            let src = ((n * inHeight + ih) * inWidth + iw) * cin;
            for (let ci = 0; ci < cin; ci++) out[dst++] = x[src++] as number;
          }
        }
      }
    }
  }
}

/** Output positions [lo, hi) whose input position o·stride + offset lies in [0, inSize). */
function insideRange(offset: number, stride: number, inSize: number, outSize: number): [number, number] {
  const lo = Math.min(outSize, Math.max(0, Math.ceil(-offset / stride)));
  const hi = Math.max(lo, Math.min(outSize, Math.ceil((inSize - offset) / stride)));
  return [lo, hi];
}
