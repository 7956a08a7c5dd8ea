import { describe, expect, it } from "vitest";
import { createRng } from "../../src/core/random.js";
import { drawParam, expandGrid, sampleRandom, trialsOf } from "../../src/experiments/search-space.js";
import { trialId } from "../../src/experiments/trial-id.js";

describe("grid expansion", () => {
  it("is the cartesian product in the given order, the last path varying fastest", () => {
    const trials = expandGrid({ batchSize: [30, 50], epochs: [10, 15, 20] });
    expect(trials.map((t) => t.params)).toEqual([
      { batchSize: 30, epochs: 10 },
      { batchSize: 30, epochs: 15 },
      { batchSize: 30, epochs: 20 },
      { batchSize: 50, epochs: 10 },
      { batchSize: 50, epochs: 15 },
      { batchSize: 50, epochs: 20 },
    ]);
    expect(trials.map((t) => t.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("variants vary slowest, named by the variant param", () => {
    const trials = trialsOf({ variants: { mlp: {}, cnn: {} }, grid: { dataset: ["mnist", "fashion-mnist"] } });
    expect(trials.map((t) => t.params)).toEqual([
      { variant: "mlp", dataset: "mnist" },
      { variant: "mlp", dataset: "fashion-mnist" },
      { variant: "cnn", dataset: "mnist" },
      { variant: "cnn", dataset: "fashion-mnist" },
    ]);
    expect(trialsOf({ variants: { a: {}, b: {} } }).map((t) => t.params)).toEqual([{ variant: "a" }, { variant: "b" }]);
  });

  it("keeps whole-object and list values as given", () => {
    const trials = expandGrid({ "model.hidden": [[100, 100], [200, 200, 200]], optimizer: [{ name: "adam" }] });
    expect(trials[1]!.params).toEqual({ "model.hidden": [200, 200, 200], optimizer: { name: "adam" } });
  });
});

describe("random search", () => {
  const params = {
    "model.hidden": { listOf: { min: 32, max: 256, step: 32, log: false }, length: { min: 1, max: 4 } },
    "optimizer.learningRate": { choice: [1e-2, 1e-3, 1e-4] },
  };

  it("is deterministic for a seed and differs for another", () => {
    const a = sampleRandom({ trials: 5, seed: 7, params });
    expect(sampleRandom({ trials: 5, seed: 7, params })).toEqual(a);
    expect(sampleRandom({ trials: 5, seed: 8, params })).not.toEqual(a);
  });

  it("draws within the spec: 1-4 layers of 32..256 step 32, a listed learning rate, no duplicate trials", () => {
    const trials = sampleRandom({ trials: 50, seed: 1, params });
    const keys = new Set(trials.map((t) => JSON.stringify(t.params)));
    expect(keys.size).toBe(50);
    const lengths = new Set<number>();
    for (const { params: p } of trials) {
      const hidden = p["model.hidden"] as number[];
      lengths.add(hidden.length);
      expect(hidden.length).toBeGreaterThanOrEqual(1);
      expect(hidden.length).toBeLessThanOrEqual(4);
      for (const units of hidden) {
        expect(units % 32).toBe(0);
        expect(units).toBeGreaterThanOrEqual(32);
        expect(units).toBeLessThanOrEqual(256);
      }
      expect([1e-2, 1e-3, 1e-4]).toContain(p["optimizer.learningRate"]);
    }
    expect(lengths.size).toBe(4);
  });

  it("log ranges stay in [min, max] and cover the decades; steps round to the step's decimals", () => {
    const rng = createRng(1);
    const draws = Array.from({ length: 2000 }, () => drawParam(rng, { min: 1e-5, max: 1e-1, log: true }) as number);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(1e-5);
    expect(Math.max(...draws)).toBeLessThanOrEqual(1e-1);
    for (const decade of [1e-5, 1e-4, 1e-3, 1e-2]) expect(draws.some((d) => d >= decade && d < decade * 10)).toBe(true);
    const stepped = Array.from({ length: 200 }, () => drawParam(rng, { min: 0.1, max: 0.5, step: 0.1, log: false }));
    expect(new Set(stepped)).toEqual(new Set([0.1, 0.2, 0.3, 0.4, 0.5]));
  });

  it("says so when the space has fewer points than trials", () => {
    expect(() => sampleRandom({ trials: 4, seed: 0, params: { batchSize: { choice: [8, 16] } } })).toThrow(/only 2 distinct points.*lower trials/);
  });
});

describe("trial ids", () => {
  it("number the trial, padded to the count, and slug its params", () => {
    expect(trialId(2, 9, { "optimizer.learningRate": 0.1, batchSize: "full" })).toBe("t03-learningRate_0.1-batchSize_full");
    expect(trialId(11, 120, { "model.hidden": [200, 200, 200] })).toBe("t012-hidden_200x200x200");
    expect(trialId(0, 3, { optimizer: { name: "adam", learningRate: 0.001 } })).toBe("t01-optimizer_adam_0.001");
    expect(trialId(0, 3, { optimizer: { name: "sgd", learningRate: 0.01, momentum: 0.9 } })).toBe("t01-optimizer_sgd_0.01_0.9");
    expect(trialId(0, 1, {})).toBe("t01");
  });

  it("keep only file-name characters and a bounded length", () => {
    const id = trialId(0, 1, { dataset: "/data/some dir/with:odd*chars", "model.hidden": Array.from({ length: 40 }, () => 256) });
    expect(id).toMatch(/^t01-[A-Za-z0-9_.-]+$/);
    expect(id.length).toBeLessThanOrEqual(64);
  });
});
