import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RingtrainError } from "../../src/core/errors.js";
import { deepMerge, getPath, setPath } from "../../src/config/config-path.js";
import { loadExperiment, loadResolvedExperiment, type ResolvedExperiment } from "../../src/experiments/load-experiment.js";
import { finalConfigFor, planSweep, runConfigFor } from "../../src/experiments/sweep-plan.js";

const mlp = { name: "mlp-128-64", model: { name: "mlp", hidden: [128, 64] }, optimizer: { name: "sgd", learningRate: 0.1 }, epochs: 20, seed: 42 };

function experiment(fields: Partial<ResolvedExperiment>): ResolvedExperiment {
  return { name: "exp", base: mlp, submissions: false, grid: { batchSize: [8, 128, "full"] }, ...fields };
}

async function writeJson(dir: string, name: string, value: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(value));
  return path;
}

describe("config paths", () => {
  it("set a nested field without touching the input, and replace whole objects", () => {
    const base = { optimizer: { name: "sgd", learningRate: 0.1 }, epochs: 3 };
    expect(setPath(base, "optimizer.learningRate", 0.01)).toEqual({ optimizer: { name: "sgd", learningRate: 0.01 }, epochs: 3 });
    expect(base.optimizer.learningRate).toBe(0.1);
    expect(setPath(base, "optimizer", { name: "adam" })).toEqual({ optimizer: { name: "adam" }, epochs: 3 });
    expect(setPath(base, "divergence.maxLoss", 5)).toMatchObject({ divergence: { maxLoss: 5 } });
    expect(() => setPath(base, "epochs.x", 1)).toThrow(/epochs is 3, not an object/);
    expect(getPath(base, "optimizer.name")).toBe("sgd");
    expect(getPath(base, "model.hidden")).toBeUndefined();
  });

  it("merge objects key by key, but a component of another name replaces the old one", () => {
    expect(deepMerge({ optimizer: { name: "sgd", learningRate: 0.1, momentum: 0.9 } }, { optimizer: { learningRate: 0.5 } })).toEqual({
      optimizer: { name: "sgd", learningRate: 0.5, momentum: 0.9 },
    });
    expect(deepMerge({ optimizer: { name: "sgd", momentum: 0.9 } }, { optimizer: { name: "adam" } })).toEqual({ optimizer: { name: "adam" } });
    expect(deepMerge({ model: { hidden: [1, 2, 3] } }, { model: { hidden: [4] } })).toEqual({ model: { hidden: [4] } });
  });
});

