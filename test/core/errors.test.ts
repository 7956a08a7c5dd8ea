import { describe, expect, it } from "vitest";
import { assertNever, isRingtrainError } from "../../src/core/errors.js";

type Shape = { type: "square"; side: number } | { type: "circle"; radius: number };

/** A switch with a case for every member, as the run controller's over the worker messages. */
function area(shape: Shape): number {
  switch (shape.type) {
    case "square":
      return shape.side ** 2;
    case "circle":
      return Math.PI * shape.radius ** 2;
    default:
      return assertNever(shape, "shape");
  }
}

describe("assertNever", () => {
  it("lets a switch with a case for every member compile, and is not reached by them", () => {
    expect(area({ type: "square", side: 3 })).toBe(9);
  });

  it("throws INTERNAL naming a tagged value that bypassed its type by its tag only (a message may carry megabytes of weights)", () => {
    let caught: unknown;
    try {
      area({ type: "hexagon", weights: new Uint8Array(1 << 20) } as unknown as Shape);
    } catch (e) {
      caught = e;
    }
    expect(isRingtrainError(caught, "INTERNAL")).toBe(true);
    expect((caught as Error).message).toBe('unhandled shape of type "hexagon"');
  });

  it("names any other value as JSON", () => {
    expect(() => assertNever("maxout" as never, "activation")).toThrow('unhandled activation "maxout"');
  });
});
