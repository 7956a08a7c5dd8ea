/**
 * The warp: every output pixel samples the source image at the point its
 * inverse mapping gives, by bilinear interpolation, with 0 outside the image.
 *
 * Source pixels are uint8 (NHWC, one sample at `srcOffset`); output is float32
 * in [0, 1], the scale gatherBatch uses: the interpolated byte value divided
 * by 255, so a sample point that lands exactly on a pixel centre gives the
 * same float32 as gatherBatch, bit for bit.
 */

/** 1/255: multiplying by it gives the same float32 as dividing by 255 for every byte value (checked exhaustively in the tests). */
const INV_255 = 1 / 255;

/**
 * Warps one image: output pixel (x, y), channel k, is the source sampled at
 *
 *   sx = m0·x + m1·y + m2 + dx[y·width + x],  sy = m3·x + m4·y + m5 + dy[y·width + x]
 *
 * (dx, dy null: no displacement), interpolating the four neighbouring pixels
 * bilinearly; neighbours outside the image count as 0 (constant fill).
 *
 * Allocates nothing; `out` stays owned by the caller and only its
 * height·width·channels elements from `outOffset` are written. No checks on a
 * hot path: callers pass consistent sizes.
 */
export function warpBilinear(
  src: Uint8Array,
  srcOffset: number,
  height: number,
  width: number,
  channels: number,
  m: Float64Array,
  dx: Float64Array | null,
  dy: Float64Array | null,
  out: Float32Array,
  outOffset: number,
): void {
  if (channels === 1) {
    warpGray(src, srcOffset, height, width, m, dx, dy, out, outOffset);
    return;
  }
  const m0 = m[0] as number;
  const m1 = m[1] as number;
  const m2 = m[2] as number;
  const m3 = m[3] as number;
  const m4 = m[4] as number;
  const m5 = m[5] as number;
  const rowStride = width * channels;
  let o = outOffset;
  for (let y = 0; y < height; y++) {
    const rx = m1 * y + m2;
    const ry = m4 * y + m5;
    for (let x = 0; x < width; x++) {
      let sx = m0 * x + rx;
      let sy = m3 * x + ry;
      if (dx !== null && dy !== null) {
        sx += dx[y * width + x] as number;
        sy += dy[y * width + x] as number;
      }
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      // Whole neighbourhood outside: the constant fill, without reading.
      if (x0 < -1 || x0 >= width || y0 < -1 || y0 >= height) {
        for (let k = 0; k < channels; k++) out[o++] = 0;
        continue;
      }
      const inX0 = x0 >= 0;
      const inX1 = x0 + 1 < width;
      const inY0 = y0 >= 0;
      const inY1 = y0 + 1 < height;
      const p00 = srcOffset + y0 * rowStride + x0 * channels;
      for (let k = 0; k < channels; k++) {
        const v00 = inY0 && inX0 ? (src[p00 + k] as number) : 0;
        const v01 = inY0 && inX1 ? (src[p00 + channels + k] as number) : 0;
        const v10 = inY1 && inX0 ? (src[p00 + rowStride + k] as number) : 0;
        const v11 = inY1 && inX1 ? (src[p00 + rowStride + channels + k] as number) : 0;
        const top = v00 + (v01 - v00) * fx;
        const bottom = v10 + (v11 - v10) * fx;
        out[o++] = (top + (bottom - top) * fy) * INV_255;
      }
    }
  }
}

/** Bilinear value at (sx, sy) of a one-channel image, 0 outside: the checked path, for pixels near the border. */
export function sampleGrayChecked(src: Uint8Array, srcOffset: number, height: number, width: number, sx: number, sy: number): number {
  const x0 = Math.floor(sx);
  const y0 = Math.floor(sy);
  if (x0 < -1 || x0 >= width || y0 < -1 || y0 >= height) return 0;
  const fx = sx - x0;
  const fy = sy - y0;
  const p = srcOffset + y0 * width + x0;
  const inX0 = x0 >= 0;
  const inX1 = x0 + 1 < width;
  const inY0 = y0 >= 0;
  const inY1 = y0 + 1 < height;
  const v00 = inY0 && inX0 ? (src[p] as number) : 0;
  const v01 = inY0 && inX1 ? (src[p + 1] as number) : 0;
  const v10 = inY1 && inX0 ? (src[p + width] as number) : 0;
  const v11 = inY1 && inX1 ? (src[p + width + 1] as number) : 0;
  const top = v00 + (v01 - v00) * fx;
  const bottom = v10 + (v11 - v10) * fx;
  return (top + (bottom - top) * fy) * INV_255;
}

