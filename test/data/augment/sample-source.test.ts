import { beforeAll, describe, expect, it } from "vitest";
import { parseAugmentConfig, parseAugmentKind, type AugmentConfigInput } from "../../../src/data/augment/config.js";
import { augmentSample, createSampleSource, type SampleSource } from "../../../src/data/augment/sample-source.js";
import { gatherBatch, type Dataset } from "../../../src/data/dataset.js";
import { loadDataset } from "../../../src/data/datasets.js";
import { epochPermutation, globalBatchRange, workerShare } from "../../../src/data/sampler.js";
import { RingtrainError } from "../../../src/core/errors.js";

const N = 120;
let ds: Dataset;
beforeAll(async () => {
  ds = await loadDataset("mnist", "train", { limit: N });
});

const SIZE = 784;
const source = (augment: AugmentConfigInput | undefined, seed = 7): SampleSource =>
  createSampleSource(ds, augment === undefined ? undefined : parseAugmentConfig(augment), seed);

/** Gathers `indices` and returns one Float32Array per sample, plus the labels. */
function gather(src: SampleSource, indices: number[], epoch: number): { images: Float32Array[]; labels: number[] } {
  const pixels = new Float32Array(indices.length * SIZE);
  const labels = new Int32Array(indices.length);
  src.gather(indices, epoch, pixels, labels);
  return { images: indices.map((_, i) => pixels.slice(i * SIZE, (i + 1) * SIZE)), labels: Array.from(labels) };
}

function original(j: number): Float32Array {
  const out = new Float32Array(SIZE);
  gatherBatch(ds, [j], out, new Int32Array(1));
  return out;
}

const ONLINE: AugmentConfigInput = { mode: "online", kinds: [{ translate: 0.1, rotation: 20 }, { zoom: 0.15, shear: 10 }, { elastic: { alpha: 34, sigma: 4 } }] };

describe("createSampleSource without augment", () => {
  it("is gatherBatch", () => {
    const src = source(undefined);
    expect(src.count).toBe(N);
    expect([src.height, src.width, src.channels, src.sampleSize, src.numClasses]).toEqual([28, 28, 1, SIZE, 10]);
    const idx = [5, 0, 119, 5];
    const expected = new Float32Array(idx.length * SIZE);
    const expectedLabels = new Int32Array(idx.length);
    gatherBatch(ds, idx, expected, expectedLabels);
    const got = new Float32Array(idx.length * SIZE);
    const labels = new Int32Array(idx.length);
    src.gather(idx, 3, got, labels);
    expect(got).toEqual(expected);
    expect(labels).toEqual(expectedLabels);
  });
});

describe("online augmentation", () => {
  it("gives each (seed, epoch, index) the same image whatever else is gathered with it, in any order, by any source", () => {
    const a = gather(source(ONLINE), [5, 17, 42, 99], 2);
    const b = gather(source(ONLINE), [42], 2);
    const c = gather(source(ONLINE), [99, 17, 3, 5], 2);
    expect(b.images[0]).toEqual(a.images[2]);
    expect(c.images[0]).toEqual(a.images[3]);
    expect(c.images[1]).toEqual(a.images[1]);
    expect(c.images[3]).toEqual(a.images[0]);
    expect(a.labels).toEqual([5, 17, 42, 99].map((i) => ds.labels[i]));
  });

  it("splitting a global batch across any number of workers gives the same pixels as one worker", () => {
    const perm = epochPermutation(7, 1, N);
    const { start, end } = globalBatchRange(N, 50, 1);
    const whole = new Float32Array((end - start) * SIZE);
    source(ONLINE).gather(perm.subarray(start, end), 1, whole, new Int32Array(end - start));
    for (const world of [2, 3]) {
      const parts = new Float32Array((end - start) * SIZE);
      for (let r = 0; r < world; r++) {
        const share = workerShare(end - start, world, r);
        const idx = perm.subarray(start + share.offset, start + share.offset + share.count);
        const out = new Float32Array(share.count * SIZE);
        source(ONLINE).gather(idx, 1, out, new Int32Array(share.count)); // each "worker" has its own source
        parts.set(out, share.offset * SIZE);
      }
      expect(parts).toEqual(whole);
    }
  });

  it("makes fresh variants every epoch, and different ones for another seed", () => {
    const src = source(ONLINE);
    const e0 = gather(src, [10, 11, 12], 0).images;
    const e1 = gather(src, [10, 11, 12], 1).images;
    const other = gather(source(ONLINE, 8), [10, 11, 12], 0).images;
    for (let i = 0; i < 3; i++) {
      expect(e1[i]).not.toEqual(e0[i]);
      expect(other[i]).not.toEqual(e0[i]);
      expect(e0[i]).not.toEqual(original(10 + i));
    }
    expect(gather(src, [10, 11, 12], 0).images).toEqual(e0);
  });

  it("keeps values in [0, 1] and the length of the dataset", () => {
    const src = source(ONLINE);
    expect(src.count).toBe(N);
    const { images } = gather(src, Array.from({ length: N }, (_, i) => i), 4);
    const all = images.flatMap((img) => [Math.min(...img), Math.max(...img)]);
    expect(Math.min(...all)).toBe(0);
    expect(Math.max(...all)).toBeLessThanOrEqual(1);
    expect(Math.max(...all)).toBeGreaterThan(0.9);
  });

  it("chooses among several kinds per sample by its stream: with an identity kind, some samples stay original", () => {
    const src = source({ mode: "online", kinds: [{}, { rotation: 30 }] });
    const idx = Array.from({ length: N }, (_, i) => i);
    const originals = idx.map(original);
    const unchanged = (epoch: number): string =>
      gather(src, idx, epoch)
        .images.map((img, i) => (img.every((v, k) => v === originals[i]![k]) ? "o" : "."))
        .join("");
    const u0 = unchanged(0);
    const count = u0.split("o").length - 1;
    expect(count).toBeGreaterThan(N * 0.3);
    expect(count).toBeLessThan(N * 0.7);
    expect(unchanged(1)).not.toBe(u0); // the choice itself is re-drawn each epoch
    expect(unchanged(0)).toBe(u0);
  });

  it("augmentSample(kind, variant v) is what online training with kinds [kind] shows at epoch v", () => {
    const kind = { translate: 0.1, zoom: 0.15, rotation: 36 };
    const src = source({ mode: "online", kinds: [kind] }, 5);
    const ref = gather(src, [33], 6).images[0];
    expect(augmentSample(ds, 33, parseAugmentKind(kind), 5, 6)).toEqual(ref);
    const buf = new Float32Array(SIZE + 10).fill(-1);
    expect(augmentSample(ds, 33, parseAugmentKind(kind), 5, 6, buf)).toBe(buf);
    expect(buf.subarray(0, SIZE)).toEqual(ref);
    expect(buf[SIZE]).toBe(-1);
    expect(augmentSample(ds, 33, parseAugmentKind({}), 5, 6)).toEqual(original(33));
    expect(() => augmentSample(ds, N, parseAugmentKind(kind), 5, 0)).toThrow(/index 120 is outside \[0, 120\)/);
    expect(() => augmentSample(ds, 0, parseAugmentKind(kind), 5, -1)).toThrow(/variant is -1/);
  });
});

