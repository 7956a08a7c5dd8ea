/**
 * Pulling one manifest's records from the coordinator over the control plane.
 *
 * Flow control is by request: the worker asks for chunk i, i+1, … with at most
 * `window` requests outstanding, so the coordinator never queues more than
 * window × SHIP_CHUNK_BYTES for one worker (docs/design.md, invariant 4), far below the control
 * sockets' high-water marks, and no message exceeds one chunk.
 */
import { RingtrainError } from "../../core/errors.js";
import type { Dataset } from "../dataset.js";
import { chunkCount, type DatasetManifest, type ShippedSplit } from "./manifest.js";
import { DatasetAssembler } from "./reassembly.js";

/** Chunks in flight per worker: enough to keep a link busy while one is copied in. */
export const SHIP_WINDOW = 4;

/** A received chunk message (already validated as such). */
export interface ReceivedChunk {
  split: ShippedSplit;
  chunk: number;
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** How {@link fetchDataset} talks to the coordinator. */
export interface ChunkChannel {
  /** sends a request for a chunk; resolves when queued (backpressure) */
  request(split: ShippedSplit, chunk: number): Promise<void>;
  /** the next chunk message; rejects (TIMEOUT) after the caller's bound */
  next(): Promise<ReceivedChunk>;
}

/**
 * Requests and reassembles every chunk of `manifest`, then checks its content
 * hash. Chunks must arrive in request order (one ROUTER–DEALER connection is
 * FIFO and the coordinator answers in order).
 *
 * @param source names the sender in errors (`the coordinator at tcp://…`)
 * @param onProgress called before the first chunk and after each one with (chunks received, chunks in all)
 * @throws RingtrainError PROTOCOL for an unexpected chunk, DATA_INVALID for a hash
 *   mismatch (see DatasetAssembler.finish), and whatever `channel` throws.
 */
export async function fetchDataset(
  manifest: DatasetManifest,
  channel: ChunkChannel,
  source: string,
  onProgress: (received: number, total: number) => void = () => undefined,
  window = SHIP_WINDOW,
): Promise<Dataset> {
  const assembler = new DatasetAssembler(manifest, source);
  const total = chunkCount(manifest);
  let requested = 0;
  onProgress(0, total);
  while (requested < Math.min(window, total)) await channel.request(manifest.split, requested++);
  for (let expected = 0; expected < total; expected++) {
    const c = await channel.next();
    if (c.split !== manifest.split || c.chunk !== expected) {
      throw new RingtrainError("PROTOCOL", `expected chunk ${expected} of the ${manifest.split} split (${manifest.name}) from ${source}, got chunk ${c.chunk} of the ${c.split} split`);
    }
    assembler.add(c.chunk, c.pixels, c.labels);
    if (requested < total) await channel.request(manifest.split, requested++);
    onProgress(expected + 1, total);
  }
  return assembler.finish();
}