/**
 * Bilinear value at (sx, sy) when all four neighbours are inside (0 ≤ sx < width − 1, 0 ≤ sy < height − 1).
 * Truncation (`| 0`) is floor for these non-negative coordinates, and cheaper.
 */
export function sampleGrayInside(src: Uint8Array, srcOffset: number, width: number, sx: number, sy: number): number {
  const x0 = sx | 0;
  const y0 = sy | 0;
  const fx = sx - x0;
  const p = srcOffset + y0 * width + x0;
  const v00 = src[p] as number;
  const v10 = src[p + width] as number;
  const top = v00 + ((src[p + 1] as number) - v00) * fx;
  const bottom = v10 + ((src[p + width + 1] as number) - v10) * fx;
  return (top + (bottom - top) * (sy - y0)) * INV_255;
}

/** Whether pixel x of a row, mapped exactly as the warp maps it, has all four neighbours inside. */
function insideAt(m0: number, rx: number, m3: number, ry: number, x: number, xMax: number, yMax: number): boolean {
  const sx = m0 * x + rx;
  const sy = m3 * x + ry;
  return sx >= 0 && sx < xMax && sy >= 0 && sy < yMax;
}

/**
 * One channel: the common case (MNIST family).
 *
 * Without displacement, sx and sy are monotone in x along a row (IEEE rounding
 * is monotone), so the pixels whose four neighbours are all inside form one
 * run [lo, hi]: it is guessed from the linear inequalities, its ends are then
 * fixed against the very expressions the loop computes, and only the pixels
 * outside it take the checked path (measured ≈ 1.5× faster than checking every
 * pixel). A wrong guess could only cost speed: the checked path gives the same
 * value for an inside pixel.
 */
function warpGray(
  src: Uint8Array,
  srcOffset: number,
  height: number,
  width: number,
  m: Float64Array,
  dx: Float64Array | null,
  dy: Float64Array | null,
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
  if (dx !== null && dy !== null) {
    for (let y = 0, f = 0; y < height; y++) {
      const rx = m1 * y + m2;
      const ry = m4 * y + m5;
      for (let x = 0; x < width; x++, f++) {
        const sx = m0 * x + rx + (dx[f] as number);
        const sy = m3 * x + ry + (dy[f] as number);
        out[outOffset + f] =
          sx >= 0 && sx < xMax && sy >= 0 && sy < yMax
            ? sampleGrayInside(src, srcOffset, width, sx, sy)
            : sampleGrayChecked(src, srcOffset, height, width, sx, sy);
      }
    }
    return;
  }
  for (let y = 0; y < height; y++) {
    const rx = m1 * y + m2;
    const ry = m4 * y + m5;
    const o = outOffset + y * width;
    let lo = 0;
    let hi = width - 1;
    if (m0 !== 0) {
      const a = -rx / m0;
      const b = (xMax - rx) / m0;
      lo = Math.max(lo, Math.ceil(Math.min(a, b)));
      hi = Math.min(hi, Math.floor(Math.max(a, b)));
    } else if (!(rx >= 0 && rx < xMax)) hi = -1;
    if (m3 !== 0) {
      const a = -ry / m3;
      const b = (yMax - ry) / m3;
      lo = Math.max(lo, Math.ceil(Math.min(a, b)));
      hi = Math.min(hi, Math.floor(Math.max(a, b)));
    } else if (!(ry >= 0 && ry < yMax)) hi = -1;
    while (lo <= hi && !insideAt(m0, rx, m3, ry, lo, xMax, yMax)) lo++;
    while (hi >= lo && !insideAt(m0, rx, m3, ry, hi, xMax, yMax)) hi--;
    if (lo <= hi) {
      while (lo > 0 && insideAt(m0, rx, m3, ry, lo - 1, xMax, yMax)) lo--;
      while (hi < width - 1 && insideAt(m0, rx, m3, ry, hi + 1, xMax, yMax)) hi++;
    } else {
      lo = width; // no run: every pixel takes the checked path
      hi = width - 1;
    }
    for (let x = 0; x < lo; x++) out[o + x] = sampleGrayChecked(src, srcOffset, height, width, m0 * x + rx, m3 * x + ry);
    for (let x = lo; x <= hi; x++) out[o + x] = sampleGrayInside(src, srcOffset, width, m0 * x + rx, m3 * x + ry);
    for (let x = hi + 1; x < width; x++) out[o + x] = sampleGrayChecked(src, srcOffset, height, width, m0 * x + rx, m3 * x + ry);
  }
}
