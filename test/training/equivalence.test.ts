import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readWeights, relativeDifference, runCli, summaryOf } from "../helpers/cli.js";

/**
 * Invariant 1 of docs/design.md: the worker count does not change the math. Global batch 64 for
 * 30 steps (1920 samples, one epoch) on 1, 2 and 4 workers ends in the same
 * weights up to float summation order. Checksums every step prove invariant 2
 * inside each run (the coordinator fails the run on any mismatch).
 */
describe("worker count does not change training", () => {
  it("global batch 64 on 1, 2, 3 and 4 workers: same weights after 30 steps", async () => {
    const runsDir = await mkdtemp(join(tmpdir(), "rt-equiv-"));
    // every rank's weight checksum is compared after every step: a mismatch fails the run
    const config = join(runsDir, "config.json");
    await writeFile(config, JSON.stringify({ checksumEvery: 1 }));
    const weights: Float32Array[] = [];
    for (const workers of [1, 2, 3, 4]) {
      const r = await runCli([
        "train", config, "--workers", String(workers), "--batch-size", "64", "--epochs", "1",
        "--train-limit", "1920", "--test-limit", "200", "--runs-dir", runsDir, "--seed", "7",
      ]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const { summary, runDir } = summaryOf(r.stdout);
      expect(summary).toMatchObject({ optimizerSteps: 30, workers, globalBatchSize: 64 });
      weights.push(await readWeights(runDir));
    }
    const [one, ...others] = weights as [Float32Array, ...Float32Array[]];
    // 3 workers take uneven shares (22, 21, 21): still the same global batch
    for (const other of others) expect(relativeDifference(one, other)).toBeLessThanOrEqual(1e-5);
  });

  it("with dropout too: masks are per sample, so 1 and 3 workers still reach the same weights", async () => {
    const runsDir = await mkdtemp(join(tmpdir(), "rt-equiv-"));
    const config = join(runsDir, "config.json");
    await writeFile(config, JSON.stringify({ checksumEvery: 1, model: { name: "mlp", hidden: [64, 32], dropout: 0.3 } }));
    const weights: Float32Array[] = [];
    const noDropout = join(runsDir, "no-dropout.json");
    await writeFile(noDropout, JSON.stringify({ model: { name: "mlp", hidden: [64, 32] } }));
    for (const [file, workers] of [[config, 1], [config, 3], [noDropout, 1]] as const) {
      const r = await runCli([
        "train", file, "--workers", String(workers), "--batch-size", "64", "--epochs", "1",
        "--train-limit", "960", "--test-limit", "100", "--runs-dir", runsDir, "--seed", "3",
      ]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      weights.push(await readWeights(summaryOf(r.stdout).runDir));
    }
    expect(relativeDifference(weights[0]!, weights[1]!)).toBeLessThanOrEqual(1e-5);
    // dropout was active: without it the same seed ends elsewhere
    expect(relativeDifference(weights[0]!, weights[2]!)).toBeGreaterThan(1e-3);
  });

  it("with augmentation too (online elastic + affine, and a copies-expanded set): 1 and 2 workers reach the same weights", async () => {
    const runsDir = await mkdtemp(join(tmpdir(), "rt-equiv-"));
    const augments = {
      online: { mode: "online", kinds: [{ translate: 0.1, rotation: 15, elastic: { alpha: 30, sigma: 4 } }, { zoom: 0.1, shear: 10 }] },
      copies: { mode: "copies", copies: 2, kinds: [{ translate: 0.1 }, { translate: 0.1, zoom: 0.15 }] },
    };
    for (const [mode, augment] of Object.entries(augments)) {
      const config = join(runsDir, `${mode}.json`);
      await writeFile(config, JSON.stringify({ checksumEvery: 1, model: { name: "mlp", hidden: [32] }, augment }));
      const weights: Float32Array[] = [];
      for (const workers of [1, 2]) {
        const r = await runCli([
          "train", config, "--workers", String(workers), "--batch-size", "64", "--epochs", "2",
          "--train-limit", "320", "--test-limit", "100", "--runs-dir", runsDir, "--seed", "5",
        ]);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        const { summary, runDir } = summaryOf(r.stdout);
        // copies: the epoch is the expanded set of 3 x 320 samples
        expect(summary.stepsPerEpoch, mode).toBe(mode === "copies" ? 15 : 5);
        weights.push(await readWeights(runDir));
      }
      expect(relativeDifference(weights[0]!, weights[1]!), mode).toBeLessThanOrEqual(1e-5);
    }
  });

  it("a different seed gives different weights (the comparison above can fail)", async () => {
    const runsDir = await mkdtemp(join(tmpdir(), "rt-equiv-"));
    const args = ["train", "--workers", "2", "--batch-size", "64", "--epochs", "1", "--train-limit", "640", "--test-limit", "100", "--runs-dir", runsDir];
    const a = await runCli([...args, "--seed", "1"]);
    const b = await runCli([...args, "--seed", "2"]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const diff = relativeDifference(await readWeights(summaryOf(a.stdout).runDir), await readWeights(summaryOf(b.stdout).runDir));
    expect(diff).toBeGreaterThan(1e-2);
  });
});
