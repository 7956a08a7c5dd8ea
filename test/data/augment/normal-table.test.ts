import { describe, expect, it } from "vitest";
import { NORMAL_TABLE_BITS, normalFromBits, normalTable } from "../../../src/data/augment/normal-table.js";
import { createRng } from "../../../src/core/random.js";

const LOW_BITS = 32 - NORMAL_TABLE_BITS;
const BUCKETS = 2 ** NORMAL_TABLE_BITS;
const TOP = 2 ** 32 - 1;

describe("normalFromBits", () => {
  it("is monotone in the bits, across and within every bucket", () => {
    let previous = -Infinity;
    for (let i = 0; i < BUCKETS; i++) {
      const first = normalFromBits(i * 2 ** LOW_BITS);
      const middle = normalFromBits(i * 2 ** LOW_BITS + 2 ** (LOW_BITS - 1));
      const last = normalFromBits(i * 2 ** LOW_BITS + 2 ** LOW_BITS - 1);
      expect(first, `bucket ${i}`).toBeGreaterThan(previous);
      expect(middle).toBeGreaterThan(first);
      expect(last).toBeGreaterThan(middle);
      previous = last;
    }
  });

  it("is symmetric: the complementary bits give the opposite value", () => {
    const rng = createRng(41);
    for (let k = 0; k < 5000; k++) {
      const u = rng.nextUint32();
      expect(normalFromBits(u) + normalFromBits(TOP - u)).toBeCloseTo(0, 12);
    }
    expect(normalFromBits(2 ** 31)).toBeCloseTo(0, 6);
  });

  it("has variance exactly 1 (second moment of the table, summed over every low-bit value)", () => {
    const t = normalTable();
    const n = 2 ** LOW_BITS;
    let m2 = 0;
    for (let i = 0; i < BUCKETS; i++) {
      const a = t[2 * i] as number;
      const b = t[2 * i + 1] as number;
      // mean over low = 0..n−1 of (a + b·low)²
      m2 += a * a + a * b * (n - 1) + (b * b * (n - 1) * (2 * n - 1)) / 6;
    }
    expect(m2 / BUCKETS).toBeCloseTo(1, 12);
  });

  it("follows the normal quantile function Φ⁻¹ (values from tables of the normal distribution)", () => {
    const quantiles: Array<[number, number, number]> = [
      // probability, Φ⁻¹, tolerance
      [0.6, 0.2533471031357997, 1e-3],
      [0.8413447460685429, 1, 1e-3],
      [0.975, 1.959963984540054, 1e-3],
      [0.9772498680518208, 2, 1e-3],
      [0.99, 2.3263478740408408, 1e-3],
      [0.999, 3.090232306167813, 5e-3],
      [0.9986501019683699, 3, 0.03], // inside the last bucket but one: coarser there
    ];
    for (const [p, q, tol] of quantiles) {
      expect(Math.abs(normalFromBits(Math.floor(p * 2 ** 32)) - q), `p = ${p}`).toBeLessThan(tol);
      expect(Math.abs(normalFromBits(Math.floor((1 - p) * 2 ** 32)) + q), `p = ${1 - p}`).toBeLessThan(tol);
    }
    expect(normalFromBits(TOP)).toBeGreaterThan(3.5); // the tail bucket reaches past Φ⁻¹(1023/1024) ≈ 3.1
    expect(normalFromBits(TOP)).toBeLessThan(4);
  });

  it("gives draws from a stream with the moments of a standard normal", () => {
    const rng = createRng(42);
    const n = 100_000;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    for (let k = 0; k < n; k++) {
      const v = normalFromBits(rng.nextUint32());
      s1 += v;
      s2 += v * v;
      s3 += v ** 3;
      s4 += v ** 4;
    }
    // standard errors at n = 1e5: mean 0.003, variance 0.0045, third moment 0.012, fourth 0.03
    expect(Math.abs(s1 / n)).toBeLessThan(0.015);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
    expect(Math.abs(s3 / n)).toBeLessThan(0.06);
    expect(Math.abs(s4 / n - 3)).toBeLessThan(0.15);
  });
});
