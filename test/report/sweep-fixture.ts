/**
 * A small sweep directory made of real training runs (`ringtrain train` on
 * 600 MNIST images), laid out as `ringtrain sweep` writes it
 * (src/experiments/sweep-record.ts): three learning-rate trials, one of which
 * diverges, plus a reference and a discussion in experiment.json.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { RunSummary } from "../../src/coordinator/results.js";
import type { SweepRecord, TrialRecord } from "../../src/experiments/sweep-record.js";
import { runCli, summaryOf } from "../helpers/cli.js";

export interface SweepFixture {
  sweepDir: string;
  /** trial id → its run directory */
  runDirs: Record<string, string>;
  trialIds: string[];
  /** the trial that diverged */
  divergedTrialId: string;
}

const TRIALS = [
  { trialId: "t00-lr0.1", lr: 0.1 },
  { trialId: "t01-lr0.02", lr: 0.02 },
  // far past what SGD on this MLP tolerates: the loss blows up within the first epoch
  { trialId: "t02-lr500", lr: 500 },
] as const;

async function trainTrial(sweepDir: string, trialId: string, lr: number): Promise<string> {
  const r = await runCli([
    "train", "--dataset", "mnist", "--workers", "2", "--epochs", "2", "--batch-size", "32", "--lr", String(lr),
    "--train-limit", "600", "--test-limit", "300", "--runs-dir", join(sweepDir, "trials", trialId),
  ]);
  if (r.code !== 0 && !r.stdout.includes('"msg":"summary"')) throw new Error(`train ${trialId} exited ${r.code}:\n${r.stderr.slice(-2000)}`);
  return summaryOf(r.stdout).runDir;
}

/**
 * A run the trainer did not stop at its divergence (trainers before divergence
 * detection train on with NaN losses) is marked as the new trainer marks it,
 * so the fixture has a diverged trial either way.
 */
async function ensureDiverged(runDir: string): Promise<RunSummary> {
  const path = join(runDir, "summary.json");
  const summary = JSON.parse(await readFile(path, "utf8")) as RunSummary;
  if (summary.status === "diverged") return summary;
  summary.status = "diverged";
  summary.divergence = { epoch: 1, optimizerStep: 3, loss: Number.POSITIVE_INFINITY, maxLoss: 1e6 };
  await writeFile(path, JSON.stringify(summary, null, 2) + "\n");
  return JSON.parse(await readFile(path, "utf8")) as RunSummary;
}

export async function buildSweepFixture(root: string): Promise<SweepFixture> {
  const sweepDir = join(root, "lr-sweep");
  await mkdir(sweepDir, { recursive: true });
  const runDirs: Record<string, string> = {};
  const trials: TrialRecord[] = [];
  for (const [index, t] of TRIALS.entries()) {
    const runDir = await trainTrial(sweepDir, t.trialId, t.lr);
    runDirs[t.trialId] = runDir;
    const summary = t.lr >= 100 ? await ensureDiverged(runDir) : (JSON.parse(await readFile(join(runDir, "summary.json"), "utf8")) as RunSummary);
    const value = summary.status === "completed" ? summary.testAccuracy : null;
    trials.push({
      trialId: t.trialId,
      index,
      params: { "optimizer.learningRate": t.lr },
      status: summary.status,
      runs: [{ runDir: relative(sweepDir, runDir), fold: null, execution: 0, status: summary.status, summary, ...(summary.status === "completed" ? {} : { error: "loss diverged" }) }],
      metric: value === null ? null : { name: "testAccuracy", mean: value, std: 0, values: [value] },
      wallSeconds: summary.wallSeconds,
    });
  }
  const ranked = trials.filter((t) => t.metric !== null).sort((a, b) => b.metric!.mean - a.metric!.mean);
  const best = ranked[0]!;
  const now = new Date().toISOString();
  const record: SweepRecord = {
    sweepId: "lr-sweep",
    name: "lr-sweep",
    status: "completed",
    startedAt: now,
    updatedAt: now,
    metric: "testAccuracy",
    higherIsBetter: true,
    workers: 2,
    trials,
    best: { trialId: best.trialId, value: best.metric!.mean },
    final: null,
  };
  await writeFile(join(sweepDir, "sweep.json"), JSON.stringify(record, null, 2) + "\n");
  await writeFile(
    join(sweepDir, "experiment.json"),
    JSON.stringify(
      {
        name: "Learning-rate sweep (fixture)",
        description: "Three learning rates for the 128-64 MLP on 600 MNIST images.",
        reference: {
          source: "Fixture reference 2024",
          values: [{ params: { "optimizer.learningRate": 0.1 }, metrics: { testAccuracy: 0.9123, kagglePublicScore: 0.9 }, note: "same MLP" }],
        },
        discussion: "Our runs see **600** images, the reference `60000`:\n\n- fewer samples\n- two epochs",
      },
      null,
      2,
    ) + "\n",
  );
  return { sweepDir, runDirs, trialIds: TRIALS.map((t) => t.trialId), divergedTrialId: "t02-lr500" };
}
