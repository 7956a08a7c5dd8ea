import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { loadDataset } from "../../src/data/datasets.js";
import { readIdxFile, writeIdxFile, encodeIdx } from "../../src/data/idx.js";
import { isRingtrainError } from "../../src/core/errors.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ringtrain-idx-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectDataInvalid(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isRingtrainError(e, "DATA_INVALID")).toBe(true);
  expect((e as Error).message).toMatch(pattern);
}

const sample = { dims: [3, 2, 4], data: Uint8Array.from({ length: 24 }, (_, i) => (i * 37) % 256) };

describe("IDX files", () => {
  it("round-trips raw and gzipped files", async () => {
    for (const gzip of [false, true]) {
      const p = join(dir, `rt-${gzip}`);
      await writeIdxFile(p, sample, { gzip });
      const back = await readIdxFile(p);
      expect(back.dims).toEqual([3, 2, 4]);
      expect(Array.from(back.data)).toEqual(Array.from(sample.data));
    }
  });

  it("round-trips real MNIST images and labels as a raw and a gzipped dataset directory", async () => {
    const mnist = await loadDataset("mnist", "test", { limit: 2000 });
    for (const gzip of [false, true]) {
      const d = join(dir, `mnist-${gzip}`);
      await mkdir(d);
      const gz = gzip ? ".gz" : "";
      await writeIdxFile(join(d, `t10k-images-idx3-ubyte${gz}`), { dims: [mnist.count, 28, 28], data: mnist.pixels }, { gzip });
      await writeIdxFile(join(d, `t10k-labels-idx1-ubyte${gz}`), { dims: [mnist.count], data: mnist.labels }, { gzip });
      const head = await readFile(join(d, `t10k-images-idx3-ubyte${gz}`));
      expect(Array.from(head.subarray(0, 2))).toEqual(gzip ? [0x1f, 0x8b] : [0, 0]);
      const back = await loadDataset(d, "test");
      expect(back).toMatchObject({ count: 2000, height: 28, width: 28, channels: 1 });
      expect(Buffer.from(back.pixels).equals(Buffer.from(mnist.pixels))).toBe(true);
      expect(Buffer.from(back.labels).equals(Buffer.from(mnist.labels))).toBe(true);
    }
  });

  it("writes the header bytes of the IDX spec", () => {
    const bytes = encodeIdx({ dims: [2, 3], data: new Uint8Array(6) });
    expect(Array.from(bytes.subarray(0, 12))).toEqual([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3]);
    expect(bytes.length).toBe(18);
  });

  it("reads a 1-d labels file", async () => {
    const p = join(dir, "labels");
    await writeIdxFile(p, { dims: [5], data: Uint8Array.of(1, 2, 3, 4, 9) });
    const back = await readIdxFile(p);
    expect(back.dims).toEqual([5]);
    expect(Array.from(back.data)).toEqual([1, 2, 3, 4, 9]);
  });

  it("rejects a truncated file, naming the file, the header's shape and the bytes found", async () => {
    const full = encodeIdx(sample);
    const p = join(dir, "x-idx3-ubyte");
    await writeFile(p, full.subarray(0, full.length - 5));
    await expectDataInvalid(readIdxFile(p), /x-idx3-ubyte: truncated: header says 3×2×4 = 24 bytes of data, file has 19/);
  });

  it("rejects a truncated gzipped file the same way", async () => {
    const full = encodeIdx(sample);
    const p = join(dir, "trunc.gz");
    await writeFile(p, gzipSync(full.subarray(0, 20)));
    await expectDataInvalid(readIdxFile(p), /truncated: header says 3×2×4 = 24 bytes/);
  });

  it("rejects a file cut inside the header", async () => {
    const p = join(dir, "cut-header");
    await writeFile(p, encodeIdx(sample).subarray(0, 9));
    await expectDataInvalid(readIdxFile(p), /header declares 3 dimensions \(16 header bytes\), file has 9 bytes/);
  });

  it("rejects trailing bytes", async () => {
    const full = encodeIdx(sample);
    const p = join(dir, "trailing");
    await writeFile(p, Buffer.concat([full, Buffer.from([1, 2])]));
    await expectDataInvalid(readIdxFile(p), /2 trailing bytes: header says 3×2×4 = 24 bytes of data, file has 26/);
  });

  it("rejects a bad magic", async () => {
    const p = join(dir, "badmagic");
    await writeFile(p, Buffer.from("hello world, not idx"));
    await expectDataInvalid(readIdxFile(p), /badmagic: not an IDX file: magic starts with 0x68 0x65/);
  });

  it("rejects element types other than uint8, naming the type", async () => {
    const bytes = encodeIdx({ dims: [1], data: new Uint8Array(1) });
    bytes[2] = 0x0d;
    const p = join(dir, "float");
    await writeFile(p, bytes);
    await expectDataInvalid(readIdxFile(p), /unsupported IDX element type 0x0d \(float32\); only 0x08 \(uint8\)/);
  });

  it("rejects 0 or more than 4 dimensions", async () => {
    for (const nd of [0, 5]) {
      const p = join(dir, `nd${nd}`);
      await writeFile(p, Buffer.from([0, 0, 8, nd, ...new Array<number>(4 * nd).fill(0)]));
      await expectDataInvalid(readIdxFile(p), new RegExp(`IDX header has ${nd} dimensions, expected 1 to 4`));
    }
  });

  it("rejects a corrupt gzip stream", async () => {
    const gz = gzipSync(encodeIdx(sample));
    gz[gz.length - 6] = (gz[gz.length - 6] ?? 0) ^ 0xff; // break the CRC
    const p = join(dir, "corrupt.gz");
    await writeFile(p, gz);
    await expectDataInvalid(readIdxFile(p), /corrupt.gz: corrupt gzip stream/);
  });

  it("reports a missing file with its path", async () => {
    const p = join(dir, "nope", "train-images-idx3-ubyte");
    await expectDataInvalid(readIdxFile(p), new RegExp(`${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: file not found`));
  });

  it("refuses to encode dims that disagree with the data", () => {
    expect(() => encodeIdx({ dims: [2, 2], data: new Uint8Array(3) })).toThrow(/dims 2×2 = 4 elements, data has 3/);
  });
});
