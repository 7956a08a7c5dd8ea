/**
 * A small sweep directory made of real training runs (`ringtrain train` on
 * 600 MNIST images), laid out as `ringtrain sweep` writes it
 * (src/experiments/sweep-record.ts): three learning-rate trials, one of which
 * diverges, plus a reference and a discussion in experiment.json.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { RunSummary } from "../../src/runs/records.js";
import { bestTrial, trialMetric } from "../../src/experiments/sweep-metric.js";
import type { SweepRecord, TrialRecord, TrialRunRecord } from "../../src/experiments/sweep-record.js";
import { EXPERIMENT_FILE, SWEEP_FILE } from "../../src/experiments/sweep-store.js";
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

const DIVERGED = "t02-lr500";

async function trainTrial(sweepDir: string, trialId: string, lr: number): Promise<string> {
  const r = await runCli([
    "train", "--dataset", "mnist", "--workers", "2", "--epochs", "2", "--batch-size", "32", "--lr", String(lr),
    "--train-limit", "600", "--test-limit", "300", "--runs-dir", join(sweepDir, "trials", trialId),
  ]);
  if (r.code !== 0 && !r.stdout.includes('"msg":"summary"')) throw new Error(`train ${trialId} exited ${r.code}:\n${r.stderr.slice(-2000)}`);
  return summaryOf(r.stdout).runDir;
}


export async function buildSweepFixture(root: string): Promise<SweepFixture> {
  const sweepDir = join(root, "lr-sweep");
  await mkdir(sweepDir, { recursive: true });
  const runDirs: Record<string, string> = {};
  const trials: TrialRecord[] = [];
  for (const [index, t] of TRIALS.entries()) {
    const runDir = await trainTrial(sweepDir, t.trialId, t.lr);
    runDirs[t.trialId] = runDir;
    const summary = JSON.parse(await readFile(join(runDir, "summary.json"), "utf8")) as RunSummary;
    // the trainer stops a run whose loss passes divergence.maxLoss (default 1000)
    if (t.trialId === DIVERGED && summary.status !== "diverged") throw new Error(`${t.trialId} did not diverge (status ${summary.status}): the fixture needs a diverged trial`);
    const runs: TrialRunRecord[] = [{ runDir: relative(sweepDir, runDir), fold: null, execution: 0, status: summary.status, summary, ...(summary.status === "completed" ? {} : { error: "loss diverged" }) }];
    trials.push({
      trialId: t.trialId,
      index,
      params: { "optimizer.learningRate": t.lr },
      status: summary.status,
      runs,
      metric: trialMetric(runs, "testAccuracy"),
      wallSeconds: summary.wallSeconds,
    });
  }
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
    best: bestTrial(trials, "testAccuracy"),
    final: null,
  };
  await writeFile(join(sweepDir, SWEEP_FILE), JSON.stringify(record, null, 2) + "\n");
  await writeFile(
    join(sweepDir, EXPERIMENT_FILE),
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
  return { sweepDir, runDirs, trialIds: TRIALS.map((t) => t.trialId), divergedTrialId: DIVERGED };
}
