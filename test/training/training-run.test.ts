import { existsSync } from "node:fs";
import { mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readWeights, relativeDifference, runCli, summaryOf } from "../helpers/cli.js";

async function readMetrics(runDir: string): Promise<Array<Record<string, number>>> {
  const text = await readFile(join(runDir, "metrics.jsonl"), "utf8");
  return text.trim().split("\n").map((l) => JSON.parse(l) as Record<string, number>);
}

describe("training runs", () => {
  it("2 workers on a subset reach a sane accuracy and write the run directory", async () => {
    const runsDir = await mkdtemp(join(tmpdir(), "rt-run-"));
    const r = await runCli(["train", "--workers", "2", "--epochs", "3", "--train-limit", "6000", "--test-limit", "1000", "--runs-dir", runsDir, "--transport", "tcp"]);
    expect(r.code).toBe(0);
    const { summary, runDir } = summaryOf(r.stdout);
    expect(summary.testAccuracy).toBeGreaterThan(0.85);
    expect(summary).toMatchObject({ status: "completed", workers: 2, globalBatchSize: 128, perWorkerBatchSize: { min: 64, max: 64 }, stepsPerEpoch: 47, optimizerSteps: 141 });
    expect(summary.samplesPerSecond).toBeGreaterThan(0);
    const metrics = await readMetrics(runDir);
    expect(metrics.map((m) => m.epoch)).toEqual([1, 2, 3]);
    for (const m of metrics) {
      for (const key of ["trainLoss", "trainAccuracy", "testLoss", "testAccuracy", "optimizerSteps", "stepMs", "samplesPerSecond"]) {
        expect(Number.isFinite(m[key]), key).toBe(true);
      }
    }
    expect(metrics[2]!.trainLoss!).toBeLessThan(metrics[0]!.trainLoss!);
    const config = JSON.parse(await readFile(join(runDir, "config.json"), "utf8")) as Record<string, unknown>;
    expect(config).toMatchObject({ workers: 2, batchSize: 128, epochs: 3, trainLimit: 6000 });
    expect((await stat(join(runDir, "weights.bin"))).size).toBe((784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10) * 4);
    const saved = JSON.parse(await readFile(join(runDir, "summary.json"), "utf8")) as Record<string, unknown>;
    expect(saved.testAccuracy).toBe(summary.testAccuracy);
    expect((saved.backends as unknown[]).length).toBe(2);
  });

  it("uneven shares: batch 100 on 3 workers gives shares of 34 and 33", async () => {
    const runsDir = await mkdtemp(join(tmpdir(), "rt-run-"));
    const r = await runCli(["train", "--workers", "3", "--batch-size", "100", "--epochs", "1", "--train-limit", "1000", "--test-limit", "300", "--runs-dir", runsDir]);
    expect(r.code).toBe(0);
    expect(summaryOf(r.stdout).summary).toMatchObject({ perWorkerBatchSize: { min: 33, max: 34 }, optimizerSteps: 10 });
  });

  it("full batch takes exactly one optimizer step per epoch, accumulating micro-batches", async () => {
    const runsDir = await mkdtemp(join(tmpdir(), "rt-full-"));
    const common = ["--workers", "2", "--batch-size", "full", "--epochs", "3", "--train-limit", "2000", "--test-limit", "200", "--runs-dir", runsDir];
    const small = await runCli(["train", await microBatchConfig(128), ...common]);
    expect(small.code).toBe(0);
    const { summary, runDir } = summaryOf(small.stdout);
    expect(summary).toMatchObject({ stepsPerEpoch: 1, optimizerSteps: 3, globalBatchSize: 2000 });
    expect((await readMetrics(runDir)).map((m) => m.optimizerSteps)).toEqual([1, 2, 3]);
    // one micro-batch per worker vs eight: the same gradient up to summation order
    const big = await runCli(["train", await microBatchConfig(1000), ...common]);
    expect(big.code).toBe(0);
    const diff = relativeDifference(await readWeights(runDir), await readWeights(summaryOf(big.stdout).runDir));
    expect(diff).toBeLessThanOrEqual(1e-5);
  });

  it.skipIf(!existsSync("/usr/share/datasets/fashion-mnist"))(
    "Fashion-MNIST trains with the default config by changing only the dataset (needs Debian's dataset-fashion-mnist)",
    async () => {
      const runsDir = await mkdtemp(join(tmpdir(), "rt-run-"));
      const r = await runCli(["train", "--dataset", "fashion-mnist", "--workers", "2", "--epochs", "2", "--batch-size", "32", "--train-limit", "4000", "--test-limit", "1000", "--runs-dir", runsDir]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const { summary } = summaryOf(r.stdout);
      expect(summary).toMatchObject({ dataset: "fashion-mnist", trainSamples: 4000, testSamples: 1000 });
      // chance is 10%; 250 steps of the MLP on this subset reach ~75-80%
      expect(summary.testAccuracy).toBeGreaterThan(0.7);
    },
  );
});

async function microBatchConfig(microBatchSize: number): Promise<string> {
  const { writeFile } = await import("node:fs/promises");
  const path = join(await mkdtemp(join(tmpdir(), "rt-cfg-")), "config.json");
  await writeFile(path, JSON.stringify({ microBatchSize }));
  return path;
}
