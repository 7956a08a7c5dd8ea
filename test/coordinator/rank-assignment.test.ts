import { describe, expect, it } from "vitest";
import { assignRanks, hostKeyOf } from "../../src/coordinator/rank-assignment.js";

const j = (hostKey: string, pid: number, requestedRank: number | null = null, localRank: number | null = null) => ({ hostKey, pid, requestedRank, localRank });

describe("assignRanks", () => {
  it("puts workers of one host next to each other, hosts in join order", () => {
    // joined interleaved: a, b, a, c, b, c
    const ranks = assignRanks([j("a", 10), j("b", 20), j("a", 11), j("c", 30), j("b", 21), j("c", 31)]);
    expect(ranks).toEqual([0, 2, 1, 4, 3, 5]);
  });

  it("orders a host's workers by local rank, then pid", () => {
    expect(assignRanks([j("a", 5, null, 1), j("a", 9, null, 0), j("a", 1)])).toEqual([1, 0, 2]);
  });

  it("keeps requested ranks and fills the free ones", () => {
    expect(assignRanks([j("a", 1, 2), j("b", 2), j("a", 3, 0), j("b", 4)])).toEqual([2, 1, 0, 3]);
  });

  it("takes the host from a data address", () => {
    expect(hostKeyOf("tcp://10.0.0.2:4000")).toBe("10.0.0.2");
    expect(hostKeyOf("tcp://[fe80::1]:4000")).toBe("[fe80::1]");
  });
});
