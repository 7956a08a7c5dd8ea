/**
 * The data-plane frame header: one small frame in front of every payload frame.
 *
 * A data-plane message is two ZeroMQ frames, `[header, payload]`: the header
 * below (24 bytes, little-endian) and the raw bytes of a Float32Array slice —
 * never msgpack, which corrupts typed arrays and copies them. The header lets
 * the receiver check that what arrived is exactly what the protocol expects at
 * this point, so a desynchronised peer fails loudly instead of being summed in.
 *
 * | offset | type | field                                                      |
 * |--------|------|------------------------------------------------------------|
 * | 0      | f64  | tag (the caller's step number)                             |
 * | 8      | u32  | total length of the buffer being reduced, in elements     |
 * | 12     | u32  | sub-chunk index within the step                             |
 * | 16     | u16  | ring step (0-based, counted across both phases)            |
 * | 18     | u8   | phase, see {@link Phase}                                   |
 * | 19     | u8   | format version, {@link FRAME_VERSION}                       |
 * | 20     | u32  | sender rank                                                |
 */

export const FRAME_VERSION = 1;
export const HEADER_BYTES = 24;

/** The allreduce phases, as they appear on the wire. */
export const Phase = {
  /** Ring reduce-scatter: each rank adds what it receives into one chunk. */
  ReduceScatter: 1,
  /** Ring allgather: fully reduced chunks travel around the ring. */
  Allgather: 2,
  /** Small buffers: whole buffers travel around the ring, summed in rank order. */
  Gather: 3,
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

/** Human names for messages ("reduce-scatter", "allgather", "small-buffer allgather"). */
export function phaseName(p: number): string {
  switch (p) {
    case Phase.ReduceScatter:
      return "reduce-scatter";
    case Phase.Allgather:
      return "allgather";
    case Phase.Gather:
      return "small-buffer allgather";
    default:
      return `unknown phase ${p}`;
  }
}

export interface FrameHeader {
  tag: number;
  totalLength: number;
  subChunk: number;
  step: number;
  phase: number;
  version: number;
  sender: number;
}

/** A fresh header buffer (ZeroMQ copies frames this small, so it is never aliased). */
export function encodeHeader(h: Omit<FrameHeader, "version">): Buffer {
  const b = Buffer.allocUnsafe(HEADER_BYTES);
  b.writeDoubleLE(h.tag, 0);
  b.writeUInt32LE(h.totalLength, 8);
  b.writeUInt32LE(h.subChunk, 12);
  b.writeUInt16LE(h.step, 16);
  b.writeUInt8(h.phase, 18);
  b.writeUInt8(FRAME_VERSION, 19);
  b.writeUInt32LE(h.sender, 20);
  return b;
}

/** Reads a header; `undefined` when the frame is not header-sized. */
export function decodeHeader(b: Buffer): FrameHeader | undefined {
  if (b.length !== HEADER_BYTES) return undefined;
  return {
    tag: b.readDoubleLE(0),
    totalLength: b.readUInt32LE(8),
    subChunk: b.readUInt32LE(12),
    step: b.readUInt16LE(16),
    phase: b.readUInt8(18),
    version: b.readUInt8(19),
    sender: b.readUInt32LE(20),
  };
}

/** `reduce-scatter step 1 sub-chunk 3 of tag 41 (4096 elements)`, for protocol errors. */
export function describeFrame(h: Omit<FrameHeader, "version" | "sender">): string {
  return `${phaseName(h.phase)} step ${h.step} sub-chunk ${h.subChunk} of tag ${h.tag} (buffer of ${h.totalLength} elements)`;
}
