/**
 * The last product of the spectral elastic field synthesis (elastic.ts), in
 * two forms: writing the dx and dy fields, and — the fast path for
 * one-channel images — fused with the bilinear warp, so each output pixel is
 * sampled as soon as its displacement is known and the fields never touch
 * memory (measured ≈ 25% faster than the field-then-warp pair).
 *
 * Layout: `modesY` is height × stride, row p holding the scaled y-modes at p:
 * first the symmetric ones (about the centre row), then the antisymmetric
 * ones, each group zero-padded to `evenStride` and `stride − evenStride`,
 * both multiples of 4, so the sums below run four terms per step (V8 does
 * not unroll the 4-long loops by itself; unrolled, the fused warp measured
 * ≈ 20% faster). `cols` is width × 2·stride: for column q, the coefficients
 * of the dx field in the same layout, then those of the dy field. Rows p and
 * height−1−p share their sums: the symmetric part adds, the antisymmetric
 * part changes sign.
 *
 * The near-copies below are kept because each measured faster than its
 * merged form (28×28, CPU time per elastic image, one process per variant):
 * the 4 + 4 specialisation 11.9 µs vs the generic loop 13.4 µs; the generic
 * fused warp (stride 16, sigma 3) 25.6 µs vs `expandSpectral` + `warpBilinear`
 * 28 µs; the inside-or-checked sampling choice written out at each store vs
 * one shared `sampleGray(…)` helper: 11.9 µs vs 13.3 µs (sigma 4).
 *
 * Bit-for-bit contract: both functions compute each displacement with the
 * same expression, and the fused one samples with warpBilinear's expressions
 * (bilinear.ts), so `warpSpectralGray` equals `expandSpectral` followed by
 * `warpBilinear` exactly (tested over many streams and maps).
 */
import { sampleGrayChecked, sampleGrayInside } from "./bilinear.js";

/**
 * Writes the displacement fields dx and dy (each ≥ height·width, row-major)
 * from the coefficients `cols`; see the file comment for the layout.
 */
export function expandSpectral(
  height: number,
  width: number,
  modesY: Float64Array,
  stride: number,
  evenStride: number,
  cols: Float64Array,
  dx: Float64Array,
  dy: Float64Array,
): void {
  const s2 = 2 * stride;
  for (let p = 0; p <= height - 1 - p; p++) {
    const my = p * stride;
    const top = p * width;
    const bottom = (height - 1 - p) * width;
    for (let q = 0, c = 0; q < width; q++, c += s2) {
      let ex = 0;
      let ey = 0;
      let ox = 0;
      let oy = 0;
      for (let i = 0; i < evenStride; i += 4) {
        const w0 = modesY[my + i] as number;
        const w1 = modesY[my + i + 1] as number;
        const w2 = modesY[my + i + 2] as number;
        const w3 = modesY[my + i + 3] as number;
        const a = c + i;
        const b = a + stride;
        ex += w0 * (cols[a] as number) + w1 * (cols[a + 1] as number) + w2 * (cols[a + 2] as number) + w3 * (cols[a + 3] as number);
        ey += w0 * (cols[b] as number) + w1 * (cols[b + 1] as number) + w2 * (cols[b + 2] as number) + w3 * (cols[b + 3] as number);
      }
      for (let i = evenStride; i < stride; i += 4) {
        const w0 = modesY[my + i] as number;
        const w1 = modesY[my + i + 1] as number;
        const w2 = modesY[my + i + 2] as number;
        const w3 = modesY[my + i + 3] as number;
        const a = c + i;
        const b = a + stride;
        ox += w0 * (cols[a] as number) + w1 * (cols[a + 1] as number) + w2 * (cols[a + 2] as number) + w3 * (cols[a + 3] as number);
        oy += w0 * (cols[b] as number) + w1 * (cols[b + 1] as number) + w2 * (cols[b + 2] as number) + w3 * (cols[b + 3] as number);
      }
      dx[top + q] = ex + ox;
      dy[top + q] = ey + oy;
      dx[bottom + q] = ex - ox; // odd height, centre row: o is 0 there
      dy[bottom + q] = ey - oy;
    }
  }
}

/**
 * Warps one image (uint8 at `src[srcOffset ..]`, height × width, one
 * channel) into `out[outOffset ..]` as float32 in [0, 1]: output pixel (q, p)
 * samples the source at
 *
 *   sx = m0·q + m1·p + m2 + dx(p, q),  sy = m3·q + m4·p + m5 + dy(p, q)
 *
 * with dx, dy as {@link expandSpectral} would write them, bilinearly, 0 outside.
 * Allocates nothing; only the height·width elements of `out` from `outOffset` are written.
 */
