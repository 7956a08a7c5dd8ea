import { describe, expect, it } from "vitest";
import { bindReceiver, checkEndpoint, connectSender, isZmqTimeout, receiveWithin } from "../../../src/distributed/collective/data-sockets.js";
import { isRingtrainError } from "../../../src/core/errors.js";

describe("data-plane sockets", () => {
  it("fills in the wildcard tcp port and moves raw frames", async () => {
    const { socket: pull, address } = await bindReceiver("tcp://127.0.0.1:*", { maxMessageBytes: 1 << 20, highWaterMark: 4, timeoutMs: 5000 });
    expect(address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(address).not.toContain("*");
    const push = connectSender(address, { maxMessageBytes: 0, highWaterMark: 4, timeoutMs: 5000 });
    try {
      const payload = new Float32Array([1.5, -2, 3]);
      await push.send([Buffer.from("h"), Buffer.from(payload.buffer)]);
      const [h, p] = await pull.receive();
      expect(h?.toString()).toBe("h");
      expect(Array.from(new Float32Array(new Uint8Array(p ?? []).buffer))).toEqual([1.5, -2, 3]);
    } finally {
      push.close();
      pull.close();
    }
  });

  it("drops a frame larger than maxMessageBytes instead of delivering it", async () => {
    const { socket: pull, address } = await bindReceiver("tcp://127.0.0.1:*", { maxMessageBytes: 1024, highWaterMark: 4, timeoutMs: 5000 });
    const push = connectSender(address, { maxMessageBytes: 0, highWaterMark: 4, timeoutMs: 5000 });
    pull.receiveTimeout = 300;
    try {
      await push.send(Buffer.alloc(4096));
      await expect(pull.receive()).rejects.toThrow();
    } finally {
      push.close();
      pull.close();
    }
  });

  it("rejects malformed endpoints with USAGE", async () => {
    expect(() => checkEndpoint("localhost:5555", "x")).toThrow(/not a ZeroMQ endpoint/);
    await expect(bindReceiver("udp://1.2.3.4:5", { maxMessageBytes: 64, highWaterMark: 1, timeoutMs: 5000 })).rejects.toSatisfy((e) => isRingtrainError(e, "USAGE"));
  });

  it("fails with WORKER_FAILED when the address is taken", async () => {
    const { socket: a, address } = await bindReceiver("tcp://127.0.0.1:*", { maxMessageBytes: 64, highWaterMark: 1, timeoutMs: 5000 });
    try {
      await expect(bindReceiver(address, { maxMessageBytes: 64, highWaterMark: 1, timeoutMs: 5000 })).rejects.toSatisfy((e) => isRingtrainError(e, "WORKER_FAILED"));
    } finally {
      a.close();
    }
  });

  it("bounds a receive with ZeroMQ's own timeout", async () => {
    const { socket: pull } = await bindReceiver("tcp://127.0.0.1:*", { maxMessageBytes: 1024, highWaterMark: 4, timeoutMs: 150 });
    try {
      const t0 = Date.now();
      const err: unknown = await pull.receive().catch((e: unknown) => e);
      expect(isZmqTimeout(err)).toBe(true);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    } finally {
      pull.close();
    }
  });

  it("receiveWithin reads again after each slice of its wait, and gives undefined once the whole bound passed", async () => {
    const { socket: pull, address } = await bindReceiver("tcp://127.0.0.1:*", { maxMessageBytes: 1024, highWaterMark: 4, timeoutMs: 5000 });
    const push = connectSender(address, { maxMessageBytes: 0, highWaterMark: 4, timeoutMs: 5000 });
    // slices of 50 ms, as a secured receiver has (of 500 ms): the message comes after several of them
    pull.receiveTimeout = 50;
    try {
      const late = new Promise((r) => setTimeout(r, 300)).then(() => push.send([Buffer.from("h"), Buffer.from("late")]));
      const frames = await receiveWithin(pull, 5000);
      await late;
      expect(frames?.map((f) => f.toString())).toEqual(["h", "late"]);
      expect(await receiveWithin(pull, 200)).toBeUndefined();
    } finally {
      push.close();
      pull.close();
    }
  });
});
