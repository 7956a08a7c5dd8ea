import { existsSync, mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeKaggleCsv } from "../../src/data/csv-write.js";
import { loadDataset } from "../../src/data/datasets.js";
import { subsetDataset } from "../../src/data/subset.js";
import { CLI, readWeights, relativeDifference, summaryOf } from "../helpers/cli.js";
import { kill, port, ringtrain, waitFor, within, type Proc } from "./harness.js";

const DATASET = join("data", "digits");

/**
 * A dataset present only on the coordinator's host still trains: the config
 * names a relative Kaggle CSV directory, and each process resolves it in its
 * own working directory. Worker A's directory has no such dataset, worker B's
 * holds a different train.csv of the same size, worker C's an identical copy.
 * A and B receive the records from the coordinator (hash-checked), C trains on
 * its own copy, and the run matches 3 local workers (docs/design.md, invariant 1). Kaggle data
 * has no labelled test split, so the evaluated set is a seeded validation
 * hold-out: the workers' evaluation shares must be the coordinator's.
 */
describe.skipIf(!existsSync(CLI))(`data shipping${existsSync(CLI) ? "" : " (skipped: build first: npx tsc -p tsconfig.build.json)"}`, () => {
  let root = "";
  const procs: Proc[] = [];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "rt-ship-"));
    const mnist = await loadDataset("mnist", "train", { limit: 1200 });
    const first = subsetDataset(mnist, Array.from({ length: 600 }, (_, i) => i));
    const other = subsetDataset(mnist, Array.from({ length: 600 }, (_, i) => 600 + i));
    for (const [dir, ds] of [["coordinator", first], ["same", first], ["other", other]] as const) {
      mkdirSync(join(root, dir, DATASET), { recursive: true });
      await writeKaggleCsv(join(root, dir, DATASET, "train.csv"), ds);
    }
    mkdirSync(join(root, "empty"));
    await writeFile(join(root, "config.json"), JSON.stringify({ dataset: DATASET, batchSize: 60, epochs: 2, seed: 5, checksumEvery: 1 }));
  });
  afterAll(async () => {
    for (const p of procs) kill(p);
    await rm(root, { recursive: true, force: true });
  });

  it("workers without the dataset, or with another copy, receive it from the coordinator and train like local workers", async () => {
    const config = join(root, "config.json");
    const runs = join(root, "runs");
    const cwd = (d: string): string => join(root, d);
    const local = ringtrain(["train", config, "--workers", "3", "--runs-dir", runs], {}, cwd("coordinator"));
    procs.push(local);
    const localResult = await within(local, 60_000);
    expect(localResult?.code, localResult?.stderr).toBe(0);

    const at = `127.0.0.1:${port()}`;
    const coordinator = ringtrain(["coordinator", config, "--listen", at, "--world-size", "3", "--runs-dir", runs], {}, cwd("coordinator"));
    procs.push(coordinator);
    await waitFor(() => coordinator.out().includes("waiting for 3 workers"), 20_000, "the coordinator to listen");
    const workers = ["empty", "other", "same"].map((d) => ringtrain(["worker", "--coordinator", at], {}, cwd(d)));
    procs.push(...workers);

    const result = await within(coordinator, 60_000);
    expect(result?.code, result?.stderr).toBe(0);
    const outs = await Promise.all(workers.map(async (w) => (await within(w, 20_000))?.stderr ?? "(no exit)"));
    for (const w of workers) expect((await w.done).code).toBe(0);
    expect(outs[0]).toMatch(/dataset data\/digits is not usable here \(.*unknown dataset "data\/digits".*\); receiving it from the coordinator at tcp:\/\/127\.0\.0\.1:\d+/);
    expect(outs[1]).toMatch(/its copy of dataset data\/digits differs from the coordinator's \(content hash\); receiving it/);
    expect(outs[2]).not.toMatch(/receiving it/);
    const out = result!.stdout;
    // the two workers that lack the data pull the training split; the third does not
    expect(out.match(/sending worker \d \([^)]*\) 540 records of the train split/g)).toHaveLength(2);
    expect(out.match(/received its data from the coordinator/g)).toHaveLength(2);

    const { summary, runDir } = summaryOf(out);
    const reference = summaryOf(localResult!.stdout);
    expect(summary).toMatchObject({ workers: 3, status: "completed", trainSamples: 540, testSamples: 60 });
    // same validation hold-out, same evaluation: identical metrics, and the same weights
    expect(summary.testAccuracy).toBe(reference.summary.testAccuracy);
    expect(relativeDifference(await readWeights(reference.runDir), await readWeights(runDir))).toBeLessThanOrEqual(1e-5);
  });

  it("--ship-data with a validation split besides the test split ships all three splits and evaluates both every epoch", async () => {
    const config = join(root, "validation.json");
    await writeFile(config, JSON.stringify({ dataset: "mnist", trainLimit: 800, testLimit: 200, validation: { holdout: 0.25 }, batchSize: 60, epochs: 1, seed: 5 }));
    const runs = join(root, "runs-validation");
    const local = ringtrain(["train", config, "--workers", "2", "--runs-dir", runs], {}, root);
    procs.push(local);
    const localResult = await within(local, 60_000);
    expect(localResult?.code, localResult?.stderr).toBe(0);

    const at = `127.0.0.1:${port()}`;
    const coordinator = ringtrain(["coordinator", config, "--listen", at, "--world-size", "2", "--ship-data", "--runs-dir", runs], {}, root);
    procs.push(coordinator);
    await waitFor(() => coordinator.out().includes("waiting for 2 workers"), 20_000, "the coordinator to listen");
    const workers = [0, 1].map(() => ringtrain(["worker", "--coordinator", at], {}, root));
    procs.push(...workers);
    const result = await within(coordinator, 60_000);
    expect(result?.code, result?.stderr).toBe(0);
    for (const w of workers) expect((await w.done).code).toBe(0);
    const out = result!.stdout;
    // each worker pulls its half of the validation split (200 held out of 800)
    expect(out.match(/sending worker \d \([^)]*\) 100 records of the validation split/g)).toHaveLength(2);
    const { summary } = summaryOf(out);
    const reference = summaryOf(localResult!.stdout).summary;
    expect(summary).toMatchObject({ status: "completed", trainSamples: 600, validationSamples: 200, testSamples: 200 });
    expect(summary.validationAccuracy).not.toBeNull();
    expect(summary.validationAccuracy).toBe(reference.validationAccuracy);
    expect(summary.testAccuracy).toBe(reference.testAccuracy);
  });
});
