import { readdir, readFile, writeFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readKaggleSubmission } from "../../src/data/csv-submission.js";
import { decodePng } from "../../src/image/png.js";
import type { SweepRecord } from "../../src/experiments/sweep-record.js";
import { runCli, startCli } from "../helpers/cli.js";

/** A base config whose runs take a second or two: a small MLP on 500 MNIST samples, one epoch. */
const TINY_BASE = { dataset: "mnist", trainLimit: 500, testLimit: 200, epochs: 1, model: { name: "mlp", hidden: [32] }, transport: "tcp" };

async function writeExperiment(experiment: Record<string, unknown>): Promise<{ path: string; runsDir: string }> {
  const dir = await mkdtemp(join(tmpdir(), "rt-sweep-"));
  const path = join(dir, "experiment.json");
  await writeFile(path, JSON.stringify(experiment));
  return { path, runsDir: join(dir, "runs") };
}

/** The one sweep directory under `runsDir`. */
async function sweepDirIn(runsDir: string): Promise<string> {
  const entries = await readdir(runsDir);
  expect(entries).toHaveLength(1);
  return join(runsDir, entries[0]!);
}

async function readRecord(sweepDir: string): Promise<SweepRecord> {
  return JSON.parse(await readFile(join(sweepDir, "sweep.json"), "utf8")) as SweepRecord;
}

