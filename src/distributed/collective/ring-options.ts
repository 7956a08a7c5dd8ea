/**
 * What one rank of the ring allreduce (ring-allreduce.ts) is built from: its
 * place in the member table, its options, and their defaults, each with the
 * measurements behind it.
 */
import type * as zmq from "zeromq";
import { RingtrainError } from "../../core/errors.js";
import type { SecurityOptions } from "../security/socket-security.js";

export interface RingMember {
  rank: number;
  host: string;
  pid: number;
  dataAddress: string;
}

export interface RingAllreduceOptions {
  rank: number;
  worldSize: number;
  /** where this rank binds its receiving socket, e.g. "tcp://127.0.0.1:*", "ipc:///tmp/ringtrain-<run>/r0.sock", "inproc://x-r0" */
  bindEndpoint: string;
  /** bound on every wait inside one allreduce phase, ms */
  timeoutMs: number;
  /** optional zeromq Context (needed for inproc, where all ranks live in one process) */
  context?: zmq.Context;
  /**
   * Buffers of at most this many bytes use the gather algorithm (N-1 hops of the
   * whole buffer) instead of the ring (2(N-1) hops of 1/N of it). Must be equal
   * on all ranks. Default {@link defaultSmallBufferBytes}.
   */
  smallBufferBytes?: number;
  /** Largest ring payload frame, bytes; equal on all ranks. Default {@link DEFAULT_SUB_CHUNK_BYTES}. */
  subChunkBytes?: number;
  /**
   * Socket security for peers on other hosts: `receiver` options for this
   * rank's PULL (serverSecurity()), `sender` options for its PUSH
   * (clientSecurity()). None for loopback-only runs.
   */
  security?: { receiver: SecurityOptions; sender: SecurityOptions };
  /**
   * A receiver bound earlier with bindRingReceiver (ring-sockets.ts), by a
   * worker that must advertise its address before the coordinator assigns its
   * rank; the instance takes ownership. `bindEndpoint` is then ignored.
   */
  receiver?: { socket: zmq.Pull; address: string };
}

/** Throws USAGE unless the rank, world size and timeout are usable. */
export function checkRingOptions({ rank, worldSize, timeoutMs }: Pick<RingAllreduceOptions, "rank" | "worldSize" | "timeoutMs">): void {
  if (!Number.isInteger(worldSize) || worldSize < 1 || worldSize > 0xffff) {
    throw new RingtrainError("USAGE", `ring allreduce: worldSize ${worldSize} must be an integer from 1 to 65535`);
  }
  if (!Number.isInteger(rank) || rank < 0 || rank >= worldSize) {
    throw new RingtrainError("USAGE", `ring allreduce: rank ${rank} must be an integer in [0, ${worldSize})`);
  }
  if (!(timeoutMs > 0)) throw new RingtrainError("USAGE", `ring allreduce: timeoutMs ${timeoutMs} must be positive`);
}

/** Gather/ring crossover for 3 or more ranks; see docs/benchmarks.md for the measurements behind it. */
export const DEFAULT_SMALL_BUFFER_BYTES = 64 * 1024;
/**
 * Gather/ring crossover for 2 ranks. With N = 2 the gather moves the same bytes
 * as the ring (S per rank each way) in one dependent exchange instead of two.
 * In back-to-back calls the ring is ahead from ~256 KiB (its add overlaps the
 * transfer), but inside training, where each call follows ~4 ms of compute on
 * both cores and wake-ups are slow, the single exchange halved the allreduce
 * of the MLP's 436 KiB gradient (2.8 → 1.4 ms per step); at 1 MiB the ring
 * wins again (1.3–1.5 vs 1.8–2.3 ms back to back).
 */
export const DEFAULT_SMALL_BUFFER_BYTES_2_RANKS = 512 * 1024;

/** The default gather/ring crossover for a world size. */
export function defaultSmallBufferBytes(worldSize: number): number {
  return worldSize === 2 ? DEFAULT_SMALL_BUFFER_BYTES_2_RANKS : DEFAULT_SMALL_BUFFER_BYTES;
}
/**
 * Ring sub-chunk size: large enough to amortise per-message costs (wake-ups,
 * syscalls, one external Buffer and its finaliser per received frame), small
 * enough to pipeline. 1 MiB beat 256 KiB, 512 KiB and 2 MiB for 16 MiB buffers
 * on 2 and 3 ranks; see docs/benchmarks.md.
 */
export const DEFAULT_SUB_CHUNK_BYTES = 1024 * 1024;
