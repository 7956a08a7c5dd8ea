/**
 * One rank of the allreduce test/benchmark harness, run as a forked child
 * (`node dist/bench/ring-rank.js '<RankConfig JSON>'`).
 *
 * 1. Binds its ring socket and reports `bound` with its address to the parent.
 * 2. Waits for the member table, connects, reports `connected`.
 * 3. Serves `verify` and `bench` requests, one at a time, answering each with
 *    results or `failed` (the RingtrainError code and message).
 * 4. Exits on `exit`, or when the parent goes away (IPC `disconnect`), so no
 *    rank outlives a crashed test.
 */
import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { performance } from "node:perf_hooks";
import { RingAllreduce } from "../distributed/collective/ring-allreduce.js";
import { assertNever, errorMessage, isRingtrainError } from "../core/errors.js";
import { parseBenchArgs } from "./bench-args.js";
import { fillBuffer, type FromRank, type RankConfig, type ToRank, type VerifyRequest, type VerifyResult } from "./ring-protocol.js";

function reply(msg: FromRank): void {
  process.send?.(msg);
}

async function verify(ring: RingAllreduce, cfg: RankConfig, req: VerifyRequest): Promise<VerifyResult[]> {
  const results: VerifyResult[] = [];
  let tag = req.tagBase;
  for (const length of req.lengths) {
    for (let rep = 0; rep < req.reps; rep++, tag++) {
      const buf = fillBuffer(req.fill, req.seed, cfg.rank, rep, length);
      await ring.allreduce(buf, tag);
      if (req.returnUpTo < 0) continue; // a soak run: only success matters
      const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
      results.push({
        length,
        rep,
        tag,
        digest: createHash("sha256").update(bytes).digest("hex"),
        ...(length <= req.returnUpTo ? { bytes: bytes.toString("base64") } : {}),
      });
    }
  }
  return results;
}

async function bench(ring: RingAllreduce, bytes: number, warmup: number, reps: number, tagBase: number): Promise<number[]> {
  // Zeros: the sum stays finite however many repetitions run, at the same cost.
  const buf = new Float32Array(Math.floor(bytes / 4));
  let tag = tagBase;
  for (let i = 0; i < warmup; i++) await ring.allreduce(buf, tag++);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await ring.allreduce(buf, tag++);
    times.push(performance.now() - t0);
  }
  return times;
}

async function main(): Promise<void> {
  const { positionals } = parseBenchArgs({
    usage: "node dist/bench/ring-rank.js '<RankConfig JSON>'",
    summary: "One rank of the allreduce harness (internal: ring-harness.ts forks it and drives it over the IPC channel; see ring-protocol.ts).",
    options: {},
    allowPositionals: true,
  });
  const cfg = JSON.parse(positionals[0] ?? "{}") as RankConfig;
  const ring = await RingAllreduce.bind(cfg);
  // Parent gone: close first so ZeroMQ unlinks our ipc socket file, then exit.
  process.on("disconnect", () => {
    ring.close();
    process.exit(3);
  });
  let benchTag = 1_000_000;
  let queue: Promise<void> = Promise.resolve();
  const handle = async (msg: ToRank): Promise<void> => {
    switch (msg.type) {
      case "members":
        await ring.connect(msg.members);
        reply({ type: "connected", rank: cfg.rank });
        return;
      case "verify":
        try {
          reply({ type: "verified", id: msg.id, results: await verify(ring, cfg, msg.request) });
        } catch (e) {
          reply({ type: "failed", id: msg.id, code: isRingtrainError(e) ? e.code : "INTERNAL", message: errorMessage(e) });
        }
        return;
      case "bench":
        try {
          const times = await bench(ring, msg.bytes, msg.warmup, msg.reps, benchTag);
          benchTag += msg.warmup + msg.reps;
          reply({ type: "benched", id: msg.id, times });
        } catch (e) {
          reply({ type: "failed", id: msg.id, code: isRingtrainError(e) ? e.code : "INTERNAL", message: errorMessage(e) });
        }
        return;
      case "exit":
        ring.close();
        process.disconnect();
        return process.exit(0);
      default:
        assertNever(msg, "ring-rank request");
    }
  };
  // Requests run one after another, in arrival order.
  process.on("message", (msg: ToRank) => {
    queue = queue.then(() => handle(msg));
    queue.catch((e: unknown) => {
      console.error(`ring-rank ${cfg.rank}: ${errorMessage(e)}`);
      process.exit(2);
    });
  });
  reply({ type: "bound", rank: cfg.rank, address: ring.address, pid: process.pid, host: hostname() });
}

main().catch((e: unknown) => {
  console.error(`ring-rank: ${errorMessage(e)}`);
  process.exit(1);
});
