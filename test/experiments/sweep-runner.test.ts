import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunConfig } from "../../src/config/schema.js";
import { RingtrainError } from "../../src/core/errors.js";
import { createLogger } from "../../src/core/log.js";
import type { RunSummary } from "../../src/runs/records.js";
import type { RunOptions, TrainingResult } from "../../src/coordinator/run-controller.js";
import type { ResolvedExperiment } from "../../src/experiments/load-experiment.js";
import { planSweep } from "../../src/experiments/sweep-plan.js";
import { newSweepRecord, reconcileRecord, runSweep } from "../../src/experiments/sweep-runner.js";
import { createSweepDir, readSweepRecord } from "../../src/experiments/sweep-store.js";

const logger = createLogger({ level: "silent" });

type Outcome = "completed" | "diverged" | "failed" | "interrupted";

/**
 * A stand-in for runTraining: writes a run directory with a summary whose
 * validation accuracy is the learning rate (so the best trial is known), and
 * ends as `outcome(config)` says.
 */
function fakeTrainer(outcome: (config: RunConfig) => Outcome) {
  const calls: RunConfig[] = [];
  let n = 0;
  const train = async (options: RunOptions): Promise<TrainingResult> => {
    const { config } = options;
    calls.push(config);
    const runDir = join(config.runsDir, `${config.name}-${n++}`);
    await mkdir(runDir, { recursive: true });
    options.onRunDir?.(runDir);
    const end = outcome(config);
    const lr = config.optimizer.learningRate;
    // a whole summary: a failed run's is read back from summary.json, and the reader checks its shape
    const summary: RunSummary = {
      runId: `${config.name}-${n}`,
      status: end === "completed" || end === "diverged" ? end : "failed",
      ...(end === "diverged" ? { divergence: { epoch: 1, optimizerStep: 3, loss: Number.POSITIVE_INFINITY, maxLoss: 10 } } : {}),
      dataset: config.dataset,
      trainSamples: 100,
      testSamples: 50,
      validationSamples: 20,
      workers: 1,
      globalBatchSize: 10,
      perWorkerBatchSize: { min: 10, max: 10 },
      stepsPerEpoch: 10,
      epochs: 1,
      optimizerSteps: 10,
      testAccuracy: lr / 2,
      errorRate: 1 - lr / 2,
      testLoss: 1,
      trainLoss: 1,
      trainAccuracy: lr,
      validationLoss: 1 - lr,
      validationAccuracy: lr,
      wallSeconds: 1,
      trainingSeconds: 1,
      samplesPerSecond: 100,
      backends: [],
      weightsFile: null,
    };
    await writeFile(join(runDir, "summary.json"), JSON.stringify(summary));
    if (end === "interrupted") throw new RingtrainError("INTERRUPTED", "the coordinator received SIGINT");
    if (end === "failed") throw new RingtrainError("WORKER_FAILED", "worker 1 (host h, pid 2) exited with code 1");
    return { summary, runDir, epochs: [] };
  };
  return { train, calls };
}

function experiment(fields: Partial<ResolvedExperiment>): ResolvedExperiment {
  return {
    name: "exp",
    base: { epochs: 2, optimizer: { name: "sgd", learningRate: 0.1 }, validation: { holdout: 0.2 } },
    submissions: false,
    grid: { "optimizer.learningRate": [0.3, 0.9, 0.5] },
    ...fields,
  };
}

async function start(e: ResolvedExperiment) {
  const dir = await mkdtemp(join(tmpdir(), "rt-sweep-"));
  await createSweepDir(dir, e);
  const plan = planSweep(e);
  return { dir, plan, record: newSweepRecord(plan, "exp-1") };
}

