import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isRingtrainError } from "../../src/core/errors.js";
import { isRunDirectory, parseEpochRecords, readEpochRecords, readRun, readRunConfig, readRunSummary, readRunWeights, readStepRecords } from "../../src/runs/read-run.js";
import { sampleEpoch, sampleSummary } from "./fixtures.js";

async function runDir(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "rt-read-run-"));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

/** The error `promise` rejects with; it must be a RingtrainError of `code`. */
async function failure(promise: Promise<unknown>, code: string): Promise<string> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isRingtrainError(e), `expected a RingtrainError, got ${String(e)}`).toBe(true);
  expect((e as { code: string }).code).toBe(code);
  return (e as Error).message;
}

const lines = (records: readonly unknown[]): string => records.map((r) => JSON.stringify(r) + "\n").join("");

describe("reading summary.json", () => {
  it("names the file when it is not JSON", async () => {
    const dir = await runDir({ "summary.json": '{"runId": "x", "status": "compl' });
    expect(await failure(readRunSummary(dir), "DATA_INVALID")).toMatch(new RegExp(`^${join(dir, "summary.json")} is not valid JSON \\(`));
  });

  it("names the file, the field, what it holds and what was expected for a field of the wrong type", async () => {
    const dir = await runDir({ "summary.json": JSON.stringify({ ...sampleSummary(), testAccuracy: "0.82" }) });
    expect(await failure(readRunSummary(dir), "DATA_INVALID")).toBe(
      `${join(dir, "summary.json")}: testAccuracy: expected number, got "0.82" (not a run summary as ringtrain writes it)`,
    );
  });

  it("names a nested field and a status it does not know", async () => {
    const dir = await runDir({ "summary.json": JSON.stringify({ ...sampleSummary(), status: "running", perWorkerBatchSize: { min: 30 } }) });
    expect(await failure(readRunSummary(dir), "DATA_INVALID")).toBe(
      `${join(dir, "summary.json")}: status: expected one of "completed", "failed", "diverged", got "running"; perWorkerBatchSize.max: missing, expected number (not a run summary as ringtrain writes it)`,
    );
  });

  it("names a missing required field", async () => {
    const { runId: _, ...summary } = sampleSummary();
    const dir = await runDir({ "summary.json": JSON.stringify(summary) });
    expect(await failure(readRunSummary(dir), "DATA_INVALID")).toBe(`${join(dir, "summary.json")}: runId: missing, expected string (not a run summary as ringtrain writes it)`);
  });

  it("refuses a foreign file: a sweep.json copied as summary.json", async () => {
    const sweep = {
      sweepId: "exp-20261203-101500-ab12",
      name: "exp",
      status: "completed",
      startedAt: "2026-12-03T10:15:00.000Z",
      updatedAt: "2026-12-03T10:20:00.000Z",
      metric: "validationAccuracy",
      higherIsBetter: true,
      workers: 2,
      trials: [{ trialId: "t01-learningRate_0.1", index: 0, params: { "optimizer.learningRate": 0.1 }, status: "completed", runs: [], metric: null, wallSeconds: 3 }],
      best: null,
      final: null,
      runsPerTrial: 1,
    };
    const dir = await runDir({ "summary.json": JSON.stringify(sweep) });
    const message = await failure(readRunSummary(dir), "DATA_INVALID");
    expect(message).toMatch(new RegExp(`^${join(dir, "summary.json")}: runId: missing, expected string; dataset: missing, expected string; `));
    expect(message).toMatch(/; and \d+ more \(not a run summary as ringtrain writes it\)$/);
  });

  it("refuses a summary that is not an object", async () => {
    const dir = await runDir({ "summary.json": "[1, 2]" });
    expect(await failure(readRunSummary(dir), "DATA_INVALID")).toBe(`${join(dir, "summary.json")} holds an array; expected a JSON object`);
  });

  it("reads a summary written before validation splits, and none when there is none", async () => {
    const { validationLoss: _l, validationAccuracy: _a, validationSamples: _s, ...old } = sampleSummary({ status: "completed" });
    const dir = await runDir({ "summary.json": JSON.stringify(old) });
    expect(await readRunSummary(dir)).toEqual({ ...old, validationLoss: null, validationAccuracy: null, validationSamples: 0 });
    expect(await readRunSummary(await runDir({}))).toBeNull();
  });
});

