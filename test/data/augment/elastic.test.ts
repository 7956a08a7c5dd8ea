import { describe, expect, it } from "vitest";
import { IDENTITY_AFFINE, inverseAffineMap } from "../../../src/data/augment/affine.js";
import { warpBilinear } from "../../../src/data/augment/bilinear.js";
import { symmetricEigen } from "../../../src/data/augment/eigen.js";
import { ElasticField } from "../../../src/data/augment/elastic.js";
import { gaussianKernel, smoothExact, smoothingMatrix } from "../../../src/data/augment/gaussian.js";
import { normalFromBits } from "../../../src/data/augment/normal-table.js";
import { spectralModes } from "../../../src/data/augment/spectral-modes.js";
import { createRng } from "../../../src/core/random.js";

describe("gaussianKernel", () => {
  it("is symmetric, sums to 1, spans ⌈3σ⌉ each side and falls off like a Gaussian", () => {
    const g = gaussianKernel(4);
    expect(g.length).toBe(25);
    expect(g.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    for (let j = 0; j < 12; j++) expect(g[j]).toBe(g[24 - j]);
    expect((g[12 + 4] as number) / (g[12] as number)).toBeCloseTo(Math.exp(-0.5), 12);
  });
});

describe("symmetricEigen", () => {
  it("reconstructs the matrix from orthonormal eigenvectors", () => {
    const n = 12;
    const a = smoothingMatrix(n, gaussianKernel(2));
    a[3] = a[3 * n] = 0.7; // make it less special than a Toeplitz matrix
    const { values, vectors: q } = symmetricEigen(a, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let rec = 0;
        let dot = 0;
        for (let k = 0; k < n; k++) {
          rec += (q[i * n + k] as number) * (values[k] as number) * (q[j * n + k] as number);
          dot += (q[k * n + i] as number) * (q[k * n + j] as number);
        }
        expect(rec).toBeCloseTo(a[i * n + j] as number, 12);
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    }
  });
});

/** Theoretical variance of the alpha = 1 field at (p, q): (1/3)·Σ_i G[p,i]²·Σ_j G[q,j]². */
function theoreticalVariance(size: number, sigma: number, p: number, q: number): number {
  const g = smoothingMatrix(size, gaussianKernel(sigma));
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < size; i++) {
    sp += (g[p * size + i] as number) ** 2;
    sq += (g[q * size + i] as number) ** 2;
  }
  return (sp * sq) / 3;
}

