import { describe, it, expect } from "vitest";
import { RingtrainError } from "../../src/core/errors.js";
import { createRng } from "../../src/core/random.js";

function draws(seedParts: number[], n: number): number[] {
  const r = createRng(...seedParts);
  return Array.from({ length: n }, () => r.nextUint32());
}

describe("createRng", () => {
  it("is deterministic for the same seed parts", () => {
    expect(draws([42, 3], 100)).toEqual(draws([42, 3], 100));
  });

  it("gives unrelated streams for different parts, orders and part counts", () => {
    const streams = [[42, 3], [42, 4], [43, 3], [3, 42], [42, 3, 0], [42], [], [-1, 3], [2 ** 40 + 42, 3]];
    const firsts = streams.map((s) => draws(s, 4).join(","));
    expect(new Set(firsts).size).toBe(streams.length);
  });

  it("matches a pinned sequence (the stream must never change: it defines every run's data order)", () => {
    const first = draws([1, 2, 3], 5);
    // Recorded from this implementation; a change here changes every run's trajectory.
    expect(first).toEqual(PINNED);
  });

  it("next() is in [0, 1) with a plausible mean", () => {
    const r = createRng(7);
    let sum = 0;
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = r.next();
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / 100_000 - 0.5)).toBeLessThan(0.01);
  });

  it("nextInt is in range and roughly uniform", () => {
    const r = createRng(9);
    const counts = new Array<number>(7).fill(0);
    let bad = 0;
    for (let i = 0; i < 70_000; i++) {
      const k = r.nextInt(7);
      if (!(Number.isInteger(k) && k >= 0 && k < 7)) bad++;
      counts[k] = (counts[k] ?? 0) + 1;
    }
    expect(bad).toBe(0);
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(r.nextInt(1)).toBe(0);
    expect(() => r.nextInt(0)).toThrow(RingtrainError);
    expect(() => r.nextInt(1.5)).toThrow(RingtrainError);
  });

  it("nextNormal has mean ~0 and variance ~1", () => {
    const r = createRng(11);
    let s = 0;
    let s2 = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const x = r.nextNormal();
      s += x;
      s2 += x * x;
    }
    expect(Number.isFinite(s2)).toBe(true);
    expect(Math.abs(s / n)).toBeLessThan(0.03);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.05);
  });

  it("shuffleInPlace permutes, deterministically, and moves most elements", () => {
    const a = Uint32Array.from({ length: 1000 }, (_, i) => i);
    const b = a.slice();
    createRng(5).shuffleInPlace(a);
    createRng(5).shuffleInPlace(b);
    expect(a).toEqual(b);
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    let fixed = 0;
    a.forEach((v, i) => (fixed += v === i ? 1 : 0));
    expect(fixed).toBeLessThan(20);
    // every position reachable: over many shuffles of 4 elements all 24 orders appear
    const seen = new Set<string>();
    const r = createRng(6);
    for (let i = 0; i < 2000; i++) seen.add(r.shuffleInPlace(Uint32Array.of(0, 1, 2, 3)).join(""));
    expect(seen.size).toBe(24);
  });

  it("rejects seed parts that are not safe integers", () => {
    expect(() => createRng(1.5)).toThrow(/seed part 0 is 1.5/);
    expect(() => createRng(1, Number.NaN)).toThrow(RingtrainError);
    expect(() => createRng(2 ** 60)).toThrow(RingtrainError);
  });
});

// xoshiro128** itself was checked against the reference vector for state (1,2,3,4):
// 11520, 0, 5927040, 70819200, 2031721883, ...
const PINNED: number[] = [229692093, 2982048868, 2115983625, 2164462317, 2374773869];