describe("copies augmentation", () => {
  const COPIES: AugmentConfigInput = { mode: "copies", copies: 4, kinds: [{ translate: 0.1 }, {}, { rotation: 36, zoom: 0.15 }] };

  it("has (copies+1)·N samples, the originals first", () => {
    const src = source(COPIES);
    expect(src.count).toBe(5 * N);
    expect(src.originalCount).toBe(N);
    const { images, labels } = gather(src, [0, 57, N - 1], 3);
    expect(images).toEqual([original(0), original(57), original(N - 1)]);
    expect(labels).toEqual([0, 57, N - 1].map((j) => ds.labels[j]));
  });

  it("copy c of sample j is index c·N + j, uses kinds[(c−1) mod kinds], has j's label, and is the same every epoch", () => {
    const src = source(COPIES);
    const j = 57;
    const idx = [1, 2, 3, 4].map((c) => c * N + j);
    const e0 = gather(src, idx, 0);
    const e5 = gather(source(COPIES), [...idx].reverse(), 5);
    expect([...e5.images].reverse()).toEqual(e0.images);
    expect(e0.labels).toEqual([1, 2, 3, 4].map(() => ds.labels[j]));
    expect(idx.map((i) => src.originalIndex(i))).toEqual([j, j, j, j]);
    const [c1, c2, c3, c4] = e0.images;
    expect(c2).toEqual(original(j)); // kinds[1] is the identity
    for (const img of [c1, c3, c4]) expect(img).not.toEqual(original(j));
    expect(c4).not.toEqual(c1); // same kind (translate), another copy, another draw
  });

  it("differs from online streams and between seeds", () => {
    const a = gather(source(COPIES, 1), [N + 3], 0).images[0];
    const b = gather(source(COPIES, 2), [N + 3], 0).images[0];
    expect(a).not.toEqual(b);
  });
});

describe("SampleSource.gather errors", () => {
  it("rejects out-of-range indices, short buffers and bad epochs, naming the source", () => {
    const src = source({ mode: "copies", copies: 1, kinds: [{ translate: 0.1 }] });
    const px = new Float32Array(2 * SIZE);
    const lb = new Int32Array(2);
    expect(() => src.gather([2 * N], 0, px, lb)).toThrow(/sample source \(mnist train, augment copies\): index 240 at position 0 is outside \[0, 240\)/);
    expect(() => src.gather([0, 1.5], 0, px, lb)).toThrow(RingtrainError);
    expect(() => src.gather([0, 1], 0, px.subarray(1), lb)).toThrow(/need pixelsOut ≥ 1568 and labelsOut ≥ 2/);
    expect(() => src.gather([0], -1, px, lb)).toThrow(/epoch is -1; expected a non-negative integer/);
    expect(() => src.originalIndex(2 * N)).toThrow(RingtrainError);
    expect(() => createSampleSource(ds, undefined, 0.5)).toThrow(/seed is 0.5/);
  });
});