describe("ElasticField", () => {
  it("picks the exact method for small sigma and the spectral one for Simard's sigma 4 at 28×28", () => {
    expect(new ElasticField(28, 28, 1).method).toBe("exact");
    const f = new ElasticField(28, 28, 4);
    expect(f.method).toBe("spectral");
    expect(f.rankY).toBeLessThan(14);
    expect(spectralModes(28, gaussianKernel(4)).rank).toBe(f.rankY);
  });

  it("exact: is the textbook Gaussian smoothing of the stream's uniforms, dx first, times alpha", () => {
    const h = 20;
    const w = 24;
    const field = new ElasticField(h, w, 3, "exact");
    const dx = new Float64Array(h * w);
    const dy = new Float64Array(h * w);
    field.draw(createRng(11, 2), 7.5, dx, dy);
    const rng = createRng(11, 2);
    const kernel = gaussianKernel(3);
    const tmp = new Float64Array(h * w);
    for (const got of [dx, dy]) {
      const noise = new Float64Array(h * w).map(() => rng.next() * 2 - 1);
      const ref = new Float64Array(h * w);
      smoothExact(noise, h, w, kernel, tmp, ref);
      for (let i = 0; i < h * w; i++) expect(got[i]).toBeCloseTo(7.5 * (ref[i] as number), 12);
    }
  });

  it("both methods have the per-pixel variance of Simard's smoothed uniform noise", () => {
    const size = 28;
    const sigma = 4;
    const draws = 3000;
    const points = [[14, 14], [0, 0], [3, 20], [27, 10]] as const;
    for (const method of ["exact", "spectral"] as const) {
      const field = new ElasticField(size, size, sigma, method);
      const dx = new Float64Array(size * size);
      const dy = new Float64Array(size * size);
      const sums = points.map(() => 0);
      for (let t = 0; t < draws; t++) {
        field.draw(createRng(21, t), 1, dx, dy);
        points.forEach(([p, q], i) => (sums[i] = (sums[i] as number) + (dx[p * size + q] as number) ** 2 + (dy[p * size + q] as number) ** 2));
      }
      points.forEach(([p, q], i) => {
        const ratio = (sums[i] as number) / (2 * draws) / theoreticalVariance(size, sigma, p, q);
        // 6000 samples: the ratio's standard error is ≈ 1.8%
        expect(ratio, `${method} at (${p}, ${q})`).toBeGreaterThan(0.92);
        expect(ratio, `${method} at (${p}, ${q})`).toBeLessThan(1.08);
      });
    }
  });

  it("spectral: neighbouring displacements are correlated like the exact field's (smooth, not white)", () => {
    const size = 28;
    const corr = (method: "exact" | "spectral", lag: number): number => {
      const field = new ElasticField(size, size, 4, method);
      const dx = new Float64Array(size * size);
      const dy = new Float64Array(size * size);
      let sab = 0;
      let saa = 0;
      for (let t = 0; t < 1500; t++) {
        field.draw(createRng(31, t), 1, dx, dy);
        const a = dx[14 * size + 10] as number;
        const b = dx[14 * size + 10 + lag] as number;
        sab += a * b;
        saa += a * a;
      }
      return sab / saa;
    };
    for (const lag of [2, 6]) expect(Math.abs(corr("spectral", lag) - corr("exact", lag))).toBeLessThan(0.08);
    expect(corr("exact", 2)).toBeGreaterThan(0.8);
  });

  it("spectral: modes have exact mirror parity, and the field is Λ_y·Q_y·Z·(Λ_x·Q_x)ᵀ for the stream's normals (odd and even sizes)", () => {
    // sigma 3: 16 padded mode slots per axis (the generic sums); 4 and 6 at 28×28: 4 + 4 slots (the specialised ones)
    for (const [h, w, sigma] of [[27, 21, 3], [28, 28, 3], [16, 9, 3], [28, 28, 4], [28, 28, 6]] as const) {
      const my = spectralModes(h, gaussianKernel(sigma));
      const mx = spectralModes(w, gaussianKernel(sigma));
      for (const { modes, rank, even, size } of [{ ...my, size: h }, { ...mx, size: w }]) {
        expect(even).toBeGreaterThan(0);
        expect(even).toBeLessThanOrEqual(rank);
        for (let p = 0; p < size; p++) {
          for (let i = 0; i < rank; i++) expect(modes[(size - 1 - p) * rank + i]).toBe((i < even ? 1 : -1) * (modes[p * rank + i] as number) || 0);
        }
      }
      const field = new ElasticField(h, w, sigma, "spectral");
      const dx = new Float64Array(h * w);
      const dy = new Float64Array(h * w);
      field.draw(createRng(8, h), 2.5, dx, dy);
      // the same normals, drawn as documented (one 32-bit draw each through the table, sd √(1/3), dx's first)
      const rng = createRng(8, h);
      for (const got of [dx, dy]) {
        const z = new Float64Array(my.rank * mx.rank).map(() => Math.sqrt(1 / 3) * normalFromBits(rng.nextUint32()));
        for (let p = 0; p < h; p++) {
          for (let q = 0; q < w; q++) {
            let v = 0;
            for (let i = 0; i < my.rank; i++) {
              for (let j = 0; j < mx.rank; j++) v += (my.modes[p * my.rank + i] as number) * (z[i * mx.rank + j] as number) * (mx.modes[q * mx.rank + j] as number);
            }
            expect(got[p * w + q]).toBeCloseTo(2.5 * v, 12);
          }
        }
      }
    }
  });

  it("alpha 0 gives zero fields, and the warp is then the identity, bit for bit", () => {
    const h = 28;
    const w = 28;
    const img = new Uint8Array(h * w).map((_, i) => (i * 13) & 255);
    for (const method of ["exact", "spectral"] as const) {
      const dx = new Float64Array(h * w).fill(9);
      const dy = new Float64Array(h * w).fill(9);
      new ElasticField(h, w, 4, method).draw(createRng(1), 0, dx, dy);
      expect(dx.every((v) => v === 0) && dy.every((v) => v === 0)).toBe(true);
      const out = new Float32Array(h * w);
      warpBilinear(img, 0, h, w, 1, inverseAffineMap(IDENTITY_AFFINE, h, w), dx, dy, out, 0);
      expect(out).toEqual(Float32Array.from(img, (v) => v / 255));
    }
  });

  it("is deterministic: the same stream gives the same field, another stream another", () => {
    const f = new ElasticField(28, 28, 4);
    const g = new ElasticField(28, 28, 4);
    const a = [new Float64Array(784), new Float64Array(784)] as const;
    const b = [new Float64Array(784), new Float64Array(784)] as const;
    f.draw(createRng(3, 4), 34, a[0], a[1]);
    f.draw(createRng(9, 9), 34, b[0], b[1]); // scratch reuse must not leak into the next draw
    g.draw(createRng(3, 4), 34, b[0], b[1]);
    expect(b[0]).toEqual(a[0]);
    expect(b[1]).toEqual(a[1]);
    f.draw(createRng(3, 5), 34, b[0], b[1]);
    expect(b[0]).not.toEqual(a[0]);
  });
});
