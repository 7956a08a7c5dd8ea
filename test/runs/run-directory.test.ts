import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { readEpochRecords, readRun, readRunConfig, readRunSummary, readRunWeights, readStepRecords } from "../../src/runs/read-run.js";
import { RunDirectory } from "../../src/runs/run-directory.js";
import { sampleEpoch, sampleSummary } from "./fixtures.js";

describe("the run directory", () => {
  it("reads back what the writer wrote: config, epochs, steps, weights and summary", async () => {
    const config = await loadConfig(undefined, [
      { path: "epochs", value: 2, source: "test" },
      { path: "workers", value: 2, source: "test" },
    ]);
    const run = new RunDirectory(await mkdtemp(join(tmpdir(), "rt-runs-")), "mlp-20261203-101500-ab12");
    await run.create(config);
    // the partial epoch of a diverged run: its training loss was NaN (JSON writes null)
    const epochs = [sampleEpoch(1), sampleEpoch(2, { trainLoss: Number.NaN, validationLoss: null, validationAccuracy: null, stoppedAtStep: 17 })];
    for (const e of epochs) await run.appendEpoch(e);
    const steps = [
      { optimizerStep: 5, epoch: 1, loss: 2.25 },
      { optimizerStep: 16, epoch: 2, loss: Number.NaN },
    ];
    await run.appendSteps(steps);
    const weights = Float32Array.from([0.5, -1.25, 3, 1e-7, -0]);
    const slots = [
      { name: "dense/kernel", shape: [2, 2], offset: 0, size: 4 },
      { name: "dense/bias", shape: [1], offset: 4, size: 1 },
    ];
    const summary = sampleSummary({ weightsFile: await run.writeWeights(weights, slots) });
    await run.writeSummary(summary);

    expect(await readRunSummary(run.path)).toEqual(summary);
    expect(await readEpochRecords(run.path)).toEqual(epochs);
    expect(Number.isNaN((await readEpochRecords(run.path))[1]!.trainLoss)).toBe(true);
    expect(await readStepRecords(run.path)).toEqual(steps);
    expect(await readRunConfig(run.path)).toEqual(config);
    expect(await readRunWeights(run.path)).toEqual(weights);
    expect(JSON.parse(await readFile(join(run.path, "weights.json"), "utf8"))).toEqual({ dtype: "float32", count: 5, tensors: slots });

    const loaded = await readRun(run.path);
    expect(loaded).toMatchObject({ dir: run.path, runId: summary.runId, config: JSON.parse(JSON.stringify(config)) as unknown, summary, epochs, steps });
    expect(loaded.weightsMtimeMs).toBeGreaterThan(0);
  });

  it("names its files as ringtrain always has", async () => {
    const run = new RunDirectory(await mkdtemp(join(tmpdir(), "rt-runs-")), "r");
    await run.create(await loadConfig(undefined));
    await run.appendEpoch(sampleEpoch(1));
    expect(await run.writeWeights(Float32Array.from([1]), undefined)).toBe("weights.bin");
    await run.writeSummary(sampleSummary());
    for (const file of ["config.json", "metrics.jsonl", "steps.jsonl", "weights.bin", "weights.json", "summary.json"]) {
      await expect(readFile(join(run.path, file)), file).resolves.toBeInstanceOf(Buffer);
    }
  });
});
