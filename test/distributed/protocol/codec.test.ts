import { Packr } from "msgpackr";
import { describe, expect, it } from "vitest";
import { isRingtrainError } from "../../../src/core/errors.js";
import { bytesToFloats, encodeMessage, floatsToBytes, parseCoordinatorMessage, parseWorkerMessage } from "../../../src/distributed/protocol/codec.js";

describe("control-plane codec", () => {
  it("round-trips messages with raw tensor bytes exactly", () => {
    const weights = new Float32Array([1.5, -0, Number.MIN_VALUE, 3.4028234663852886e38, Math.PI]);
    const decoded = parseCoordinatorMessage(encodeMessage({ type: "weights", weights: floatsToBytes(weights) }), "test");
    expect(decoded.type).toBe("weights");
    if (decoded.type !== "weights") return;
    expect(Array.from(bytesToFloats(decoded.weights, "test"))).toEqual(Array.from(weights));
  });

  it("validates on receipt: wrong fields, unknown types and garbage are PROTOCOL errors naming the sender", () => {
    const packr = new Packr({ useRecords: false });
    const cases: unknown[] = [{ type: "hello", host: "h" }, { type: "launchMissiles" }, { type: "progress", epoch: -1, step: 0, stepsPerEpoch: 1, loss: 0 }, 42];
    for (const bad of cases) {
      let caught: unknown;
      try {
        parseWorkerMessage(packr.pack(bad), "peer 0a0b");
      } catch (e) {
        caught = e;
      }
      expect(isRingtrainError(caught, "PROTOCOL")).toBe(true);
      expect((caught as Error).message).toContain("peer 0a0b");
    }
    expect(() => parseWorkerMessage(new Uint8Array([0xc1, 0xff, 0x00]), "peer x")).toThrow(/peer x/);
  });

  it("refuses tensor bytes that are not whole float32 values", () => {
    expect(() => bytesToFloats(new Uint8Array(7), "final weights from worker 0")).toThrow(/final weights from worker 0: 7 bytes/);
  });
});
