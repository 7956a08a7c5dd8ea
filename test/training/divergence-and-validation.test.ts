import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readWeights, relativeDifference, runCli, summaryOf } from "../helpers/cli.js";

async function readJsonLines(file: string): Promise<Array<Record<string, unknown>>> {
  const text = (await readFile(file, "utf8")).trim();
  return text === "" ? [] : text.split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function writeConfig(dir: string, config: Record<string, unknown>): Promise<string> {
  const file = join(dir, `config-${Math.random().toString(16).slice(2)}.json`);
  await writeFile(file, JSON.stringify({ runsDir: dir, trainLimit: 1200, testLimit: 300, ...config }));
  return file;
}

describe("divergence", () => {
  it("a learning rate of 100 stops the run at once, on every rank at the same step, keeping the last finite figures", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rt-diverge-"));
    const config = await writeConfig(dir, { name: "lr100", epochs: 5, batchSize: 100, optimizer: { name: "sgd", learningRate: 100 } });
    const runs = await Promise.all([1, 3].map((workers) => runCli(["train", config, "--workers", String(workers)])));
    const steps: number[] = [];
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(0);
      const { summary, runDir } = summaryOf(r.stdout);
      expect(summary.status).toBe("diverged");
      const divergence = summary.divergence as { optimizerStep: number; epoch: number; maxLoss: number };
      expect(divergence.maxLoss).toBe(1000);
      expect(divergence.epoch).toBe(1);
      steps.push(divergence.optimizerStep);
      // stopped at once: far fewer steps than 5 epochs × 12
      expect(summary.optimizerSteps).toBe(divergence.optimizerStep - 1);
      const metrics = await readJsonLines(join(runDir, "metrics.jsonl"));
      if (divergence.optimizerStep > 1) {
        expect(metrics.at(-1)).toMatchObject({ stoppedAtStep: divergence.optimizerStep, optimizerSteps: divergence.optimizerStep - 1 });
        expect(Number.isFinite(summary.testAccuracy)).toBe(true);
        // the weights kept are the last finite ones
        const weights = await readWeights(runDir);
        expect(weights.every((w) => Number.isFinite(w))).toBe(true);
      }
    }
    // the decision is taken on the allreduced loss, so the worker count does not change it
    expect(steps[0]).toBe(steps[1]);
  });

  it("a loss bound below the first step's loss ends the run before any update, with no metrics", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rt-diverge-"));
    const config = await writeConfig(dir, { name: "bound", epochs: 2, batchSize: 100, divergence: { maxLoss: 0.01 } });
    const r = await runCli(["train", config, "--workers", "2"]);
    expect(r.code, r.stderr).toBe(0);
    const { summary, runDir } = summaryOf(r.stdout);
    expect(summary).toMatchObject({ status: "diverged", optimizerSteps: 0, epochs: 0, testAccuracy: null, divergence: { optimizerStep: 1, epoch: 1, maxLoss: 0.01 } });
    expect(await readJsonLines(join(runDir, "metrics.jsonl"))).toEqual([]);
  });
});

describe("validation metrics and step losses", () => {
  it("a run with a validation split and a test split reports both every epoch, and samples the loss per optimizer step", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rt-validation-"));
    const config = await writeConfig(dir, { name: "val", epochs: 2, batchSize: 50, validation: { holdout: 0.25 } });
    const runs = await Promise.all([1, 2].map((workers) => runCli(["train", config, "--workers", String(workers)])));
    const validationAccuracies: number[] = [];
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(0);
      const { summary, runDir } = summaryOf(r.stdout);
      expect(summary).toMatchObject({ status: "completed", trainSamples: 900, validationSamples: 300, testSamples: 300, optimizerSteps: 36 });
      const metrics = await readJsonLines(join(runDir, "metrics.jsonl"));
      expect(metrics).toHaveLength(2);
      for (const m of metrics) {
        expect(m.validationAccuracy).toBeGreaterThan(0.3);
        expect(Number.isFinite(m.validationLoss)).toBe(true);
        // a different split than the test split: the figures differ
        expect(m.validationLoss).not.toBe(m.testLoss);
      }
      expect(summary.validationAccuracy).toBe(metrics[1]!.validationAccuracy);
      validationAccuracies.push(summary.validationAccuracy as number);
      const steps = await readJsonLines(join(runDir, "steps.jsonl"));
      expect(steps.length).toBeGreaterThanOrEqual(2);
      const indices = steps.map((s) => s.optimizerStep as number);
      expect([...indices].sort((a, b) => a - b)).toEqual(indices);
      // each epoch's last step is always sampled
      expect(indices).toContain(18);
      expect(indices).toContain(36);
      expect(steps.every((s) => Number.isFinite(s.loss) && (s.epoch === 1 || s.epoch === 2))).toBe(true);
    }
    // the same model on 1 and 2 workers, evaluated on the same validation split
    expect(Math.abs(validationAccuracies[0]! - validationAccuracies[1]!)).toBeLessThanOrEqual(1 / 300);
    const [a, b] = await Promise.all(runs.map((r) => readWeights(summaryOf(r.stdout).runDir)));
    expect(relativeDifference(a!, b!)).toBeLessThanOrEqual(1e-5);
  });
});
