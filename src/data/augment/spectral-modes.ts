/**
 * Eigen-modes of the Gaussian smoothing matrix of one image axis, for the
 * spectral elastic fields (see elastic.ts): which modes carry the field's
 * variance, each scaled by its eigenvalue and of exact mirror parity.
 */
import { symmetricEigen } from "./eigen.js";
import { smoothingMatrix } from "./gaussian.js";

/** Largest share of Σλ² dropped per axis: the field's total variance is low by at most twice this. */
const SPECTRAL_ENERGY_DROPPED = 1e-5;

/**
 * The kept modes of one axis, scaled: size × rank row-major, column i =
 * λ_i·q_i. The first `even` columns are symmetric about the centre
 * (q[size−1−p] = q[p]), the rest antisymmetric (q[size−1−p] = −q[p]).
 */
export interface AxisModes {
  modes: Float64Array;
  rank: number;
  even: number;
}

/** Modes already computed, by size and kernel: an eigen-decomposition costs milliseconds, and previews build many fields. */
const modeCache = new Map<string, AxisModes>();

/** The leading modes of one axis' smoothing matrix (see {@link AxisModes}). Memoised: callers must not modify the result. */
export function spectralModes(size: number, kernel: Float64Array): AxisModes {
  const key = `${size}:${Array.from(kernel).join(",")}`;
  let m = modeCache.get(key);
  if (m === undefined) {
    m = computeSpectralModes(size, kernel);
    modeCache.set(key, m);
  }
  return m;
}

function computeSpectralModes(size: number, kernel: Float64Array): AxisModes {
  const g = smoothingMatrix(size, kernel);
  const half = size >> 1;
  // g is centrosymmetric (g[i][j] = g[n−1−i][n−1−j]), so it maps the symmetric
  // and the antisymmetric vectors to themselves: decomposing it on each of the
  // two subspaces gives eigenvectors of exact parity, which drawSpectral uses
  // to compute each mirrored pair of pixels at once.
  const candidates: Array<{ value: number; vector: Float64Array; even: boolean }> = [];
  for (const sign of [1, -1]) {
    const dim = sign === 1 ? size - half : half;
    if (dim === 0) continue;
    // orthonormal basis: (e_k ± e_{n−1−k})/√2 for k < half, plus the centre e_half for an odd size (symmetric)
    const basis = new Float64Array(size * dim);
    for (let k = 0; k < half; k++) {
      basis[k * dim + k] = Math.SQRT1_2;
      basis[(size - 1 - k) * dim + k] = sign * Math.SQRT1_2;
    }
    if (sign === 1 && size % 2 === 1) basis[half * dim + half] = 1;
    const gb = new Float64Array(size * dim); // g · basis
    for (let i = 0; i < size; i++) {
      for (let k = 0; k < dim; k++) {
        let acc = 0;
        for (let j = 0; j < size; j++) acc += (g[i * size + j] as number) * (basis[j * dim + k] as number);
        gb[i * dim + k] = acc;
      }
    }
    const m = new Float64Array(dim * dim); // basisᵀ · g · basis
    for (let k = 0; k < dim; k++) {
      for (let l = 0; l < dim; l++) {
        let acc = 0;
        for (let i = 0; i < size; i++) acc += (basis[i * dim + k] as number) * (gb[i * dim + l] as number);
        m[k * dim + l] = acc;
      }
    }
    const { values, vectors } = symmetricEigen(m, dim);
    for (let c = 0; c < dim; c++) {
      const vector = new Float64Array(size);
      for (let i = 0; i < size; i++) {
        let acc = 0;
        for (let k = 0; k < dim; k++) acc += (basis[i * dim + k] as number) * (vectors[k * dim + c] as number);
        vector[i] = acc;
      }
      candidates.push({ value: values[c] as number, vector, even: sign === 1 });
    }
  }
  candidates.sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
  let total = 0;
  for (const c of candidates) total += c.value ** 2;
  let rank = 0;
  let kept = 0;
  while (rank < candidates.length && total - kept > SPECTRAL_ENERGY_DROPPED * total) kept += (candidates[rank++] as { value: number }).value ** 2;
  const chosen = candidates.slice(0, rank);
  const ordered = [...chosen.filter((c) => c.even), ...chosen.filter((c) => !c.even)];
  const modes = new Float64Array(size * rank);
  ordered.forEach((c, i) => {
    for (let p = 0; p < size; p++) modes[p * rank + i] = c.value * (c.vector[p] as number);
  });
  return { modes, rank, even: chosen.filter((c) => c.even).length };
}

/**
 * {@link AxisModes} laid out for unrolled sums: size × stride row-major, the
 * symmetric modes in slots [0, even), zeros up to `evenStride`, the
 * antisymmetric ones from `evenStride`, zeros up to `stride`; both strides
 * are multiples of 4. Mode i sits in slot `slots[i]`.
 */
export interface PaddedModes {
  modes: Float64Array;
  stride: number;
  evenStride: number;
  slots: Int32Array;
}

/** Pads `axis` (of `size` points) to the {@link PaddedModes} layout; a fresh copy. */
export function padModes(axis: AxisModes, size: number): PaddedModes {
  const roundUp4 = (n: number): number => (n + 3) & ~3;
  const evenStride = roundUp4(axis.even);
  const stride = evenStride + roundUp4(axis.rank - axis.even);
  const slots = Int32Array.from({ length: axis.rank }, (_, i) => (i < axis.even ? i : evenStride + i - axis.even));
  const modes = new Float64Array(size * stride);
  for (let p = 0; p < size; p++) {
    for (let i = 0; i < axis.rank; i++) modes[p * stride + (slots[i] as number)] = axis.modes[p * axis.rank + i] as number;
  }
  return { modes, stride, evenStride, slots };
}