describe("reading metrics.jsonl and steps.jsonl", () => {
  it("names the file, the line and the field of a bad line", async () => {
    const dir = await runDir({ "metrics.jsonl": lines([sampleEpoch(1), { ...sampleEpoch(2), testAccuracy: "high" }, sampleEpoch(3)]) });
    expect(await failure(readEpochRecords(dir), "DATA_INVALID")).toBe(
      `${join(dir, "metrics.jsonl")} line 2: testAccuracy: expected number, got "high" (not an epoch record as ringtrain writes it)`,
    );
  });

  it("names the line of a missing field and of a line that is not JSON", async () => {
    const { numTensors: _, ...noTensors } = sampleEpoch(2);
    const missing = await runDir({ "metrics.jsonl": lines([sampleEpoch(1), sampleEpoch(2), noTensors]) });
    expect(await failure(readEpochRecords(missing), "DATA_INVALID")).toBe(
      `${join(missing, "metrics.jsonl")} line 3: numTensors: missing, expected number (not an epoch record as ringtrain writes it)`,
    );
    const torn = await runDir({ "steps.jsonl": '{"optimizerStep": 1, "epoch": 1, "loss": 2}\n{"optimizerStep": 2, "ep\n{"optimizerStep": 3, "epoch": 1, "loss": 1}\n' });
    expect(await failure(readStepRecords(torn), "DATA_INVALID")).toMatch(new RegExp(`^${join(torn, "steps.jsonl")} line 2 is not valid JSON \\(`));
  });

  it("leaves out a torn last line (a run killed while appending) and reads NaN where a figure was written as null", async () => {
    const dir = await runDir({
      "steps.jsonl": '{"optimizerStep": 1, "epoch": 1, "loss": 2}\n{"optimizerStep": 2, "epoch": 1, "loss": null}\n{"optimizerStep": 3, "ep',
    });
    expect(await readStepRecords(dir)).toEqual([
      { optimizerStep: 1, epoch: 1, loss: 2 },
      { optimizerStep: 2, epoch: 1, loss: Number.NaN },
    ]);
  });

  it("says which line of which file it left out, and refuses a line that is not JSON although it was finished", async () => {
    const dir = await runDir({
      "config.json": "{}",
      "metrics.jsonl": lines([sampleEpoch(1), sampleEpoch(2)]) + JSON.stringify(sampleEpoch(3)).slice(0, 40),
      "steps.jsonl": '{"optimizerStep": 1, "epoch": 1, "loss": 2}\n',
    });
    const run = await readRun(dir);
    expect(run.epochs).toEqual([sampleEpoch(1), sampleEpoch(2)]);
    expect(run.warnings).toEqual([
      `${join(dir, "metrics.jsonl")} line 3 is cut short (40 bytes, no line end: the run was stopped or the disk filled while writing it); it was left out, the 2 lines before it were read`,
    ]);
    const whole = await runDir({ "metrics.jsonl": lines([sampleEpoch(1)]) + '{"epoch": 2, "tr\n' });
    expect(await failure(readEpochRecords(whole), "DATA_INVALID")).toMatch(new RegExp(`^${join(whole, "metrics.jsonl")} line 2 is not valid JSON \\(`));
  });

  it("reads epochs written before validation splits with null validation figures", () => {
    const { validationLoss: _l, validationAccuracy: _a, ...old } = sampleEpoch(1);
    expect(parseEpochRecords(JSON.stringify(old) + "\n", "metrics.jsonl")).toEqual([{ ...old, validationLoss: null, validationAccuracy: null }]);
    expect(() => parseEpochRecords(JSON.stringify({ ...old, epoch: null }) + "\n", "m/metrics.jsonl")).toThrow(/^m\/metrics.jsonl line 1: epoch: expected number, got null/);
  });
});