export function warpSpectralGray(
  src: Uint8Array,
  srcOffset: number,
  height: number,
  width: number,
  m: Float64Array,
  modesY: Float64Array,
  stride: number,
  evenStride: number,
  cols: Float64Array,
  out: Float32Array,
  outOffset: number,
): void {
  if (stride === 8 && evenStride === 4) {
    warpSpectralGray8(src, srcOffset, height, width, m, modesY, cols, out, outOffset);
    return;
  }
  const m0 = m[0] as number;
  const m1 = m[1] as number;
  const m2 = m[2] as number;
  const m3 = m[3] as number;
  const m4 = m[4] as number;
  const m5 = m[5] as number;
  const xMax = width - 1;
  const yMax = height - 1;
  const s2 = 2 * stride;
  for (let p = 0; p <= height - 1 - p; p++) {
    const pb = height - 1 - p;
    const my = p * stride;
    const top = outOffset + p * width;
    const bottom = outOffset + pb * width;
    const rxT = m1 * p + m2;
    const ryT = m4 * p + m5;
    const rxB = m1 * pb + m2;
    const ryB = m4 * pb + m5;
    for (let q = 0, c = 0; q < width; q++, c += s2) {
      let ex = 0;
      let ey = 0;
      let ox = 0;
      let oy = 0;
      for (let i = 0; i < evenStride; i += 4) {
        const w0 = modesY[my + i] as number;
        const w1 = modesY[my + i + 1] as number;
        const w2 = modesY[my + i + 2] as number;
        const w3 = modesY[my + i + 3] as number;
        const a = c + i;
        const b = a + stride;
        ex += w0 * (cols[a] as number) + w1 * (cols[a + 1] as number) + w2 * (cols[a + 2] as number) + w3 * (cols[a + 3] as number);
        ey += w0 * (cols[b] as number) + w1 * (cols[b + 1] as number) + w2 * (cols[b + 2] as number) + w3 * (cols[b + 3] as number);
      }
      for (let i = evenStride; i < stride; i += 4) {
        const w0 = modesY[my + i] as number;
        const w1 = modesY[my + i + 1] as number;
        const w2 = modesY[my + i + 2] as number;
        const w3 = modesY[my + i + 3] as number;
        const a = c + i;
        const b = a + stride;
        ox += w0 * (cols[a] as number) + w1 * (cols[a + 1] as number) + w2 * (cols[a + 2] as number) + w3 * (cols[a + 3] as number);
        oy += w0 * (cols[b] as number) + w1 * (cols[b + 1] as number) + w2 * (cols[b + 2] as number) + w3 * (cols[b + 3] as number);
      }
      let sx = m0 * q + rxT + (ex + ox);
      let sy = m3 * q + ryT + (ey + oy);
      out[top + q] =
        sx >= 0 && sx < xMax && sy >= 0 && sy < yMax
          ? sampleGrayInside(src, srcOffset, width, sx, sy)
          : sampleGrayChecked(src, srcOffset, height, width, sx, sy);
      if (pb === p) continue; // odd height, centre row: written once
      sx = m0 * q + rxB + (ex - ox);
      sy = m3 * q + ryB + (ey - oy);
      out[bottom + q] =
        sx >= 0 && sx < xMax && sy >= 0 && sy < yMax
          ? sampleGrayInside(src, srcOffset, width, sx, sy)
          : sampleGrayChecked(src, srcOffset, height, width, sx, sy);
    }
  }
}

/**
 * {@link warpSpectralGray} for the layout of 4 + 4 mode slots (28×28 with
 * sigma ≥ 4, Simard's setting): a row pair's eight mode weights stay in
 * registers across the row (V8 does not hoist typed-array loads past the
 * stores to `out`; measured ≈ 15% faster). Each sum is the generic loop's
 * single step, 0 + (w0·c0 + … + w3·c3), so the bits are the same.
 */
function warpSpectralGray8(
  src: Uint8Array,
  srcOffset: number,
  height: number,
  width: number,
  m: Float64Array,
  modesY: Float64Array,
  cols: Float64Array,
  out: Float32Array,
  outOffset: number,
): void {
  const m0 = m[0] as number;
  const m1 = m[1] as number;
  const m2 = m[2] as number;
  const m3 = m[3] as number;
  const m4 = m[4] as number;
  const m5 = m[5] as number;
  const xMax = width - 1;
  const yMax = height - 1;
  for (let p = 0; p <= height - 1 - p; p++) {
    const pb = height - 1 - p;
    const my = p * 8;
    const top = outOffset + p * width;
    const bottom = outOffset + pb * width;
    const rxT = m1 * p + m2;
    const ryT = m4 * p + m5;
    const rxB = m1 * pb + m2;
    const ryB = m4 * pb + m5;
    const w0 = modesY[my] as number;
    const w1 = modesY[my + 1] as number;
    const w2 = modesY[my + 2] as number;
    const w3 = modesY[my + 3] as number;
    const w4 = modesY[my + 4] as number;
    const w5 = modesY[my + 5] as number;
    const w6 = modesY[my + 6] as number;
    const w7 = modesY[my + 7] as number;
    for (let q = 0, c = 0; q < width; q++, c += 16) {
      const ex = 0 + (w0 * (cols[c] as number) + w1 * (cols[c + 1] as number) + w2 * (cols[c + 2] as number) + w3 * (cols[c + 3] as number));
      const ox = 0 + (w4 * (cols[c + 4] as number) + w5 * (cols[c + 5] as number) + w6 * (cols[c + 6] as number) + w7 * (cols[c + 7] as number));
      const ey = 0 + (w0 * (cols[c + 8] as number) + w1 * (cols[c + 9] as number) + w2 * (cols[c + 10] as number) + w3 * (cols[c + 11] as number));
      const oy = 0 + (w4 * (cols[c + 12] as number) + w5 * (cols[c + 13] as number) + w6 * (cols[c + 14] as number) + w7 * (cols[c + 15] as number));
      let sx = m0 * q + rxT + (ex + ox);
      let sy = m3 * q + ryT + (ey + oy);
      out[top + q] =
        sx >= 0 && sx < xMax && sy >= 0 && sy < yMax
          ? sampleGrayInside(src, srcOffset, width, sx, sy)
          : sampleGrayChecked(src, srcOffset, height, width, sx, sy);
      if (pb === p) continue;
      sx = m0 * q + rxB + (ex - ox);
      sy = m3 * q + ryB + (ey - oy);
      out[bottom + q] =
        sx >= 0 && sx < xMax && sy >= 0 && sy < yMax
          ? sampleGrayInside(src, srcOffset, width, sx, sy)
          : sampleGrayChecked(src, srcOffset, height, width, sx, sy);
    }
  }
}
