import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runConfigSchema } from "../../src/config/schema.js";
import { writeKaggleCsv } from "../../src/data/csv-write.js";
import { loadDataset } from "../../src/data/datasets.js";
import { loadRunDatasets } from "../../src/data/run-datasets.js";

const sampleKey = (pixels: Uint8Array, i: number): string => Buffer.from(pixels.subarray(i * 784, (i + 1) * 784)).toString("base64");

describe("loadRunDatasets", () => {
  it("holds a seeded validation split out of the training samples, keeping the test split", async () => {
    const config = runConfigSchema.parse({ trainLimit: 1000, testLimit: 50, validation: { holdout: 0.2 }, seed: 3 });
    const a = await loadRunDatasets(config);
    const b = await loadRunDatasets(config);
    expect(a.train.count).toBe(800);
    expect(a.validation!.count).toBe(200);
    expect(a.test.count).toBe(50);
    expect(a.test.split).toBe("test");
    expect(Buffer.from(a.validation!.pixels).equals(Buffer.from(b.validation!.pixels))).toBe(true);
    const trainKeys = new Set(Array.from({ length: a.train.count }, (_, i) => sampleKey(a.train.pixels, i)));
    const overlap = Array.from({ length: a.validation!.count }, (_, i) => sampleKey(a.validation!.pixels, i)).filter((k) => trainKeys.has(k));
    expect(overlap.length).toBeLessThan(3); // MNIST has a few duplicate images, not 200
  });

  it("takes fold k of a stratified k-fold partition; the folds cover the training set", async () => {
    const counts = [];
    for (let fold = 0; fold < 4; fold++) {
      const r = await loadRunDatasets(runConfigSchema.parse({ trainLimit: 400, testLimit: 10, validation: { folds: 4, fold } }));
      expect(r.train.count + r.validation!.count).toBe(400);
      counts.push(r.validation!.count);
    }
    expect(counts.reduce((x, y) => x + y, 0)).toBe(400);
    expect(runConfigSchema.safeParse({ validation: { folds: 4, fold: 4 } }).success).toBe(false);
    expect(runConfigSchema.safeParse({ validation: { folds: 4, holdout: 0.1 } }).success).toBe(false);
  });

  it("draws an unstratified split with stratified: false (holdout and folds)", async () => {
    const base = { trainLimit: 600, testLimit: 10, seed: 7 };
    for (const validation of [{ holdout: 0.25 }, { folds: 3, fold: 1 }]) {
      const stratified = await loadRunDatasets(runConfigSchema.parse({ ...base, validation }));
      const plain = await loadRunDatasets(runConfigSchema.parse({ ...base, validation: { ...validation, stratified: false } }));
      expect(plain.validation!.count).toBe(stratified.validation!.count);
      expect(plain.train.count + plain.validation!.count).toBe(600);
      expect(Buffer.from(plain.validation!.labels).equals(Buffer.from(stratified.validation!.labels))).toBe(false);
    }
  });

  it("evaluates a Kaggle train.csv on an implied 10% holdout (it has no labelled test split)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rt-kaggle-"));
    await writeKaggleCsv(join(dir, "train.csv"), await loadDataset("mnist", "train", { limit: 300 }));
    const r = await loadRunDatasets(runConfigSchema.parse({ dataset: dir }));
    expect(r.train.count).toBe(270);
    expect(r.test.count).toBe(30);
    expect(r.validation).toBe(r.test);
  });
});
