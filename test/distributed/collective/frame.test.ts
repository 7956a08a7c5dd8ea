import { describe, expect, it } from "vitest";
import { decodeHeader, describeFrame, encodeHeader, FRAME_VERSION, HEADER_BYTES, Phase, phaseName } from "../../../src/distributed/collective/frame.js";

describe("frame header", () => {
  it("round-trips every field", () => {
    const h = { tag: 2 ** 40 + 3, totalLength: 4_000_000_000, subChunk: 77, step: 65535, phase: Phase.Allgather, sender: 12 };
    const b = encodeHeader(h);
    expect(b.length).toBe(HEADER_BYTES);
    expect(decodeHeader(b)).toEqual({ ...h, version: FRAME_VERSION });
  });

  it("rejects frames that are not header-sized", () => {
    expect(decodeHeader(Buffer.alloc(23))).toBeUndefined();
    expect(decodeHeader(Buffer.alloc(4096))).toBeUndefined();
  });

  it("names phases and frames for error messages", () => {
    expect(phaseName(Phase.ReduceScatter)).toBe("reduce-scatter");
    expect(phaseName(Phase.Allgather)).toBe("allgather");
    expect(phaseName(9)).toContain("unknown");
    expect(describeFrame({ tag: 41, totalLength: 10, subChunk: 2, step: 1, phase: Phase.ReduceScatter })).toBe(
      "reduce-scatter step 1 sub-chunk 2 of tag 41 (buffer of 10 elements)",
    );
  });
});
