/**
 * Eigen-decomposition of a small symmetric matrix by the cyclic Jacobi method
 * (Golub & Van Loan §8.5): slow (O(n³) per sweep) but simple, accurate, and
 * deterministic — only +, −, ×, ÷ and √, which IEEE 754 rounds exactly, so
 * every process computes the same bits. Used once per elastic sigma.
 */
import { RingtrainError } from "../../core/errors.js";

/** Eigenvalues and orthonormal eigenvectors: A = Q·diag(values)·Qᵀ. */
export interface SymmetricEigen {
  values: Float64Array;
  /** n×n row-major; column i is the eigenvector of values[i] */
  vectors: Float64Array;
}

/**
 * Decomposes the symmetric n×n matrix `a` (row-major; not modified).
 *
 * @throws RingtrainError INTERNAL when `a` is not n×n or does not converge in 100 sweeps (not seen for the Gaussian matrices it is used on).
 */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  if (a.length !== n * n) throw new RingtrainError("INTERNAL", `symmetricEigen: matrix has ${a.length} entries; expected ${n}×${n}`);
  const m = Float64Array.from(a);
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  const at = (i: number, j: number): number => m[i * n + j] as number;
  let norm = 0;
  for (let i = 0; i < n * n; i++) norm += (m[i] as number) ** 2;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += at(i, j) ** 2;
    if (off <= 1e-30 * norm) {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = at(i, i);
      return { values, vectors: q };
    }
    for (let p = 0; p < n; p++) {
      for (let r = p + 1; r < n; r++) {
        const apr = at(p, r);
        if (apr === 0) continue;
        // the rotation that zeroes m[p][r] (the smaller of the two angles)
        const theta = (at(r, r) - at(p, p)) / (2 * apr);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = at(k, p);
          const mkr = at(k, r);
          m[k * n + p] = c * mkp - s * mkr;
          m[k * n + r] = s * mkp + c * mkr;
        }
        for (let k = 0; k < n; k++) {
          const mpk = at(p, k);
          const mrk = at(r, k);
          m[p * n + k] = c * mpk - s * mrk;
          m[r * n + k] = s * mpk + c * mrk;
        }
        for (let k = 0; k < n; k++) {
          const qkp = q[k * n + p] as number;
          const qkr = q[k * n + r] as number;
          q[k * n + p] = c * qkp - s * qkr;
          q[k * n + r] = s * qkp + c * qkr;
        }
      }
    }
  }
  throw new RingtrainError("INTERNAL", `symmetricEigen: ${n}×${n} matrix did not converge in 100 Jacobi sweeps`);
}
