import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { readKaggleCsv } from "../../src/data/csv-read.js";
import { kaggleCsvHeader, writeKaggleCsv } from "../../src/data/csv-write.js";
import type { Dataset } from "../../src/data/dataset.js";
import { loadDataset } from "../../src/data/datasets.js";
import { isRingtrainError } from "../../src/core/errors.js";
import { createRng } from "../../src/core/random.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ringtrain-csv-write-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `count` random side×side images with random labels (every byte value occurs). */
function randomDataset(count: number, side: number, seed: number): Dataset {
  const rng = createRng(seed);
  const pixels = new Uint8Array(count * side * side);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.nextInt(256);
  pixels[0] = 0;
  pixels[1] = 255;
  const labels = Uint8Array.from({ length: count }, () => rng.nextInt(10));
  return { name: "random", split: "train", count, height: side, width: side, channels: 1, numClasses: 10, pixels, labels };
}

describe("writeKaggleCsv", () => {
  it("writes the exact train.csv and test.csv text", async () => {
    const ds: Dataset = {
      name: "tiny",
      split: "train",
      count: 2,
      height: 2,
      width: 2,
      channels: 1,
      numClasses: 10,
      pixels: Uint8Array.of(0, 9, 10, 255, 100, 0, 7, 1),
      labels: Uint8Array.of(3, 9),
    };
    const train = join(dir, "tiny-train.csv");
    await writeKaggleCsv(train, ds);
    expect(await readFile(train, "utf8")).toBe("label,pixel0,pixel1,pixel2,pixel3\n3,0,9,10,255\n9,100,0,7,1\n");
    const test = join(dir, "tiny-test.csv");
    await writeKaggleCsv(test, ds, { labelled: false });
    expect(await readFile(test, "utf8")).toBe("pixel0,pixel1,pixel2,pixel3\n0,9,10,255\n100,0,7,1\n");
    expect(kaggleCsvHeader(784, true).startsWith("label,pixel0,pixel1,")).toBe(true);
    expect(kaggleCsvHeader(784, true).endsWith(",pixel783\n")).toBe(true);
  });

  it("round-trips labelled and unlabelled files across several write chunks", async () => {
    const ds = randomDataset(2500, 5, 7);
    for (const labelled of [true, false]) {
      const p = join(dir, `rt-${labelled}.csv`);
      await writeKaggleCsv(p, ds, { labelled });
      const back = await readKaggleCsv(p);
      expect(back).toMatchObject({ count: 2500, height: 5, width: 5, channels: 1, labelled });
      expect(Buffer.from(back.pixels).equals(Buffer.from(ds.pixels))).toBe(true);
      if (labelled) expect(Buffer.from(back.labels).equals(Buffer.from(ds.labels))).toBe(true);
      // An unlabelled file read back keeps its flag, so writing it again defaults to unlabelled.
      const again = join(dir, `rt-${labelled}-again.csv`);
      await writeKaggleCsv(again, back);
      expect((await readFile(again)).equals(await readFile(p))).toBe(true);
    }
  });

  it("exports real MNIST IDX data to Kaggle CSV and reads back the same images and labels", async () => {
    const mnist = await loadDataset("mnist", "test", { limit: 3000 });
    const p = join(dir, "mnist-train.csv");
    await writeKaggleCsv(p, mnist);
    const back = await readKaggleCsv(p);
    expect(back).toMatchObject({ count: 3000, height: 28, width: 28, labelled: true });
    expect(Buffer.from(back.pixels).equals(Buffer.from(mnist.pixels))).toBe(true);
    expect(Buffer.from(back.labels).equals(Buffer.from(mnist.labels))).toBe(true);
  });

  it("refuses images a Kaggle CSV cannot describe, and labels a dataset does not have", async () => {
    const wide: Dataset = { ...randomDataset(1, 2, 1), height: 1, width: 4 };
    const e1: unknown = await writeKaggleCsv(join(dir, "wide.csv"), wide).catch((e: unknown) => e);
    expect(isRingtrainError(e1, "DATA_INVALID")).toBe(true);
    expect((e1 as Error).message).toMatch(/images are 1×4×1; a Kaggle CSV can only hold square single-channel images/);
    const p = join(dir, "unlabelled.csv");
    await writeKaggleCsv(p, randomDataset(3, 2, 2), { labelled: false });
    const unlabelled = await readKaggleCsv(p);
    const e2: unknown = await writeKaggleCsv(join(dir, "x.csv"), unlabelled, { labelled: true }).catch((e: unknown) => e);
    expect(isRingtrainError(e2, "DATA_INVALID")).toBe(true);
    expect((e2 as Error).message).toMatch(/has no labels/);
  });
});
