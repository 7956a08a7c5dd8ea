import { Packr } from "msgpackr";
import { formatIssues } from "../../core/zod-issues.js";
import { RingtrainError } from "../../core/errors.js";
import {
  coordinatorMessageSchema,
  workerMessageSchema,
  type CoordinatorMessage,
  type WorkerMessage,
} from "./messages.js";

// Plain maps (no msgpackr records) so that any msgpack peer can read them.
const packr = new Packr({ useRecords: false });

/** Encodes a control message. Tensors must already be raw bytes (see {@link floatsToBytes}). */
export function encodeMessage(message: WorkerMessage | CoordinatorMessage): Buffer {
  return packr.pack(message);
}

function decode(frame: Uint8Array, from: string): unknown {
  try {
    return packr.unpack(frame);
  } catch (e) {
    throw new RingtrainError("PROTOCOL", `undecodable message from ${from}: ${(e as Error).message}`);
  }
}

/** Decodes and validates a message a worker sent; `from` names the sender in errors. */
export function parseWorkerMessage(frame: Uint8Array, from: string): WorkerMessage {
  const result = workerMessageSchema.safeParse(decode(frame, from));
  if (!result.success) throw new RingtrainError("PROTOCOL", `invalid message from ${from}: ${formatIssues(result.error)}`);
  return result.data;
}

/** Decodes and validates a message the coordinator sent. */
export function parseCoordinatorMessage(frame: Uint8Array, from: string): CoordinatorMessage {
  const result = coordinatorMessageSchema.safeParse(decode(frame, from));
  if (!result.success) throw new RingtrainError("PROTOCOL", `invalid message from ${from}: ${formatIssues(result.error)}`);
  return result.data;
}

/** A byte view of a Float32Array (no copy), for sending. */
export function floatsToBytes(f: Float32Array): Uint8Array {
  return new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
}

/** Copies received bytes into a new, aligned Float32Array. */
export function bytesToFloats(b: Uint8Array, what: string): Float32Array {
  if (b.byteLength % 4 !== 0) throw new RingtrainError("PROTOCOL", `${what}: ${b.byteLength} bytes is not a whole number of float32 values`);
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}
