/**
 * Elastic distortion fields (Simard, Steinkraus & Platt 2003, "Best practices
 * for convolutional neural networks applied to visual document analysis"):
 * per axis, a field of independent uniform [−1, 1) noise, one value per pixel,
 * convolved with a Gaussian of standard deviation sigma (zero outside the
 * image, like scipy's `gaussian_filter(mode="constant")` in the usual
 * implementations), then multiplied by alpha, gives each output pixel's
 * displacement in pixels. The Gaussian is truncated at radius ⌈3σ⌉ and
 * renormalised (scipy truncates at 4σ; the weights past 3σ are below 1.2% of
 * the peak and hold 0.27% of the mass).
 *
 * Two ways to draw a field, chosen per sigma by estimated cost ({@link ElasticField}):
 *
 * - `exact`: draw the H·W uniforms and convolve (two separable passes over a
 *   zero-padded buffer): 2·(⌈3σ⌉+1) multiply-adds per pixel — ≈ 20k per field
 *   at 28×28, σ = 4, plus 784 draws. Chosen for σ < 2 at 28×28.
 * - `spectral`: the smoothing is the linear map N ↦ G_y·N·G_x with symmetric
 *   matrices G = Q·Λ·Qᵀ (eigen-decomposition, once per sigma). For white noise
 *   N of variance 1/3, Z = Q_yᵀ·N·Q_x is again white with variance 1/3 (Q is
 *   orthogonal), so the field Q_y·Λ_y·Z·Λ_x·Q_xᵀ drawn from a fresh white Z
 *   has the *same covariance* as the exact one. Z is drawn Gaussian (each of
 *   its entries is a weighted sum of H·W uniforms, Gaussian to high accuracy
 *   by the central limit theorem) from one 32-bit draw per entry through an
 *   inverse-CDF table (normal-table.ts), and per axis only the r leading modes are
 *   kept, dropping at most 1e-5 of Σλ² (Gaussian smoothing damps the rest; at
 *   28×28, σ = 4 each dropped eigenvalue is < 0.4% of the largest). The
 *   matrices are centrosymmetric, so every mode is symmetric or antisymmetric
 *   about the centre and mirrored pixels share their sums. At 28×28, σ = 4:
 *   r = 8, ≈ 4k multiply-adds and 64 normal draws per field, versus ≈ 20k and
 *   784 uniform draws (`node dist/bench/augment.js` times both).
 *
 * Draw order (part of the reproducibility contract): dx's draws, then dy's.
 * `spectral` folds alpha·√(1/3) into Z and computes dx and dy in one pass;
 * for one-channel images {@link ElasticField.warp} goes further and samples
 * each pixel as soon as its displacement is known (elastic-warp.ts), without
 * writing the fields — the same bits as `draw` followed by `warpBilinear`.
 *
 * What `spectral` changes, honestly stated: a given random stream does not
 * give the field `exact` would give (the streams are consumed differently);
 * the *distribution* of fields is the same up to the dropped modes (the total
 * field variance is low by ≤ 2e-5 relative, the lost part being the
 * finest-scale ripple) and the Gaussian-vs-sum-of-uniforms shape of the
 * marginals (Z's table-drawn entries are piecewise-linear in the quantile
 * and stop at ±3.65 standard deviations; see normal-table.ts). The tests
 * check the per-pixel variance of both methods against the exact formula
 * (1/3)·Σ_i G[p,i]²·Σ_j G[q,j]².
 *
 * Measured at 28×28, σ = 4 (`npm run bench:augment`, CPU time per image):
 * one elastic image ≈ 13 µs — Z and its first product ≈ 2 µs, the fused
 * last product ≈ 3 µs, bilinear sampling ≈ 6 µs — against ≈ 32 µs with
 * Box–Muller draws and a separate field-then-warp.
 */
import type { Rng } from "../../core/random.js";
import { warpBilinear } from "./bilinear.js";
import { expandSpectral, warpSpectralGray } from "./elastic-warp.js";
import { convolveAt, gaussianKernel } from "./gaussian.js";
import { NORMAL_TABLE_BITS, normalTable } from "./normal-table.js";
import { padModes, spectralModes, type AxisModes, type PaddedModes } from "./spectral-modes.js";

const LOW_MASK = 2 ** (32 - NORMAL_TABLE_BITS) - 1;

/** How an {@link ElasticField} draws: see the file comment. */
export type ElasticMethod = "exact" | "spectral";

/**
 * Draws displacement fields for one image size and sigma, reusing its buffers:
 * create one per (height, width, sigma) and call {@link ElasticField.draw} or
 * {@link ElasticField.warp} per sample. Not shareable between interleaved
 * users (it owns scratch state).
 */