describe("the sweep runner", () => {
  it("records a diverged and a failed trial and goes on; the best is the best completed trial", async () => {
    const { dir, plan, record } = await start(experiment({ grid: { "optimizer.learningRate": [0.3, 0.9, 0.5, 0.95] } }));
    const { train, calls } = fakeTrainer((c) => (c.optimizer.learningRate === 0.9 ? "diverged" : c.optimizer.learningRate === 0.95 ? "failed" : "completed"));
    const done = await runSweep({ plan, dir, record, logger, progress: false, verbose: false, train });
    expect(calls).toHaveLength(4);
    expect(done.status).toBe("completed");
    expect(done.trials.map((t) => t.status)).toEqual(["completed", "diverged", "completed", "failed"]);
    const diverged = done.trials[1]!;
    expect(diverged.runs[0]).toMatchObject({ status: "diverged", error: "diverged at epoch 1, optimizer step 3: loss Infinity (maxLoss 10)" });
    // it keeps its last finite metrics
    expect(diverged.metric).toMatchObject({ name: "validationAccuracy", mean: 0.9 });
    const failed = done.trials[3]!;
    expect(failed.runs[0]).toMatchObject({ status: "failed", error: "worker 1 (host h, pid 2) exited with code 1" });
    expect(failed.runs[0]!.runDir).toMatch(/^trials\/t04-learningRate_0\.95\/exp-t04-/);
    expect(failed.runs[0]!.summary).not.toBeNull();
    expect(done.best).toEqual({ trialId: "t03-learningRate_0.5", value: 0.5 });
    expect(done.final).toBeNull();
    // (JSON has no Infinity: the divergence loss reads back as null; the error string keeps it)
    expect(await readSweepRecord(dir)).toEqual(JSON.parse(JSON.stringify(done)));
  });

  it("with cv: a fold that diverges ends its trial, saying which folds were not run; the best is retrained without validation", async () => {
    const e = experiment({ base: { epochs: 2, optimizer: { name: "sgd", learningRate: 0.1 } }, cv: { folds: 3, stratified: true, metric: "accuracy" } });
    const { dir, plan, record } = await start(e);
    const { train, calls } = fakeTrainer((c) => (c.optimizer.learningRate === 0.9 && c.validation?.fold === 1 ? "diverged" : "completed"));
    const done = await runSweep({ plan, dir, record, logger, progress: false, verbose: false, train });
    expect(calls.map((c) => c.name)).toEqual(["exp-t01-f1", "exp-t01-f2", "exp-t01-f3", "exp-t02-f1", "exp-t02-f2", "exp-t03-f1", "exp-t03-f2", "exp-t03-f3", "exp-final"]);
    expect(done.trials[1]).toMatchObject({ status: "diverged", note: "fold 2/3 diverged; its 1 remaining run(s) were not run" });
    expect(done.trials[0]!.metric).toMatchObject({ mean: 0.3, std: 0, values: [0.3, 0.3, 0.3] });
    expect(done.best?.trialId).toBe("t03-learningRate_0.5");
    const final = calls.at(-1)!;
    expect(final.validation).toBeUndefined();
    expect(final.optimizer.learningRate).toBe(0.5);
    expect(done).toMatchObject({ finalTrialId: "t03-learningRate_0.5", final: { status: "completed", fold: null } });
    expect(done.final!.runDir).toMatch(/^final\/exp-final-/);
  });

  it("an interrupt marks the sweep interrupted; --resume reruns only the interrupted run and what is left", async () => {
    const e = experiment({});
    const { dir, plan, record } = await start(e);
    const first = fakeTrainer((c) => (c.optimizer.learningRate === 0.9 ? "interrupted" : "completed"));
    const stopped = await runSweep({ plan, dir, record, logger, progress: false, verbose: false, train: first.train }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(stopped).toBeInstanceOf(RingtrainError);
    expect((stopped as RingtrainError).code).toBe("INTERRUPTED");
    expect((stopped as RingtrainError).message).toContain(`ringtrain sweep --resume ${dir}`);
    const saved = await readSweepRecord(dir);
    expect(saved.status).toBe("interrupted");
    expect(saved.trials.map((t) => t.status)).toEqual(["completed", "pending", "pending"]);
    expect(saved.trials[1]!.interruptedRuns).toHaveLength(1);
    expect(saved.trials[1]!.interruptedRuns![0]).toMatch(/^trials\/t02-learningRate_0\.9\/exp-t02-/);
    const firstRun = saved.trials[0]!.runs[0]!.runDir;

    const second = fakeTrainer(() => "completed");
    const resumed = await runSweep({ plan, dir, record: reconcileRecord(plan, saved), logger, progress: false, verbose: false, train: second.train });
    expect(second.calls.map((c) => c.name)).toEqual(["exp-t02", "exp-t03"]);
    expect(resumed.status).toBe("completed");
    expect(resumed.trials.map((t) => t.status)).toEqual(["completed", "completed", "completed"]);
    expect(resumed.trials[0]!.runs.map((r) => r.runDir)).toEqual([firstRun]);
    expect(resumed.trials[1]!.interruptedRuns).toHaveLength(1);
    expect(resumed.best?.trialId).toBe("t02-learningRate_0.9");
  });

  it("refuses to resume when experiment.json no longer plans the recorded trials", async () => {
    const { plan, record } = await start(experiment({}));
    const other = planSweep(experiment({ grid: { "optimizer.learningRate": [0.3, 0.7] } }));
    expect(() => reconcileRecord(other, record)).toThrow(/plans 2 trials but sweep\.json records 3 \(trial 2 is t02-learningRate_0\.7 in the plan, t02-learningRate_0\.9 in the record\)/);
    expect(reconcileRecord(plan, record).trials).toHaveLength(3);
  });
});

describe("sweep.json read back", () => {
  it("names the file and the first trial or run that lacks what --resume relies on", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rt-sweep-record-"));
    const write = (record: unknown): Promise<void> => writeFile(join(dir, "sweep.json"), JSON.stringify(record));
    const error = (): Promise<string> => readSweepRecord(dir).then(() => "resolved", (e: Error) => e.message);
    await write({ trials: [] });
    expect(await error()).toMatch(/sweep\.json has no sweepId or no trials array/);
    await write({ sweepId: "s", trials: [{ trialId: "t01", runs: [] }, { runs: [] }] });
    expect(await error()).toMatch(/sweep\.json: trials\[1\] has no trialId or no runs array/);
    await write({ sweepId: "s", trials: [{ trialId: "t01", runs: [{ fold: null }] }] });
    expect(await error()).toMatch(/sweep\.json: trials\[0\]\.runs\[0\] has no runDir/);
    await write({ sweepId: "s", trials: [{ trialId: "t01", runs: [{ runDir: "trials/t01/r" }] }] });
    expect(await error()).toBe("resolved");
  });
});
