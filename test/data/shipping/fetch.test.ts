import { beforeAll, describe, expect, it } from "vitest";
import type { Dataset } from "../../../src/data/dataset.js";
import { loadDataset } from "../../../src/data/datasets.js";
import { readChunk } from "../../../src/data/shipping/chunk-source.js";
import { fetchDataset, type ChunkChannel, type ReceivedChunk } from "../../../src/data/shipping/fetch.js";
import { chunkCount, makeManifest, matchesManifest, shareHash } from "../../../src/data/shipping/manifest.js";
import { DatasetAssembler } from "../../../src/data/shipping/reassembly.js";
import { isRingtrainError } from "../../../src/core/errors.js";

const SOURCE = "the coordinator at tcp://10.0.0.1:29500";

/** The coordinator's answers, in order, straight from readChunk; `tamper` may change a chunk before it is "received". */
function channelTo(ds: Dataset, m: ReturnType<typeof makeManifest>, tamper: (c: ReceivedChunk) => ReceivedChunk = (c) => c): ChunkChannel & { maxInFlight: number } {
  const queue: ReceivedChunk[] = [];
  const ch = {
    maxInFlight: 0,
    request: (split: "train" | "test", chunk: number) => {
      const { pixels, labels } = readChunk(ds, m, chunk, "worker 1");
      // what travels is a copy (the message encoding)
      queue.push(tamper({ split, chunk, pixels: pixels.slice(), labels: labels.slice() }));
      ch.maxInFlight = Math.max(ch.maxInFlight, queue.length);
      return Promise.resolve();
    },
    next: () => Promise.resolve(queue.shift()!),
  };
  return ch;
}

describe("data shipping", () => {
  let mnist: Dataset;
  beforeAll(async () => {
    mnist = await loadDataset("mnist", "train", { limit: 3000 });
  });

  it("cuts a share into bounded chunks and reassembles exactly those records, hash-checked", async () => {
    // 10 000 bytes per chunk: 12 samples of 784
    const m = makeManifest(mnist, "test", 1001, 997, 10_000);
    expect(m.recordsPerChunk).toBe(12);
    expect(chunkCount(m)).toBe(Math.ceil(997 / 12));
    const ch = channelTo(mnist, m);
    const progress: number[] = [];
    const got = await fetchDataset(m, ch, SOURCE, (n) => progress.push(n), 3);
    expect(ch.maxInFlight).toBeLessThanOrEqual(3);
    expect(progress.at(-1)).toBe(chunkCount(m));
    expect(got.count).toBe(mnist.count);
    const size = 784;
    expect(Buffer.from(got.pixels.subarray(1001 * size, 1998 * size)).equals(Buffer.from(mnist.pixels.subarray(1001 * size, 1998 * size)))).toBe(true);
    expect(Buffer.from(got.labels.subarray(1001, 1998)).equals(Buffer.from(mnist.labels.subarray(1001, 1998)))).toBe(true);
    // records outside the share are not shipped
    expect(got.pixels.subarray(0, 1001 * size).every((v) => v === 0)).toBe(true);
    expect(matchesManifest(got, m)).toBe(true);
  });

  it("the hash covers pixels, labels and the range", () => {
    const m = makeManifest(mnist, "train", 0, mnist.count);
    expect(matchesManifest(mnist, m)).toBe(true);
    const flipped = { ...mnist, labels: mnist.labels.slice() };
    flipped.labels[2999] = (flipped.labels[2999]! + 1) % 10;
    expect(matchesManifest(flipped, m)).toBe(false);
    const pixel = { ...mnist, pixels: mnist.pixels.slice() };
    pixel.pixels[123_456] = pixel.pixels[123_456]! ^ 1;
    expect(matchesManifest(pixel, m)).toBe(false);
    expect(shareHash(mnist, 0, 10)).not.toBe(shareHash(mnist, 1, 10));
  });

  it("a corrupted chunk is a DATA_INVALID error naming the source and the dataset", async () => {
    const m = makeManifest(mnist, "train", 0, 500, 50_000);
    const ch = channelTo(mnist, m, (c) => {
      if (c.chunk === 2) c.pixels[17] = c.pixels[17]! ^ 0x40;
      return c;
    });
    const e: unknown = await fetchDataset(m, ch, SOURCE).catch((x: unknown) => x);
    expect(isRingtrainError(e, "DATA_INVALID")).toBe(true);
    expect((e as Error).message).toMatch(/train split \(mnist, records 0\.\.499\) received from the coordinator at tcp:\/\/10\.0\.0\.1:29500 hashes to sha256 [0-9a-f]{64}, but the coordinator announced [0-9a-f]{64}/);
  });

  it("refuses chunks out of range, repeated, out of order or of the wrong size", async () => {
    const m = makeManifest(mnist, "train", 0, 100, 784 * 10);
    const a = new DatasetAssembler(m, SOURCE);
    const c0 = readChunk(mnist, m, 0, "w");
    a.add(0, c0.pixels, c0.labels);
    expect(() => a.add(0, c0.pixels, c0.labels)).toThrow(/chunk 0 of the train split \(mnist\) from the coordinator at .* arrived twice/);
    expect(() => a.add(10, c0.pixels, c0.labels)).toThrow(/expected chunks 0\.\.9/);
    expect(() => a.add(1, c0.pixels.subarray(1), c0.labels)).toThrow(/holds 7839 pixel bytes and 10 labels; expected 7840 and 10/);
    expect(() => a.finish()).toThrow(/missing 9 chunks/);
    expect(() => readChunk(mnist, m, 10, "worker 2 (host b, pid 7)")).toThrow(/worker 2 \(host b, pid 7\) asked for chunk 10 of the train split \(mnist\), which has chunks 0\.\.9/);
    const swapped = channelTo(mnist, m, (c) => ({ ...c, chunk: c.chunk === 1 ? 2 : c.chunk === 2 ? 1 : c.chunk }));
    await expect(fetchDataset(m, swapped, SOURCE)).rejects.toThrow(/expected chunk 1 of the train split \(mnist\) from the coordinator at .*, got chunk 2/);
  });

  it("an empty share needs no chunk and still checks", async () => {
    const m = makeManifest(mnist, "test", 3000, 0);
    expect(chunkCount(m)).toBe(0);
    const got = await fetchDataset(m, channelTo(mnist, m), SOURCE);
    expect(got.count).toBe(3000);
  });
});