describe("reading weights.bin", () => {
  const layout = (count: number): string => JSON.stringify({ dtype: "float32", count, tensors: [] });

  it("reads weights whose size is the count weights.json gives", async () => {
    const dir = await runDir({ "weights.bin": new Uint8Array(Float32Array.from([1.5, -2, 0.25]).buffer), "weights.json": layout(3) });
    expect(await readRunWeights(dir)).toEqual(Float32Array.from([1.5, -2, 0.25]));
  });

  it("refuses a weights.bin cut short (a full disk), naming it and both sizes, instead of blaming the data later", async () => {
    const dir = await runDir({ "weights.bin": new Uint8Array(4096), "weights.json": layout(109386) });
    expect(await failure(readRunWeights(dir), "DATA_INVALID")).toBe(
      `${join(dir, "weights.bin")} is 4096 bytes, but weights.json says it holds 109386 float32 values (437544 bytes): it is cut short (not written whole, or replaced); train the run again or pick another run`,
    );
    const odd = await runDir({ "weights.bin": new Uint8Array(6), "weights.json": layout(1) });
    expect(await failure(readRunWeights(odd), "DATA_INVALID")).toMatch(/is 6 bytes, but weights\.json says it holds 1 float32 values \(4 bytes\): it is too long/);
  });

  it("refuses a weights.json that is not a layout", async () => {
    const dir = await runDir({ "weights.bin": new Uint8Array(4), "weights.json": JSON.stringify({ dtype: "float32", count: "1" }) });
    expect(await failure(readRunWeights(dir), "DATA_INVALID")).toBe(`${join(dir, "weights.json")}: count: expected number, got "1" (not a weights layout as ringtrain writes it)`);
  });
});

describe("reading a whole run directory", () => {
  it("reads an absent run as empty, which is not a run directory", async () => {
    const run = await readRun(join(await runDir({}), "never-started"));
    expect(run).toMatchObject({ runId: "never-started", config: null, summary: null, epochs: [], steps: [], weightsMtimeMs: null });
    expect(isRunDirectory(run)).toBe(false);
  });

  it("fails on a corrupt file instead of showing a run without it", async () => {
    const dir = await runDir({ "config.json": "{}", "summary.json": JSON.stringify({ ...sampleSummary(), backends: [{ rank: "0" }] }) });
    expect(await failure(readRun(dir), "DATA_INVALID")).toMatch(new RegExp(`^${join(dir, "summary.json")}: backends\\.0\\.rank: expected number, got "0"; backends\\.0\\.host: missing, expected string`));
  });

  it("says a directory without config.json or weights.bin is not a finished run", async () => {
    const empty = await runDir({});
    expect(await failure(readRunConfig(empty), "USAGE")).toMatch(/is not a run directory .*config\.json.*; pass runs\/<run-id>\//);
    expect(await failure(readRunWeights(empty), "USAGE")).toBe(`${empty} has no weights.bin: the run did not finish; train it again or pick another run`);
    const unlaid = await runDir({ "weights.bin": new Uint8Array(8) });
    expect(await failure(readRunWeights(unlaid), "DATA_INVALID")).toBe(
      `${join(unlaid, "weights.bin")} has no weights.json beside it: the run stopped while writing its weights; train the run again or pick another run`,
    );
    const bad = await runDir({ "config.json": JSON.stringify({ epochs: "two" }) });
    expect(await failure(readRunConfig(bad), "CONFIG_INVALID")).toMatch(new RegExp(`^${join(bad, "config.json")}: epochs: `));
  });
});