describe("experiment files", () => {
  it("resolve the base config relative to the experiment file and merge the overrides", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rt-exp-"));
    await writeJson(dir, "base.json", mlp);
    const path = await writeJson(dir, "e.json", { name: "bs", base: "base.json", overrides: { epochs: 2, optimizer: { learningRate: 0.5 } }, grid: { batchSize: [8] } });
    const e = await loadExperiment(path);
    expect(e.base).toMatchObject({ epochs: 2, optimizer: { name: "sgd", learningRate: 0.5 }, model: { hidden: [128, 64] } });
    expect("overrides" in e).toBe(false);
  });

  it("reject bad files with the file, the field and what was expected", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rt-exp-"));
    const bad = async (value: unknown): Promise<string> => {
      const path = await writeJson(dir, "bad.json", value);
      return loadExperiment(path).then(
        () => "resolved",
        (e: Error) => e.message,
      );
    };
    expect(await bad({ name: "x", base: {}, grid: { batchSize: [8] }, random: { trials: 2, params: { seed: { choice: [1] } } } })).toMatch(/bad\.json: give a grid .*exactly one kind of search/);
    expect(await bad({ name: "x", base: {} })).toMatch(/exactly one kind of search/);
    expect(await bad({ name: "x", base: {}, variants: { a: {} }, random: { trials: 1, params: { seed: { choice: [1] } } } })).toMatch(/exactly one kind of search/);
    expect(await bad({ name: "x", base: {}, grid: { batchSize: [] } })).toMatch(/grid\.batchSize: a grid parameter needs at least one value/);
    expect(await bad({ name: "x", base: {}, grid: { "optimizer..lr": [1] } })).toMatch(/dotted run-config path/);
    expect(await bad({ name: "x", base: {}, random: { trials: 2, params: { lr: { min: 1, max: 0 } } } })).toMatch(/random\.params\.lr: min must be ≤ max/);
    expect(await bad({ name: "x", base: {}, random: { trials: 2, params: { lr: { low: 1 } } } })).toMatch(/expected \{choice/);
    expect(await bad({ name: "x", base: {}, grid: { epochs: [1] }, cv: { folds: 5, stratified: "no" } })).toMatch(/cv\.stratified: Expected boolean/);
    expect(await bad({ name: "x", base: {}, grid: { epochs: [1] }, cvv: {} })).toMatch(/unknown field\(s\) "cvv"/);
    expect(await bad({ name: "x", base: "missing.json", grid: { epochs: [1] } })).toMatch(/cannot read base config of experiment x .*missing\.json: ENOENT/);
  });

  it("a sweep directory without experiment.json is a usage error; a corrupt one says what is wrong with it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rt-exp-"));
    const missing = await loadResolvedExperiment(join(dir, "experiment.json")).catch((e: RingtrainError) => e);
    expect((missing as RingtrainError).code).toBe("USAGE");
    expect((missing as RingtrainError).message).toMatch(/ENOENT; --resume expects a sweep directory/);
    await writeFile(join(dir, "experiment.json"), "{ \"name\": ");
    const corrupt = await loadResolvedExperiment(join(dir, "experiment.json")).catch((e: RingtrainError) => e);
    expect((corrupt as RingtrainError).code).toBe("CONFIG_INVALID");
    expect((corrupt as RingtrainError).message).toMatch(/experiment\.json is not valid JSON/);
    expect((corrupt as RingtrainError).message).not.toMatch(/--resume/);
  });
});

