import { access, cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { writeKaggleCsv } from "../../src/data/csv-write.js";
import { loadDataset } from "../../src/data/datasets.js";
import { runCli, summaryOf } from "../helpers/cli.js";

/** `ringtrain predict`: a run trained on Kaggle-format CSVs writes a valid submission. */
describe("ringtrain predict", () => {
  let dir: string;
  let runDir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "rt-predict-"));
    await writeKaggleCsv(join(dir, "train.csv"), await loadDataset("mnist", "train", { limit: 3000 }));
    await writeKaggleCsv(join(dir, "test.csv"), await loadDataset("mnist", "test", { limit: 300 }), { labelled: false });
    await writeKaggleCsv(join(dir, "labelled-test.csv"), await loadDataset("mnist", "test", { limit: 300 }));
    const r = await runCli(["train", "--dataset", dir, "--workers", "2", "--epochs", "3", "--batch-size", "32", "--runs-dir", join(dir, "runs")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const { summary } = summaryOf(r.stdout);
    runDir = summaryOf(r.stdout).runDir;
    // 10% of train.csv is held out as the evaluation set
    expect(summary).toMatchObject({ trainSamples: 2700, testSamples: 300 });
  }, 120_000);

  it("writes ImageId,Label for the Kaggle test.csv, ids from 1, one row per image", async () => {
    const r = await runCli(["predict", runDir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = (await readFile(join(runDir, "submission.csv"), "utf8")).trim().split("\n");
    expect(lines[0]).toBe("ImageId,Label");
    expect(lines.length).toBe(301);
    lines.slice(1).forEach((line, i) => expect(line).toMatch(new RegExp(`^${i + 1},[0-9]$`)));
  });

  it("scores a labelled CSV against its labels", async () => {
    const out = join(dir, "labelled-submission.csv");
    const r = await runCli(["predict", runDir, "--data", join(dir, "labelled-test.csv"), "--out", out]);
    expect(r.code).toBe(0);
    const accuracy = Number(/accuracy ([\d.]+)%/.exec(r.stdout)?.[1]);
    expect(accuracy).toBeGreaterThan(80);
    const predicted = (await readFile(out, "utf8")).trim().split("\n").slice(1).map((l) => Number(l.split(",")[1]));
    const labels = (await loadDataset("mnist", "test", { limit: 300 })).labels;
    const agree = predicted.filter((p, i) => p === labels[i]).length / 300;
    expect(agree * 100).toBeCloseTo(accuracy, 1);
  });

  it("names an --out directory that does not exist, as the user's to fix", async () => {
    const out = join(dir, "missing", "submission.csv");
    const r = await runCli(["predict", runDir, "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `ringtrain: error [FILE_SYSTEM]: cannot write the submission ${out}: the directory ${join(dir, "missing")} does not exist; create it or choose another --out`,
    );
  });

  it("refuses a weights.bin cut short (a full disk), naming it, instead of blaming the data", async () => {
    const torn = join(dir, "torn-run");
    await cp(runDir, torn, { recursive: true });
    await writeFile(join(torn, "weights.bin"), (await readFile(join(torn, "weights.bin"))).subarray(0, 65536));
    const r = await runCli(["predict", torn]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ringtrain: error \[DATA_INVALID\]: \S*torn-run\/weights\.bin is 65536 bytes, but weights\.json says it holds \d+ float32 values .*: it is cut short/m);
  });

  it("refuses a diverged run, and weights holding NaN, unless --allow-diverged, which warns and marks the output", async () => {
    const diverged = join(dir, "diverged-run");
    await cp(runDir, diverged, { recursive: true });
    const summary = JSON.parse(await readFile(join(diverged, "summary.json"), "utf8")) as Record<string, unknown>;
    await writeFile(join(diverged, "summary.json"), JSON.stringify({ ...summary, status: "diverged", divergence: { epoch: 2, optimizerStep: 97, loss: null, maxLoss: 1e6 } }));
    const refused = await runCli(["predict", diverged, "--out", join(dir, "diverged.csv")]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/run .*diverged-run diverged at optimizer step 97 \(epoch 2, .*\): its weights are not a model; .*pass --allow-diverged/);
    await expect(access(join(dir, "diverged.csv"))).rejects.toThrow();
    const allowed = await runCli(["predict", diverged, "--out", join(dir, "diverged.csv"), "--allow-diverged"]);
    expect(allowed.code).toBe(0);
    expect(allowed.stderr).toMatch(/^ringtrain: warning: run .* diverged at optimizer step 97/);
    expect(allowed.stdout).toMatch(/DIVERGED RUN: not a trained model/);

    const nan = join(dir, "nan-run");
    await cp(runDir, nan, { recursive: true });
    const weights = await readFile(join(nan, "weights.bin"));
    weights.writeFloatLE(Number.NaN, 0);
    await writeFile(join(nan, "weights.bin"), weights);
    const nanRefused = await runCli(["predict", nan]);
    expect(nanRefused.code).toBe(2);
    expect(nanRefused.stderr).toMatch(/has 1 NaN or infinite values among its \d+ weights: its weights are not a model/);
  });

  it("refuses a directory that is not a run", async () => {
    const r = await runCli(["predict", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a run directory/);
  });
});