export class ElasticField {
  readonly kernel: Float64Array;
  readonly method: ElasticMethod;
  private readonly half: Float64Array;
  /** exact: zero padding on each side of the padded buffers */
  private readonly pad: number;
  /** exact: noise rows with `pad` zero columns each side */
  private readonly noise: Float64Array;
  /** exact: first pass, with `pad` zero rows above and below */
  private readonly pass1: Float64Array;
  /** spectral: the kept modes of each axis (row p: λ_i·q_i[p]), padded for unrolled sums */
  private readonly modesY: PaddedModes;
  private readonly modesX: PaddedModes;
  readonly rankY: number;
  readonly rankX: number;
  /** spectral: Z of one field, modesY.stride × modesX.stride (zero in the padding slots) */
  private readonly z: Float64Array;
  /** spectral: where in {@link z} the k-th normal draw goes (k = i·rankX + j: row-major over the modes) */
  private readonly zSlots: Int32Array;
  /**
   * spectral: per column q, 2·modesY.stride numbers: (Z·Λ_x·Q_xᵀ)ᵀ row q of
   * the dx field, then of the dy field, in the slots of modesY
   */
  private readonly cols: Float64Array;
  /** fallback warps (exact method, several channels): the fields, allocated on first use */
  private dx: Float64Array | undefined;
  private dy: Float64Array | undefined;

  /**
   * @param method default: whichever costs fewer operations for this size and sigma.
   */
  constructor(
    readonly height: number,
    readonly width: number,
    readonly sigma: number,
    method?: ElasticMethod,
  ) {
    this.kernel = gaussianKernel(sigma);
    const r = (this.kernel.length - 1) >> 1;
    this.half = this.kernel.slice(r);
    const size = height * width;
    // exact: two passes of (r+1) pair-multiply-adds, plus a uniform draw (≈ 4 multiply-adds)
    const exactCost = size * (2 * (r + 1) + 4);
    let spectral: { y: AxisModes; x: AxisModes } | undefined;
    if (method !== "exact") {
      const y = spectralModes(height, this.kernel);
      const x = height === width ? y : spectralModes(width, this.kernel);
      // two products, halved by the mirror symmetry, plus half a Box–Muller pair (log, √, cos, sin: ≈ 20 multiply-adds)
      const cost = (y.rank * x.rank * width + height * y.rank * width) / 2 + 20 * y.rank * x.rank;
      if (method === "spectral" || cost < exactCost) spectral = { y, x };
    }
    this.method = spectral ? "spectral" : "exact";
    this.pad = spectral ? 0 : r;
    this.noise = new Float64Array(spectral ? 0 : height * (width + 2 * r));
    this.pass1 = new Float64Array(spectral ? 0 : (height + 2 * r) * width);
    const none: AxisModes = { modes: new Float64Array(0), rank: 0, even: 0 };
    this.rankY = spectral?.y.rank ?? 0;
    this.rankX = spectral?.x.rank ?? 0;
    this.modesY = padModes(spectral?.y ?? none, height);
    this.modesX = padModes(spectral?.x ?? none, width);
    this.z = new Float64Array(this.modesY.stride * this.modesX.stride);
    this.zSlots = new Int32Array(this.rankY * this.rankX);
    for (let i = 0; i < this.rankY; i++) {
      for (let j = 0; j < this.rankX; j++) {
        this.zSlots[i * this.rankX + j] = (this.modesY.slots[i] as number) * this.modesX.stride + (this.modesX.slots[j] as number);
      }
    }
    this.cols = new Float64Array(width * 2 * this.modesY.stride);
  }

  /**
   * Fills `dx` and `dy` (each ≥ height·width, row-major) with alpha × a
   * smoothed noise field drawn from `rng` (dx's draws first: part of the
   * reproducibility contract). Allocates nothing.
   */
  draw(rng: Rng, alpha: number, dx: Float64Array, dy: Float64Array): void {
    if (this.method === "exact") {
      this.drawExact(rng, alpha, dx);
      this.drawExact(rng, alpha, dy);
      return;
    }
    this.synthesize(rng, alpha);
    const { modes, stride, evenStride } = this.modesY;
    expandSpectral(this.height, this.width, modes, stride, evenStride, this.cols, dx, dy);
  }

  /**
   * Draws a field pair from `rng` exactly as {@link draw} does and warps the
   * image at `src[srcOffset ..]` (uint8, HWC) by the affine inverse map `m`
   * plus the displacement, like `warpBilinear`, into `out[outOffset ..]`:
   * the same bits as `draw` followed by `warpBilinear`. For one channel and
   * the spectral method the fields are never stored (the fast path).
   * Allocates nothing after its first call.
   */
  warp(rng: Rng, alpha: number, src: Uint8Array, srcOffset: number, channels: number, m: Float64Array, out: Float32Array, outOffset: number): void {
    const { height, width } = this;
    if (this.method === "spectral" && channels === 1) {
      this.synthesize(rng, alpha);
      const { modes, stride, evenStride } = this.modesY;
      warpSpectralGray(src, srcOffset, height, width, m, modes, stride, evenStride, this.cols, out, outOffset);
      return;
    }
    this.dx ??= new Float64Array(height * width);
    this.dy ??= new Float64Array(height * width);
    this.draw(rng, alpha, this.dx, this.dy);
    warpBilinear(src, srcOffset, height, width, channels, m, this.dx, this.dy, out, outOffset);
  }

