import { createHash } from "node:crypto";

/** A short hex digest of a parameter buffer's exact bits: equal digests mean bit-identical weights (docs/design.md, invariant 2). */
export function weightChecksum(flat: Float32Array): string {
  return createHash("sha256").update(new Uint8Array(flat.buffer, flat.byteOffset, flat.byteLength)).digest("hex").slice(0, 16);
}
