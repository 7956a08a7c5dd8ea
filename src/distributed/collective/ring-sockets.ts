/**
 * The two data-plane sockets of one ring rank (see data-sockets.ts), with the
 * limits every ring socket has, and the receive that checks each frame is
 * exactly the one the round protocol (ring-allreduce.ts) expects next.
 */
import type * as zmq from "zeromq";
import { describePeer, RingtrainError } from "../../core/errors.js";
import { formatDuration } from "../../core/timeout.js";
import type { SecurityOptions } from "../security/socket-security.js";
import { bindReceiver, connectSender, receiveWithin } from "./data-sockets.js";
import { decodeHeader, describeFrame, phaseName, type Phase } from "./frame.js";
import { DEFAULT_SMALL_BUFFER_BYTES, DEFAULT_SMALL_BUFFER_BYTES_2_RANKS, DEFAULT_SUB_CHUNK_BYTES, type RingAllreduceOptions, type RingMember } from "./ring-options.js";

/**
 * Messages queued per socket direction (each ≤ max(smallBufferBytes,
 * subChunkBytes), so with the defaults at most 32 MiB per direction).
 */
const HIGH_WATER_MARK = 32;

/**
 * Binds a ring receiver (PULL) with the limits every ring receiver has, before
 * the rank is known: the default limits do not depend on rank or world size.
 * Pass the result as {@link RingAllreduceOptions.receiver}.
 */
export async function bindRingReceiver(
  bindEndpoint: string,
  opts: Pick<RingAllreduceOptions, "timeoutMs" | "context" | "smallBufferBytes" | "subChunkBytes" | "security">,
): Promise<{ socket: zmq.Pull; address: string }> {
  const small = opts.smallBufferBytes ?? Math.max(DEFAULT_SMALL_BUFFER_BYTES, DEFAULT_SMALL_BUFFER_BYTES_2_RANKS);
  const sub = opts.subChunkBytes ?? DEFAULT_SUB_CHUNK_BYTES;
  return bindReceiver(bindEndpoint, {
    ...(opts.context ? { context: opts.context } : {}),
    // Payload frames are at most this big; the header frame is 24 bytes.
    maxMessageBytes: Math.max(small, sub, 64) + 64,
    highWaterMark: HIGH_WATER_MARK,
    timeoutMs: opts.timeoutMs,
    ...(opts.security ? { security: opts.security.receiver } : {}),
  });
}

/** Connects this rank's sender (PUSH) to its right neighbour's receiver at `address`. */
export function connectRingSender(address: string, opts: { context: zmq.Context | undefined; timeoutMs: number; security: SecurityOptions | undefined }): zmq.Push {
  return connectSender(address, {
    ...(opts.context ? { context: opts.context } : {}),
    maxMessageBytes: 0,
    highWaterMark: HIGH_WATER_MARK,
    timeoutMs: opts.timeoutMs,
    ...(opts.security ? { security: opts.security } : {}),
  });
}

/** The frame the round protocol expects next from the left neighbour. */
export interface ExpectedFrame {
  tag: number;
  totalLength: number;
  step: number;
  subChunk: number;
  phase: Phase;
  elements: number;
}

/**
 * Receives the next frame on rank `rank`'s receiver `pull` from its `left`
 * neighbour and checks it is exactly `want`. Returns the payload bytes.
 */
export async function receiveExpected(pull: zmq.Pull, timeoutMs: number, rank: number, left: RingMember, want: ExpectedFrame): Promise<Buffer> {
  // bounded by the socket's receiveTimeout: no JavaScript timer per frame
  const frames = await receiveWithin(pull, timeoutMs);
  if (frames === undefined) {
    throw new RingtrainError(
      "TIMEOUT",
      `ring allreduce rank ${rank}: ${describePeer(left)} sent no ${phaseName(want.phase)} chunk ` +
        `for tag ${want.tag} (ring step ${want.step}, sub-chunk ${want.subChunk}) within ${formatDuration(timeoutMs)}`,
    );
  }
  const got = frames.length === 2 && frames[0] ? decodeHeader(frames[0]) : undefined;
  const payload = frames[1];
  if (
    !got ||
    !payload ||
    got.tag !== want.tag ||
    got.phase !== want.phase ||
    got.step !== want.step ||
    got.subChunk !== want.subChunk ||
    got.totalLength !== want.totalLength ||
    got.sender !== left.rank ||
    payload.length !== want.elements * 4
  ) {
    const what = got
      ? `${describeFrame(got)} from rank ${got.sender} with ${payload?.length ?? 0} payload bytes`
      : `a message of ${frames.length} frame(s) without a valid header`;
    throw new RingtrainError(
      "PROTOCOL",
      `ring allreduce rank ${rank}: ${describePeer(left)} sent ${what}; expected ${describeFrame(want)} ` +
        `from rank ${left.rank} with ${want.elements * 4} payload bytes (do all ranks call allreduce with the same tag and length?)`,
    );
  }
  return payload;
}
