/**
 * The parent ↔ rank messages of the allreduce test and benchmark harness (sent
 * over Node's child_process IPC channel as JSON), and the deterministic buffer
 * contents both sides compute.
 */
import type { RingMember } from "../distributed/collective/ring-options.js";
import { createRng } from "../core/random.js";

/** How a rank program is started: the one argv argument, as JSON. */
export interface RankConfig {
  rank: number;
  worldSize: number;
  bindEndpoint: string;
  timeoutMs: number;
  smallBufferBytes?: number;
  subChunkBytes?: number;
}

/** What the buffers hold: small integers (sums exact in any order) or floats in [-1, 1). */
export type FillKind = "int" | "float";

export interface VerifyRequest {
  /** Buffer lengths in elements; for each, `reps` allreduces with tags tagBase, tagBase+1, ... */
  lengths: number[];
  reps: number;
  tagBase: number;
  fill: FillKind;
  seed: number;
  /** Return each result's bytes (base64) when its length is at most this many elements; else only the digest. */
  returnUpTo: number;
}

/** One allreduce's result on one rank. */
export interface VerifyResult {
  length: number;
  rep: number;
  tag: number;
  /** sha256 of the result bytes. */
  digest: string;
  /** The result bytes, base64, when short enough. */
  bytes?: string;
}

export type ToRank =
  | { type: "members"; members: RingMember[] }
  | { type: "verify"; id: number; request: VerifyRequest }
  | { type: "bench"; id: number; bytes: number; warmup: number; reps: number }
  | { type: "exit" };

export type FromRank =
  | { type: "bound"; rank: number; address: string; pid: number; host: string }
  | { type: "connected"; rank: number }
  | { type: "verified"; id: number; results: VerifyResult[] }
  | { type: "benched"; id: number; times: number[] }
  | { type: "failed"; id: number; code: string; message: string };

/**
 * The buffer rank `rank` contributes to repetition `rep` of a verify request.
 * Integers in [-9, 9] keep every partial sum exact, so the allreduce must equal
 * the sequential sum bit for bit; floats exercise rounding (compared within a
 * tolerance, and bit-identical across ranks).
 */
export function fillBuffer(kind: FillKind, seed: number, rank: number, rep: number, length: number): Float32Array {
  const out = new Float32Array(length);
  if (kind === "int") {
    for (let i = 0; i < length; i++) out[i] = ((i * 7 + rank * 13 + rep * 3 + seed) % 19) - 9;
    return out;
  }
  const rng = createRng(seed, rank, rep);
  for (let i = 0; i < length; i++) out[i] = rng.next() * 2 - 1;
  return out;
}
