/**
 * Ring allreduce across real processes over real sockets: forks
 * dist/bench/ring-rank.js (build first) once per rank.
 */
import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { RingHarness, type Transport } from "../../../src/bench/ring-harness.js";
import { fillBuffer, type FillKind, type VerifyResult } from "../../../src/bench/ring-protocol.js";
import { isRingtrainError } from "../../../src/core/errors.js";

const harnesses: RingHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

async function start(opts: Parameters<typeof RingHarness.start>[0]): Promise<RingHarness> {
  const h = await RingHarness.start(opts);
  harnesses.push(h);
  return h;
}

function sequentialSum(kind: FillKind, seed: number, world: number, rep: number, length: number): Float32Array {
  const out = new Float32Array(length);
  for (let r = 0; r < world; r++) {
    const f = fillBuffer(kind, seed, r, rep, length);
    for (let i = 0; i < length; i++) out[i] = (out[i] as number) + (f[i] as number);
  }
  return out;
}

function decode(res: VerifyResult): Float32Array {
  const b = Buffer.from(res.bytes ?? "", "base64");
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Every rank got the same bits for every call, and rank 0's result matches the sequential sum. */
function check(results: VerifyResult[][], kind: FillKind, seed: number): void {
  const world = results.length;
  const first = results[0] ?? [];
  expect(first.length).toBeGreaterThan(0);
  for (const rankResults of results) {
    expect(rankResults.map((r) => [r.length, r.tag, r.digest])).toEqual(first.map((r) => [r.length, r.tag, r.digest]));
  }
  for (const res of first) {
    const got = decode(res);
    const want = sequentialSum(kind, seed, world, res.rep, res.length);
    expect(got.length).toBe(res.length);
    if (kind === "int") {
      expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
    } else {
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs((got[i] as number) - (want[i] as number)));
      expect(worst).toBeLessThan(1e-5 * world);
    }
  }
}

// Lengths: empty, single, smaller than and not divisible by the world size, around
// the 64 KiB gather/ring crossover (16384 elements), and several sub-chunks.
const LENGTHS = [0, 1, 2, 7, 1000, 16384, 16385, 300_001];

it("has the compiled rank program", () => {
  expect(existsSync("dist/bench/ring-rank.js"), "run `npx tsc -p tsconfig.build.json` first").toBe(true);
});

describe.each<Transport>(["tcp", "ipc"])("ring allreduce over %s", (transport) => {
  it.each([1, 2, 3, 4, 5])("world size %i equals the sequential sum on every rank, bit-identical", async (world) => {
    const h = await start({ worldSize: world, transport, timeoutMs: 10_000 });
    check(await h.verify({ lengths: LENGTHS, reps: 2, tagBase: 1, fill: "int", seed: 5, returnUpTo: 1e6 }, 30_000), "int", 5);
    // Repeated calls on the same sockets with increasing tags, rounding floats.
    check(await h.verify({ lengths: [3, 5000, 40_000], reps: 3, tagBase: 100, fill: "float", seed: 9, returnUpTo: 1e6 }, 30_000), "float", 9);
  });

  it.each([2, 3, 5])("world size %i: the pipelined ring path with tiny sub-chunks, for every length", async (world) => {
    // smallBufferBytes 0 forces the ring even for 1 element (chunks of length 0);
    // 256-byte sub-chunks make every step several pipelined frames.
    const h = await start({ worldSize: world, transport, timeoutMs: 10_000, smallBufferBytes: 0, subChunkBytes: 256 });
    check(await h.verify({ lengths: [1, 2, 4, 5, 6, 63, 64, 65, 1001], reps: 2, tagBase: 7, fill: "int", seed: 2, returnUpTo: 1e6 }, 30_000), "int", 2);
    check(await h.verify({ lengths: [777], reps: 4, tagBase: 50, fill: "float", seed: 4, returnUpTo: 1e6 }, 30_000), "float", 4);
  });
}, 60_000);

describe("failures", () => {
  it("removes its ipc socket files on close", async () => {
    const h = await RingHarness.start({ worldSize: 2, transport: "ipc", timeoutMs: 2000 });
    const dir = h.ipcDirectory;
    expect(dir && existsSync(dir)).toBe(true);
    await h.close();
    expect(existsSync(dir as string)).toBe(false);
  });

  it("times out naming the neighbour that never calls allreduce, the phase and the tag", async () => {
    const h = await start({ worldSize: 3, transport: "tcp", timeoutMs: 800 });
    const t0 = Date.now();
    // Rank 1 never calls allreduce. 20000 elements take the ring path.
    const settled = await h.verifySettled({ lengths: [20_000], reps: 1, tagBase: 41, fill: "int", seed: 1, returnUpTo: 0 }, 10_000, [0, 2]);
    expect(Date.now() - t0).toBeLessThan(800 + 3000);
    const rank2 = settled[1];
    expect(rank2?.status).toBe("rejected");
    const err = (rank2 as PromiseRejectedResult).reason as Error;
    expect(isRingtrainError(err, "TIMEOUT")).toBe(true);
    const stalled = h.members[1];
    expect(err.message).toContain(`worker 1 (host ${stalled?.host}, pid ${stalled?.pid})`);
    expect(err.message).toContain("reduce-scatter");
    expect(err.message).toContain("tag 41");
    expect(err.message).toContain("within 800 ms");
    expect(settled[0]?.status).toBe("rejected");
  });

  it("a killed rank makes the others fail, not hang, within the timeout", async () => {
    const timeoutMs = 1000;
    const h = await start({ worldSize: 3, transport: "tcp", timeoutMs });
    const run = h.verifySettled({ lengths: [20_000], reps: 1_000_000, tagBase: 0, fill: "int", seed: 1, returnUpTo: -1 }, 15_000);
    await new Promise((r) => setTimeout(r, 300));
    const killedAt = Date.now();
    h.kill(1);
    const settled = await run;
    expect(Date.now() - killedAt).toBeLessThan(timeoutMs + 3000);
    expect(settled.map((s) => s.status)).toEqual(["rejected", "rejected", "rejected"]);
    const reasons = settled.map((s) => (s as PromiseRejectedResult).reason as Error);
    expect(isRingtrainError(reasons[1], "WORKER_FAILED")).toBe(true); // the harness saw it exit
    for (const r of [reasons[0], reasons[2]]) expect(isRingtrainError(r, "TIMEOUT")).toBe(true);
    expect(reasons[2]?.message).toContain(`pid ${h.members[1]?.pid}`);
  });
});