describe("sweep plans", () => {
  it("name each run after its trial, fold and execution, and put it under trials/<trial-id>", () => {
    const plan = planSweep(experiment({ random: { trials: 2, executionsPerTrial: 2, seed: 3, params: { "optimizer.learningRate": { choice: [0.1, 0.01] } } }, grid: undefined, cv: { folds: 3, stratified: true, metric: "accuracy" } }), { workers: 3 });
    expect(plan.runs).toHaveLength(6);
    expect(plan.metric).toBe("validationAccuracy");
    expect(plan.retrainBest).toBe(true);
    const trial = plan.trials[0]!;
    const config = runConfigFor(plan, trial, { fold: 1, execution: 1 }, "/s");
    expect(config).toMatchObject({ name: "exp-t01-f2-e2", runsDir: `/s/trials/${trial.trialId}`, workers: 3, seed: 43, validation: { folds: 3, fold: 1, seed: 42 } });
    expect(config.optimizer.learningRate).toBe(trial.params["optimizer.learningRate"]);
    const final = finalConfigFor(plan, trial, "/s");
    expect(final).toMatchObject({ name: "exp-final", runsDir: "/s/final", seed: 42 });
    expect(final.validation).toBeUndefined();
  });

  it("give cv runs plain folds when the experiment says stratified: false", () => {
    const grid = { "optimizer.learningRate": [0.1] };
    const plain = planSweep(experiment({ grid, cv: { folds: 4, stratified: false, metric: "accuracy" } }));
    expect(runConfigFor(plain, plain.trials[0]!, { fold: 2, execution: 0 }, ".").validation).toEqual({ folds: 4, fold: 2, seed: 42, stratified: false });
    const stratified = planSweep(experiment({ grid, cv: { folds: 4, stratified: true, metric: "accuracy" } }));
    expect(runConfigFor(stratified, stratified.trials[0]!, { fold: 2, execution: 0 }, ".").validation).toEqual({ folds: 4, fold: 2, seed: 42 });
  });

  it("take whole objects and lists at any path, validated by the run schema", () => {
    const plan = planSweep(experiment({ grid: { optimizer: [{ name: "adam" }, { name: "rmsprop", learningRate: 0.01 }], "model.hidden": [[100, 100, 100]], loss: ["meanSquaredError"] } }));
    const config = runConfigFor(plan, plan.trials[1]!, { fold: null, execution: 0 }, ".");
    expect(config.optimizer).toMatchObject({ name: "rmsprop", learningRate: 0.01, rho: 0.9 });
    expect(config.model).toMatchObject({ name: "mlp", hidden: [100, 100, 100] });
    expect(config.loss).toBe("meanSquaredError");
    expect(config.name).toBe("exp-t02");
  });

  it("merge a trial's variant onto the base before its grid params", () => {
    const cnn = { model: { name: "sequential", layers: [{ type: "flatten" }, { type: "dense", units: 10 }] }, augment: { mode: "online", kinds: [{ translate: 0.1 }] } };
    const plan = planSweep(experiment({ variants: { mlp: {}, "cnn-augment": cnn }, grid: { epochs: [3] } }));
    expect(plan.trials.map((t) => t.trialId)).toEqual(["t01-variant_mlp-epochs_3", "t02-variant_cnn-augment-epochs_3"]);
    const mlpConfig = runConfigFor(plan, plan.trials[0]!, { fold: null, execution: 0 }, ".");
    expect(mlpConfig).toMatchObject({ model: { name: "mlp", hidden: [128, 64] }, epochs: 3 });
    expect(mlpConfig.augment).toBeUndefined();
    const cnnConfig = runConfigFor(plan, plan.trials[1]!, { fold: null, execution: 0 }, ".");
    expect(cnnConfig).toMatchObject({ model: { name: "sequential" }, augment: { mode: "online" }, epochs: 3 });
    expect(() => planSweep(experiment({ variants: { bad: { optimiser: {} } }, grid: undefined }))).toThrow(/trial t01-variant_bad \(variant = "bad"\): unknown field\(s\) "optimiser"/);
  });

  it("fail before running anything, naming the trial, its params and the field", () => {
    expect(() => planSweep(experiment({ grid: { "optimizer.learningRate": [0.1, -1] } }))).toThrow(
      /experiment exp, trial t02-learningRate_-1 \(optimizer\.learningRate = -1\): optimizer\.learningRate: learningRate must be > 0/,
    );
    expect(() => planSweep(experiment({ grid: { batchSize: [8, "half"] } }))).toThrow(/trial t02-batchSize_half .*batchSize/);
    expect(() => planSweep(experiment({ grid: { "epochs.count": [1] } }))).toThrow(/trial t01-count_1 .*epochs is 20, not an object/);
    expect(() => planSweep(experiment({ grid: { loss: ["meanSquaredError"] }, cv: { folds: 2, stratified: true, metric: "logLoss" } }))).toThrow(/cv\.metric is logLoss/);
    expect(() => planSweep(experiment({ base: { ...mlp, validation: { holdout: 0.2 } }, cv: { folds: 2, stratified: true, metric: "accuracy" } }))).toThrow(/cv gives every run its validation fold/);
  });

  it("pin a holdout split to the trial's seed, so that executions differ only in weights and data order", () => {
    const plan = planSweep(experiment({ base: { ...mlp, validation: { holdout: 0.2 } }, grid: undefined, random: { trials: 1, executionsPerTrial: 3, seed: 0, params: { epochs: { min: 1, max: 3, step: 1, log: false } } } }));
    expect(plan.metric).toBe("validationAccuracy");
    expect(plan.retrainBest).toBe(false);
    const configs = plan.runs.map((r) => runConfigFor(plan, plan.trials[0]!, r, "."));
    expect(configs.map((c) => c.seed)).toEqual([42, 43, 44]);
    expect(configs.map((c) => c.validation)).toEqual(Array(3).fill({ holdout: 0.2, fold: 0, seed: 42 }));
  });
});
