import { describe, expect, it } from "vitest";
import { InterruptGuard } from "../../src/core/interrupt-guard.js";

describe("InterruptGuard", () => {
  it("remembers a signal received before the run has a handler, and delivers it once one is set", () => {
    const guard = new InterruptGuard();
    try {
      process.emit("SIGINT", "SIGINT");
      expect(guard.signal).toBe("SIGINT");
      const seen: string[] = [];
      guard.onSignal((s) => seen.push(s));
      expect(seen).toEqual(["SIGINT"]);
      process.emit("SIGTERM", "SIGTERM");
      expect(seen).toEqual(["SIGINT", "SIGTERM"]);
      // the first signal stays the reported one
      expect(guard.signal).toBe("SIGINT");
    } finally {
      guard.dispose();
    }
  });

  it("stops listening once disposed", () => {
    const before = process.listenerCount("SIGINT");
    const guard = new InterruptGuard();
    expect(process.listenerCount("SIGINT")).toBe(before + 1);
    guard.dispose();
    expect(process.listenerCount("SIGINT")).toBe(before);
  });
});
