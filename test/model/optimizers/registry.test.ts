import { describe, it, expect } from "vitest";
import { RingtrainError, isRingtrainError } from "../../../src/core/errors.js";
import { OPTIMIZER_NAMES, defaultOptimizerConfig, type OptimizerConfig } from "../../../src/model/optimizers/optimizer-config.js";
import { createOptimizer } from "../../../src/model/optimizers/registry.js";
import { createRng } from "../../../src/core/random.js";

function randomArray(seed: number, n: number, scale = 1): Float32Array {
  const r = createRng(seed);
  return Float32Array.from({ length: n }, () => r.nextNormal() * scale);
}

const VARIANTS: OptimizerConfig[] = [
  ...OPTIMIZER_NAMES.map((n) => defaultOptimizerConfig(n)),
  { name: "sgd", learningRate: 0.01, momentum: 0.9, nesterov: true },
  { name: "rmsprop", learningRate: 0.001, rho: 0.9, momentum: 0.5, epsilon: 1e-7, centered: true },
];

describe("createOptimizer", () => {
  it("creates each registered optimizer by name", () => {
    for (const name of OPTIMIZER_NAMES) {
      const opt = createOptimizer(defaultOptimizerConfig(name), 4);
      expect(opt.name).toBe(name);
      expect(opt.paramCount).toBe(4);
      expect(opt.learningRate).toBe(defaultOptimizerConfig(name).learningRate);
    }
  });

  it("rejects an unvalidated unknown name, listing the known ones", () => {
    const bogus = { name: "lion", learningRate: 1 } as unknown as OptimizerConfig;
    expect(() => createOptimizer(bogus, 3)).toThrow(/unknown optimizer "lion"; known: sgd, adam, rmsprop, adagrad/);
  });

  it("rejects params or grads of the wrong length", () => {
    const opt = createOptimizer(defaultOptimizerConfig("adam"), 4);
    expect(() => opt.apply(new Float32Array(4), new Float32Array(3))).toThrow(/params has 4 and grads 3 elements; expected 4 each/);
    expect(() => opt.apply(new Float32Array(5), new Float32Array(5))).toThrow(RingtrainError);
  });

  it.each(VARIANTS.map((c) => [`${c.name} ${JSON.stringify(c)}`, c] as const))(
    "%s: is deterministic, descends on a quadratic, and resumes bit-exactly from state()",
    (_label, config) => {
      const n = 257;
      const target = randomArray(1, n);
      const init = randomArray(2, n);
      const grad = (p: Float32Array, g: Float32Array): void => {
        for (let i = 0; i < n; i++) g[i] = (p[i] as number) - (target[i] as number);
      };
      const loss = (p: Float32Array): number => p.reduce((s, v, i) => s + (v - (target[i] as number)) ** 2, 0);
      // Large enough steps to see descent with the default learning rates.
      const lrScale = config.name === "sgd" ? 10 : 30;
      const a = createOptimizer(config, n);
      const b = createOptimizer(config, n);
      a.learningRate *= lrScale;
      b.learningRate *= lrScale;
      const pa = init.slice();
      const pb = init.slice();
      const g = new Float32Array(n);
      for (let s = 0; s < 20; s++) {
        grad(pa, g);
        a.apply(pa, g);
        grad(pb, g);
        b.apply(pb, g);
      }
      expect(new Uint8Array(pa.buffer)).toEqual(new Uint8Array(pb.buffer));
      expect(loss(pa)).toBeLessThan(0.9 * loss(init));

      // checkpoint a, restore into a fresh c, then a and c continue in lockstep
      const saved = a.state();
      expect(saved.step).toBe(20);
      const c = createOptimizer(config, n);
      c.learningRate = a.learningRate;
      c.loadState(saved);
      const pc = pa.slice();
      for (let s = 0; s < 5; s++) {
        grad(pa, g);
        a.apply(pa, g);
        grad(pc, g);
        c.apply(pc, g);
      }
      expect(new Uint8Array(pc.buffer)).toEqual(new Uint8Array(pa.buffer));
      // state() returned copies: training on did not change the saved arrays
      for (const [k, v] of Object.entries(a.state())) {
        if (v instanceof Float32Array && v.length > 0) expect(saved[k]).not.toEqual(v);
      }
    },
  );

  it("loadState rejects state from another model", () => {
    const opt = createOptimizer(defaultOptimizerConfig("adam"), 10);
    const other = createOptimizer(defaultOptimizerConfig("adam"), 11).state();
    try {
      opt.loadState(other);
      throw new Error("expected loadState to throw");
    } catch (e) {
      expect(isRingtrainError(e, "DATA_INVALID")).toBe(true);
      expect((e as Error).message).toMatch(/adam optimizer state "m": got a Float32Array of 11; expected a Float32Array of 10/);
    }
    expect(() => opt.loadState({ m: new Float32Array(10), v: new Float32Array(10) })).toThrow(/state "step": got undefined/);
  });

  it("centered rmsprop stays finite for zero gradients (tfjs 4.22 gives NaN there)", () => {
    const opt = createOptimizer({ name: "rmsprop", learningRate: 0.01, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: true }, 3);
    const p = Float32Array.of(1, 2, 3);
    opt.apply(p, Float32Array.of(0, 0.5, 0));
    expect(Array.from(p).every(Number.isFinite)).toBe(true);
    expect(p[0]).toBe(1);
    // one step by hand: s = 0.1·g², ḡ = 0.1·g, a = lr·g / √(s − ḡ² + ε)
    const s = 0.1 * 0.25;
    const gm = 0.1 * 0.5;
    expect(p[1]).toBeCloseTo(2 - (0.01 * 0.5) / Math.sqrt(s - gm * gm + 1e-7), 6);
  });

  it("applies a changed learning rate from the next step", () => {
    const opt = createOptimizer(defaultOptimizerConfig("sgd"), 2);
    const p = Float32Array.of(1, 1);
    opt.learningRate = 0.5;
    opt.apply(p, Float32Array.of(1, -2));
    expect(Array.from(p)).toEqual([0.5, 2]);
  });
});
