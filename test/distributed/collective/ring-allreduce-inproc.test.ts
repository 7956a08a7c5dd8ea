/** Ring allreduce with every rank in this process over inproc:// sockets (one shared zeromq Context). */
import { randomUUID } from "node:crypto";
import * as zmq from "zeromq";
import { afterEach, describe, expect, it } from "vitest";
import { RingAllreduce } from "../../../src/distributed/collective/ring-allreduce.js";
import type { RingAllreduceOptions } from "../../../src/distributed/collective/ring-options.js";
import { fillBuffer } from "../../../src/bench/ring-protocol.js";
import { isRingtrainError } from "../../../src/core/errors.js";

const open: RingAllreduce[] = [];
afterEach(() => {
  for (const r of open.splice(0)) r.close();
});

async function ring(world: number, extra: Partial<RingAllreduceOptions> = {}): Promise<RingAllreduce[]> {
  const context = new zmq.Context();
  const id = randomUUID();
  const ranks = await Promise.all(
    Array.from({ length: world }, (_, rank) =>
      RingAllreduce.bind({ rank, worldSize: world, bindEndpoint: `inproc://ring-${id}-r${rank}`, timeoutMs: 5000, context, ...extra }),
    ),
  );
  open.push(...ranks);
  const members = ranks.map((r, rank) => ({ rank, host: "local", pid: 1000 + rank, dataAddress: r.address }));
  await Promise.all(ranks.map((r) => r.connect(members)));
  return ranks;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

function bits(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex");
}

describe("ring allreduce over inproc", () => {
  const configs: [string, Partial<RingAllreduceOptions>, number[]][] = [
    ["defaults", {}, [0, 1, 3, 17, 100, 16_384, 16_385, 70_001]],
    ["ring path, tiny sub-chunks", { smallBufferBytes: 0, subChunkBytes: 64 }, [1, 3, 4, 5, 17, 100, 1001]],
  ];
  describe.each(configs)("%s", (_, extra, lengths) => {
    it.each([1, 2, 3, 4, 5])("world size %i: repeated allreduces equal the sequential sum, bit-identical", async (world) => {
      const ranks = await ring(world, extra);
      let tag = 0;
      for (const length of lengths) {
        for (let rep = 0; rep < 3; rep++, tag++) {
          for (const kind of ["int", "float"] as const) {
            const bufs = ranks.map((_, r) => fillBuffer(kind, 11, r, rep, length));
            const want = new Float32Array(length);
            for (const b of bufs) for (let i = 0; i < length; i++) want[i] = (want[i] as number) + (b[i] as number);
            await Promise.all(ranks.map((r, i) => r.allreduce(bufs[i] as Float32Array, kind === "int" ? tag : tag + 0.5)));
            for (const b of bufs) expect(bits(b)).toBe(bits(bufs[0] as Float32Array));
            if (kind === "int") expect(bits(bufs[0] as Float32Array)).toBe(bits(want));
            else expect(maxAbsDiff(bufs[0] as Float32Array, want)).toBeLessThan(1e-5 * world);
          }
        }
      }
    });
  });

  it("the caller may overwrite its buffer as soon as allreduce resolves", async () => {
    // Zero-copy inproc frames alias the sender's memory: this fails if any frame
    // still in flight points into a caller's buffer.
    const ranks = await ring(3, { smallBufferBytes: 0, subChunkBytes: 1024 });
    const bufs = ranks.map(() => new Float32Array(10_000));
    for (let step = 0; step < 20; step++) {
      await Promise.all(
        ranks.map(async (r, i) => {
          (bufs[i] as Float32Array).fill(step + i);
          await r.allreduce(bufs[i] as Float32Array, step);
          const b = bufs[i] as Float32Array;
          const expected = 3 * step + 3;
          expect(b.every((v) => v === expected)).toBe(true);
          b.fill(-1e9); // scribble right away
        }),
      );
    }
  });

  it("fails with PROTOCOL naming the neighbour when tags differ", async () => {
    const ranks = await ring(2);
    const results = await Promise.allSettled([ranks[0]?.allreduce(new Float32Array(8), 1), ranks[1]?.allreduce(new Float32Array(8), 2)]);
    const r1 = results[1] as PromiseRejectedResult;
    expect(isRingtrainError(r1.reason, "PROTOCOL")).toBe(true);
    expect(String((r1.reason as Error).message)).toMatch(/worker 0 \(host local, pid 1000\) sent .*tag 1.*expected .*tag 2/);
    // The instance is broken from then on.
    await expect(ranks[1]?.allreduce(new Float32Array(8), 3)).rejects.toSatisfy((e) => isRingtrainError(e, "PROTOCOL"));
  });

  it("fails with PROTOCOL when lengths differ", async () => {
    const ranks = await ring(2);
    const results = await Promise.allSettled([ranks[0]?.allreduce(new Float32Array(8), 1), ranks[1]?.allreduce(new Float32Array(9), 1)]);
    expect(results.some((r) => r.status === "rejected" && isRingtrainError(r.reason, "PROTOCOL"))).toBe(true);
  });

  it("times out naming the silent neighbour, the phase and the tag", async () => {
    const ranks = await ring(2, { timeoutMs: 200 });
    const t0 = Date.now();
    const err: unknown = await ranks[0]?.allreduce(new Float32Array(400_000), 77).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(isRingtrainError(err, "TIMEOUT")).toBe(true);
    expect((err as Error).message).toContain("worker 1 (host local, pid 1001) sent no reduce-scatter chunk for tag 77");
    expect((err as Error).message).toContain("within 200 ms");
  });

  it("rejects a malformed member table and bad options", async () => {
    const ranks = await ring(2);
    await expect(RingAllreduce.bind({ rank: 2, worldSize: 2, bindEndpoint: "inproc://x", timeoutMs: 1 })).rejects.toSatisfy((e) =>
      isRingtrainError(e, "USAGE"),
    );
    const extra = await RingAllreduce.bind({ rank: 0, worldSize: 2, bindEndpoint: `inproc://${randomUUID()}`, timeoutMs: 100, context: new zmq.Context() });
    open.push(extra);
    expect(() => extra.connect([{ rank: 1, host: "h", pid: 1, dataAddress: ranks[0]?.address ?? "" }])).toThrow(/member table/);
  });
});