describe("ringtrain sweep", () => {
  it("a 2×2 grid on 2 workers completes every trial and writes a report whose table has a row per trial and whose images decode", async () => {
    const { path, runsDir } = await writeExperiment({ name: "grid", base: TINY_BASE, workers: 2, grid: { batchSize: [50, 100], "optimizer.learningRate": [0.05, 0.2] } });
    const r = await runCli(["sweep", path, "--runs-dir", runsDir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const dir = await sweepDirIn(runsDir);
    const record = await readRecord(dir);
    expect(record.status).toBe("completed");
    expect(record.trials.map((t) => [t.trialId, t.status])).toEqual([
      ["t01-batchSize_50-learningRate_0.05", "completed"],
      ["t02-batchSize_50-learningRate_0.2", "completed"],
      ["t03-batchSize_100-learningRate_0.05", "completed"],
      ["t04-batchSize_100-learningRate_0.2", "completed"],
    ]);
    for (const t of record.trials) {
      expect(t.runs).toHaveLength(1);
      expect(t.runs[0]!.summary).toMatchObject({ status: "completed", workers: 2, trainSamples: 500, testSamples: 200 });
      expect(t.metric!.name).toBe("testAccuracy");
      // each trial's run directory is an ordinary run directory under trials/<trial-id>/
      const config = JSON.parse(await readFile(join(dir, t.runs[0]!.runDir, "config.json"), "utf8")) as Record<string, unknown>;
      expect(config).toMatchObject({ batchSize: t.params.batchSize, optimizer: { learningRate: t.params["optimizer.learningRate"] } });
    }
    const best = [...record.trials].sort((a, b) => b.metric!.mean - a.metric!.mean)[0]!;
    expect(record.best).toEqual({ trialId: best.trialId, value: best.metric!.mean });
    // the report: one table row per trial, and every figure it links is a PNG that decodes
    const markdown = await readFile(join(dir, "report.md"), "utf8");
    for (const t of record.trials) expect(markdown.split("\n").filter((l) => l.startsWith("|") && l.includes(t.trialId))).toHaveLength(1);
    const figures = [...markdown.matchAll(/!\[[^\]]*\]\((figures\/[^)]+\.png)\)/g)].map((m) => m[1]!);
    expect(figures.length).toBeGreaterThan(0);
    for (const f of figures) {
      const image = decodePng(await readFile(join(dir, f)));
      expect(image.width).toBeGreaterThan(0);
      expect(image.height).toBeGreaterThan(0);
    }
    expect((await readFile(join(dir, "report.html"), "utf8")).length).toBeGreaterThan(1000);
  });

  it("--dry-run refuses a trial whose batch exceeds its training set, as the run would; a sweep whose trial failed exits 1 saying so last", async () => {
    const { path, runsDir } = await writeExperiment({ name: "too-big", base: TINY_BASE, workers: 1, grid: { batchSize: [50, 600] } });
    const dry = await runCli(["sweep", path, "--runs-dir", runsDir, "--dry-run"]);
    expect(dry.code).toBe(1);
    expect(dry.stderr).toMatch(/\[CONFIG_INVALID\]: experiment too-big, trial t02-batchSize_600 \(batchSize = 600\): batchSize: 600 is larger than the training set \(500 samples/);
    expect(dry.stdout).toBe("");
    const r = await runCli(["sweep", path, "--runs-dir", runsDir]);
    expect(r.code).toBe(1);
    const record = await readRecord(await sweepDirIn(runsDir));
    expect(record.trials.map((t) => t.status)).toEqual(["completed", "failed"]);
    const lastLine = r.stdout.trim().split("\n").at(-1) ?? "";
    expect(lastLine).toMatch(/sweep too-big-\S+: 1 of 2 trials failed \(first t02-batchSize_600: batchSize: 600 is larger than the training set.*\); exit status 1/);
  });

  it("a diverging trial is marked diverged with its last finite metrics, and the sweep completes", async () => {
    const { path, runsDir } = await writeExperiment({
      name: "diverge",
      base: { ...TINY_BASE, epochs: 2, batchSize: 50 },
      workers: 2,
      grid: { "optimizer.learningRate": [0.1, 1e6, 0.2] },
    });
    // the bound comes from --set, which applies to every trial and is noted in the experiment's description
    const r = await runCli(["sweep", path, "--runs-dir", runsDir, "--set", "divergence.maxLoss=50"]);
    expect(r.code).toBe(0);
    const sweepDir = await sweepDirIn(runsDir);
    const record = await readRecord(sweepDir);
    const saved = JSON.parse(await readFile(join(sweepDir, "experiment.json"), "utf8")) as { description: string };
    expect(saved.description).toContain("Run with --set divergence.maxLoss=50.");
    expect(record.status).toBe("completed");
    expect(record.trials.map((t) => t.status)).toEqual(["completed", "diverged", "completed"]);
    const diverged = record.trials[1]!;
    expect(diverged.runs[0]!.status).toBe("diverged");
    expect(diverged.runs[0]!.error).toMatch(/^diverged at epoch 1, optimizer step \d+: loss/);
    expect(diverged.runs[0]!.summary?.divergence).toMatchObject({ epoch: 1, maxLoss: 50 });
    expect(record.best?.trialId).not.toBe(diverged.trialId);
    expect(r.stdout).toContain("trial 2/3 t02-learningRate_1000000: diverged");
  });

  it("an interrupted sweep resumes without rerunning its finished trials", async () => {
    const { path, runsDir } = await writeExperiment({ name: "resume", base: { ...TINY_BASE, epochs: 4 }, workers: 2, grid: { "optimizer.learningRate": [0.05, 0.1, 0.2] } });
    const { child, done } = startCli(["sweep", path, "--runs-dir", runsDir]);
    const killer = setTimeout(() => child.kill("SIGKILL"), 100_000);
    // interrupt once the first trial's record is in sweep.json and the second trial's run directory exists:
    // runTraining holds a signal from its first line and acts on it once its workers are launched, so the
    // signal must come at once (a tiny trial ends within a second of its workers starting)
    let dir: string | undefined;
    for (let waited = 0; waited < 90_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const entries = await readdir(runsDir).catch(() => [] as string[]);
      if (entries[0] === undefined) continue;
      dir = join(runsDir, entries[0]);
      const record = await readRecord(dir).catch(() => undefined);
      const second = record?.trials[1]?.trialId;
      if (record?.trials[0]?.status !== "completed" || second === undefined) continue;
      if ((await readdir(join(dir, "trials", second)).catch(() => [])).length > 0) break;
    }
    child.kill("SIGINT");
    const stopped = await done;
    clearTimeout(killer);
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain(`ringtrain sweep --resume ${dir!}`);
    const interrupted = await readRecord(dir!);
    expect(interrupted.status).toBe("interrupted");
    expect(interrupted.trials.map((t) => t.status)).toEqual(["completed", "pending", "pending"]);
    expect(interrupted.trials[1]!.interruptedRuns).toHaveLength(1);
    const firstRun = interrupted.trials[0]!.runs[0]!.runDir;

    const resumed = await runCli(["sweep", "--resume", dir!]);
    expect(resumed.code).toBe(0);
    const record = await readRecord(dir!);
    expect(record.status).toBe("completed");
    expect(record.trials.map((t) => t.status)).toEqual(["completed", "completed", "completed"]);
    // the finished trial was not run again: same run, and no second run directory
    expect(record.trials[0]!.runs.map((r) => r.runDir)).toEqual([firstRun]);
    expect(await readdir(join(dir!, "trials", record.trials[0]!.trialId))).toEqual([firstRun.split("/").at(-1)]);
    expect(resumed.stdout).toContain("1 of 3 trials already finished");
    // the interrupted run stays on disk beside its rerun
    expect(await readdir(join(dir!, "trials", record.trials[1]!.trialId))).toHaveLength(2);
  });

  it("cross-validation reports mean ± std over the folds, retrains the best on the whole training set, and writes Kaggle submissions", async () => {
    const { path, runsDir } = await writeExperiment({
      name: "cv",
      base: TINY_BASE,
      workers: 2,
      grid: { batchSize: [50, 100] },
      cv: { folds: 2, metric: "logLoss" },
      submissions: true,
    });
    const r = await runCli(["sweep", path, "--runs-dir", runsDir]);
    expect(r.code).toBe(0);
    const dir = await sweepDirIn(runsDir);
    const record = await readRecord(dir);
    expect(record).toMatchObject({ status: "completed", metric: "validationLoss", higherIsBetter: false });
    for (const t of record.trials) {
      expect(t.runs.map((run) => run.fold)).toEqual([0, 1]);
      for (const run of t.runs) expect(run.summary).toMatchObject({ trainSamples: 250, validationSamples: 250, testSamples: 200 });
      expect(t.metric!.values).toHaveLength(2);
      expect(t.metric!.std).toBeGreaterThan(0);
      expect(t.submission).toBe(`submissions/${t.trialId}.csv`);
      expect((await readKaggleSubmission(join(dir, t.submission!))).length).toBe(10_000);
    }
    const best = record.trials.find((t) => t.trialId === record.best!.trialId)!;
    expect(best.metric!.mean).toBe(Math.min(...record.trials.map((t) => t.metric!.mean)));
    expect(record.finalTrialId).toBe(best.trialId);
    expect(record.final!.summary).toMatchObject({ status: "completed", trainSamples: 500, validationSamples: 0, testSamples: 200 });
    expect(record.final!.runDir).toMatch(/^final\/cv-final-/);
    expect((await readKaggleSubmission(join(dir, record.finalSubmission!))).length).toBe(10_000);
  });
});
