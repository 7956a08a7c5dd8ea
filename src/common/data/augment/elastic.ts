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
 *   by the central limit theorem), and per axis only the r leading modes are
 *   kept, dropping at most 1e-5 of Σλ² (Gaussian smoothing damps the rest; at
 *   28×28, σ = 4 each dropped eigenvalue is < 0.4% of the largest). The
 *   matrices are centrosymmetric, so every mode is symmetric or antisymmetric
 *   about the centre and mirrored pixels share their sums. At 28×28, σ = 4:
 *   r = 8, ≈ 4k multiply-adds and 64 normal draws per field, versus ≈ 20k and
 *   784 uniform draws (`node dist/bench/augment.js` times both).
 *
 * What `spectral` changes, honestly stated: a given random stream does not
 * give the field `exact` would give (the streams are consumed differently);
 * the *distribution* of fields is the same up to the dropped modes (the total
 * field variance is low by ≤ 2e-5 relative, the lost part being the
 * finest-scale ripple) and the Gaussian-vs-sum-of-uniforms shape of the marginals. The
 * tests check the per-pixel variance of both methods against the exact
 * formula (1/3)·Σ_i G[p,i]²·Σ_j G[q,j]².
 */
import type { Rng } from "../../random.js";
import { convolveAt, gaussianKernel } from "./gaussian.js";
import { spectralModes, type AxisModes } from "./spectral-modes.js";

/**
 * Fills `out` with independent normal variates of standard deviation `sd`:
 * Box–Muller using both variates of each pair (Rng.nextNormal discards one),
 * two uniform draws per pair, in order.
 */
function fillNormal(rng: Rng, out: Float64Array, sd: number): void {
  for (let i = 0; i < out.length; i += 2) {
    const radius = sd * Math.sqrt(-2 * Math.log(1 - rng.next())); // 1 − next() is in (0, 1]
    const angle = 2 * Math.PI * rng.next();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < out.length) out[i + 1] = radius * Math.sin(angle);
  }
}

/** How an {@link ElasticField} draws: see the file comment. */
export type ElasticMethod = "exact" | "spectral";

/**
 * Draws displacement fields for one image size and sigma, reusing its buffers:
 * create one per (height, width, sigma) and call {@link ElasticField.draw} per
 * sample. Not shareable between interleaved users (it owns scratch state).
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
  /** spectral: modes per axis, row-major height × ry and width × rx (row p: λ_i·q_i[p]) */
  private readonly modesY: Float64Array;
  private readonly modesX: Float64Array;
  readonly rankY: number;
  readonly rankX: number;
  /** spectral: how many of the modes are symmetric (they come first) */
  private readonly evenY: number;
  private readonly evenX: number;
  /** spectral: Z (ry × rx), then (Z·Λ_x·Q_xᵀ)ᵀ (width × ry) */
  private readonly z: Float64Array;
  private readonly zx: Float64Array;

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
    this.modesY = spectral?.y.modes ?? new Float64Array(0);
    this.rankY = spectral?.y.rank ?? 0;
    this.rankX = spectral?.x.rank ?? 0;
    this.evenY = spectral?.y.even ?? 0;
    this.evenX = spectral?.x.even ?? 0;
    this.modesX = spectral?.x.modes ?? new Float64Array(0);
    this.z = new Float64Array(this.rankY * this.rankX);
    this.zx = new Float64Array(width * this.rankY);
  }

  /**
   * Fills `dx` then `dy` (each ≥ height·width, row-major) with alpha × a
   * smoothed noise field drawn from `rng` (dx's draws first: part of the
   * reproducibility contract). Allocates nothing.
   */
  draw(rng: Rng, alpha: number, dx: Float64Array, dy: Float64Array): void {
    if (this.method === "exact") {
      this.drawExact(rng, alpha, dx);
      this.drawExact(rng, alpha, dy);
    } else {
      this.drawSpectral(rng, alpha, dx);
      this.drawSpectral(rng, alpha, dy);
    }
  }

  private drawExact(rng: Rng, alpha: number, out: Float64Array): void {
    const { height, width, pad, noise, pass1, half } = this;
    const stride = width + 2 * pad;
    for (let y = 0; y < height; y++) {
      const row = y * stride + pad;
      for (let x = 0; x < width; x++) noise[row + x] = rng.next() * 2 - 1;
    }
    convolveAt(noise, height, stride, 1, pad, 0, 1, width, half, pass1, pad * width, width, 1, 1);
    convolveAt(pass1, width, 1, width, pad * width, 0, 1, height, half, out, 0, 1, width, alpha);
  }

  private drawSpectral(rng: Rng, alpha: number, out: Float64Array): void {
    const { height, width, rankY, rankX, evenY, evenX, z, zx, modesX, modesY } = this;
    // white noise of variance 1/3 (that of uniform [−1, 1)) in the eigenbasis
    fillNormal(rng, z, Math.sqrt(1 / 3));
    // zx (width × ry) = (Z · (Λ_x Q_xᵀ))ᵀ. Row q and its mirror width−1−q share
    // the sums: the symmetric modes add, the antisymmetric ones change sign.
    for (let q = 0; q < width - 1 - q; q++) {
      const mx = q * rankX;
      const mirror = (width - 1 - q) * rankY;
      for (let i = 0; i < rankY; i++) {
        const zi = i * rankX;
        let e = 0;
        let o = 0;
        for (let j = 0; j < evenX; j++) e += (z[zi + j] as number) * (modesX[mx + j] as number);
        for (let j = evenX; j < rankX; j++) o += (z[zi + j] as number) * (modesX[mx + j] as number);
        zx[q * rankY + i] = e + o;
        zx[mirror + i] = e - o;
      }
    }
    if (width % 2 === 1) {
      const q = width >> 1; // the centre column: antisymmetric modes vanish there
      for (let i = 0; i < rankY; i++) {
        let e = 0;
        for (let j = 0; j < evenX; j++) e += (z[i * rankX + j] as number) * (modesX[q * rankX + j] as number);
        zx[q * rankY + i] = e;
      }
    }
    // out = Λ_y Q_y · zxᵀ, rows p and height−1−p together
    for (let p = 0; p <= height - 1 - p; p++) {
      const my = p * rankY;
      const row = p * width;
      const mirror = (height - 1 - p) * width;
      for (let q = 0; q < width; q++) {
        const c = q * rankY;
        let e = 0;
        let o = 0;
        for (let i = 0; i < evenY; i++) e += (modesY[my + i] as number) * (zx[c + i] as number);
        for (let i = evenY; i < rankY; i++) o += (modesY[my + i] as number) * (zx[c + i] as number);
        out[row + q] = alpha * (e + o);
        out[mirror + q] = alpha * (e - o); // p = height−1−p (odd centre row): o is 0 there
      }
    }
  }
}