  private drawExact(rng: Rng, alpha: number, out: Float64Array): void {
    const { height, width, pad, noise, pass1, half } = this;
    const stride = width + 2 * pad;
    for (let y = 0; y < height; y++) {
      const row = y * stride + pad;
      for (let x = 0; x < width; x++) noise[row + x] = rng.next() * 2 - 1;
    }
    convolveAt(noise, height, stride, 1, pad, width, half, pass1, pad * width, width, 1, 1);
    convolveAt(pass1, width, 1, width, pad * width, height, half, out, 0, 1, width, alpha);
  }

  /** spectral: draws Z for dx, then for dy, and fills {@link cols} with their products by Λ_x·Q_xᵀ. */
  private synthesize(rng: Rng, alpha: number): void {
    // white noise of variance 1/3 (that of uniform [−1, 1)) in the eigenbasis, times alpha
    const scale = alpha * Math.sqrt(1 / 3);
    this.project(rng, scale, 0);
    this.project(rng, scale, this.modesY.stride);
  }

  /** Draws one field's Z and writes its coefficients at `offset` of every column of {@link cols}. */
  private project(rng: Rng, scale: number, offset: number): void {
    const { width, z, zSlots, cols } = this;
    const t = normalTable();
    for (let k = 0; k < zSlots.length; k++) {
      const u = rng.nextUint32();
      const i = (u >>> (32 - NORMAL_TABLE_BITS)) << 1;
      z[zSlots[k] as number] = scale * ((t[i] as number) + (t[i + 1] as number) * (u & LOW_MASK)); // scale · normalFromBits(u)
    }
    const sy = this.modesY.stride;
    const { modes: mx, stride: sx, evenStride: ex } = this.modesX;
    const s2 = 2 * sy;
    // column q of (Z · (Λ_x Q_xᵀ)) and its mirror width−1−q share the sums:
    // the symmetric modes add, the antisymmetric ones change sign (they
    // vanish on the centre column of an odd width: o is 0 there).
    for (let q = 0; q <= width - 1 - q; q++) {
      const mq = q * sx;
      const c = q * s2 + offset;
      const mirror = (width - 1 - q) * s2 + offset;
      if (sx === 8 && ex === 4) {
        // 4 + 4 slots (sigma ≥ 4 at 28×28): the column's mode weights stay in
        // registers across i (V8 does not hoist the loads; ≈ 1 µs per image)
        const x0 = mx[mq] as number;
        const x1 = mx[mq + 1] as number;
        const x2 = mx[mq + 2] as number;
        const x3 = mx[mq + 3] as number;
        const x4 = mx[mq + 4] as number;
        const x5 = mx[mq + 5] as number;
        const x6 = mx[mq + 6] as number;
        const x7 = mx[mq + 7] as number;
        for (let i = 0, zi = 0; i < sy; i++, zi += 8) {
          const e = (z[zi] as number) * x0 + (z[zi + 1] as number) * x1 + (z[zi + 2] as number) * x2 + (z[zi + 3] as number) * x3;
          const o = (z[zi + 4] as number) * x4 + (z[zi + 5] as number) * x5 + (z[zi + 6] as number) * x6 + (z[zi + 7] as number) * x7;
          cols[c + i] = e + o;
          cols[mirror + i] = e - o;
        }
        continue;
      }
      for (let i = 0, zi = 0; i < sy; i++, zi += sx) {
        let e = 0;
        let o = 0;
        for (let j = 0; j < ex; j += 4) {
          const a = zi + j;
          const b = mq + j;
          e += (z[a] as number) * (mx[b] as number) + (z[a + 1] as number) * (mx[b + 1] as number) + (z[a + 2] as number) * (mx[b + 2] as number) + (z[a + 3] as number) * (mx[b + 3] as number);
        }
        for (let j = ex; j < sx; j += 4) {
          const a = zi + j;
          const b = mq + j;
          o += (z[a] as number) * (mx[b] as number) + (z[a + 1] as number) * (mx[b + 1] as number) + (z[a + 2] as number) * (mx[b + 2] as number) + (z[a + 3] as number) * (mx[b + 3] as number);
        }
        cols[c + i] = e + o;
        cols[mirror + i] = e - o;
      }
    }
  }
}
