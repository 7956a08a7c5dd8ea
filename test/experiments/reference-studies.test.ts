import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadExperiment } from "../../src/experiments/load-experiment.js";
import { planSweep } from "../../src/experiments/sweep-plan.js";

const DIR = join(process.cwd(), "configs", "experiments");

/** What each reference study must plan: trials × runs per trial (folds or executions). */
const EXPECTED: Record<string, { trials: number; runsPerTrial: number; retrainBest: boolean }> = {
  "batch-size.json": { trials: 3, runsPerTrial: 1, retrainBest: false },
  "learning-rate.json": { trials: 4, runsPerTrial: 1, retrainBest: false },
  "layers-nodes.json": { trials: 6, runsPerTrial: 5, retrainBest: true },
  "grid-search.json": { trials: 9, runsPerTrial: 10, retrainBest: true },
  "random-search.json": { trials: 5, runsPerTrial: 3, retrainBest: false },
  "optimizers-losses.json": { trials: 10, runsPerTrial: 1, retrainBest: false },
  "architectures.json": { trials: 6, runsPerTrial: 1, retrainBest: false },
};

describe("the reference studies in configs/experiments/", () => {
  it("are exactly the seven studies", async () => {
    expect((await readdir(DIR)).filter((f) => f.endsWith(".json")).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(`${file} plans ${expected.trials} trials × ${expected.runsPerTrial} runs, every run config valid, every reference figure matching a trial`, async () => {
      const plan = planSweep(await loadExperiment(join(DIR, file)));
      expect(plan.trials).toHaveLength(expected.trials);
      expect(plan.runs).toHaveLength(expected.runsPerTrial);
      expect(plan.retrainBest).toBe(expected.retrainBest);
      for (const value of plan.experiment.reference?.values ?? []) {
        const matching = plan.trials.filter((t) => Object.entries(value.params).every(([path, v]) => JSON.stringify(t.params[path]) === JSON.stringify(v)));
        expect(matching.length, `reference ${JSON.stringify(value.params)}`).toBeGreaterThan(0);
      }
    });
  }
});
