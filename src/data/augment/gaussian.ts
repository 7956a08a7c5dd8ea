/**
 * The Gaussian smoothing of elastic distortion fields: the truncated kernel,
 * its matrix form with zero padding, and two ways to apply it (a textbook
 * reference and a fast padded separable convolution).
 */

/** Normalised Gaussian weights g[0..2r] for offsets −r..r, r = ⌈3σ⌉. */
export function gaussianKernel(sigma: number): Float64Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const g = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let j = -r; j <= r; j++) {
    const v = Math.exp(-(j * j) / (2 * sigma * sigma));
    g[j + r] = v;
    sum += v;
  }
  for (let j = 0; j < g.length; j++) g[j] = (g[j] as number) / sum;
  return g;
}

/** size × size: the truncated Gaussian with zero padding as a (symmetric) matrix. */
export function smoothingMatrix(size: number, kernel: Float64Array): Float64Array {
  const r = (kernel.length - 1) >> 1;
  const g = new Float64Array(size * size);
  for (let o = 0; o < size; o++) {
    for (let i = Math.max(0, o - r); i <= Math.min(size - 1, o + r); i++) g[o * size + i] = kernel[i - o + r] as number;
  }
  return g;
}

/**
 * Reference smoothing, written the textbook way (tests compare the fast paths
 * with it): `out` = `noise` (height×width, row-major) convolved with `kernel`,
 * zero outside the image. `tmp` (≥ height·width) is scratch.
 */
export function smoothExact(noise: Float64Array, height: number, width: number, kernel: Float64Array, tmp: Float64Array, out: Float64Array): void {
  const r = (kernel.length - 1) >> 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let xx = Math.max(0, x - r); xx <= Math.min(width - 1, x + r); xx++) s += (kernel[xx - x + r] as number) * (noise[y * width + xx] as number);
      tmp[y * width + x] = s;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let yy = Math.max(0, y - r); yy <= Math.min(height - 1, y + r); yy++) s += (kernel[yy - y + r] as number) * (tmp[yy * width + x] as number);
      out[y * width + x] = s;
    }
  }
}

/**
 * Convolves `lines` lines of a zero-padded buffer with the symmetric kernel
 * `half` (weights for offsets 0..r), evaluated at the first `count`
 * positions of each line, writing scale × result to `dst`.
 * Element (line l, position p) of `src` is src[origin + l·lineStride + p·pointStride];
 * the padding must cover p − r .. p + r for every position. No bounds checks
 * or clipping in the loop: that is what the padding is for.
 */
export function convolveAt(
  src: Float64Array,
  lines: number,
  lineStride: number,
  pointStride: number,
  origin: number,
  count: number,
  half: Float64Array,
  dst: Float64Array,
  dstOrigin: number,
  dstLineStride: number,
  dstPointStride: number,
  scale: number,
): void {
  const r = half.length - 1;
  const g0 = half[0] as number;
  for (let l = 0; l < lines; l++) {
    let c = origin + l * lineStride;
    let d = dstOrigin + l * dstLineStride;
    for (let q = 0; q < count; q++, c += pointStride, d += dstPointStride) {
      // two accumulators halve the dependent add chain
      let s0 = g0 * (src[c] as number);
      let s1 = 0;
      let j = 1;
      for (let off = pointStride; j + 1 <= r; j += 2, off += 2 * pointStride) {
        s0 += (half[j] as number) * ((src[c - off] as number) + (src[c + off] as number));
        s1 += (half[j + 1] as number) * ((src[c - off - pointStride] as number) + (src[c + off + pointStride] as number));
      }
      if (j === r) s0 += (half[j] as number) * ((src[c - r * pointStride] as number) + (src[c + r * pointStride] as number));
      dst[d] = (s0 + s1) * scale;
    }
  }
}
