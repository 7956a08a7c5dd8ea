import { describe, expect, it } from "vitest";
import { endpointHost, isIpv6Endpoint, isLoopbackEndpoint, toControlEndpoint, unbracketed } from "../../../src/distributed/endpoint.js";
import { firstSlurmHost } from "../../../src/distributed/launch/slurm-nodelist.js";
import { localAddressToward } from "../../../src/distributed/launch/advertise.js";

describe("endpoints", () => {
  it("turns addresses into ZeroMQ endpoints", () => {
    expect(toControlEndpoint("10.0.0.1:29500", "x")).toBe("tcp://10.0.0.1:29500");
    expect(toControlEndpoint("node7", "x")).toBe("tcp://node7:29500");
    expect(toControlEndpoint("tcp://h:1", "x")).toBe("tcp://h:1");
    expect(toControlEndpoint("ipc:///tmp/s", "x")).toBe("ipc:///tmp/s");
    expect(() => toControlEndpoint("h:70000", "--listen")).toThrow(/--listen "h:70000": port 70000 is outside/);
  });

  it("brackets IPv6 literals in endpoints, whether given bare or bracketed, and knows IPv6 endpoints", () => {
    expect(endpointHost("fd00::2")).toBe("[fd00::2]");
    expect(endpointHost("[::1]")).toBe("[::1]");
    expect(endpointHost("10.0.0.1")).toBe("10.0.0.1");
    expect(endpointHost("node7")).toBe("node7");
    expect(unbracketed("[fd00::2]")).toBe("fd00::2");
    expect(toControlEndpoint("[::1]:29501", "x")).toBe("tcp://[::1]:29501");
    expect(isIpv6Endpoint("tcp://[::1]:29501")).toBe(true);
    expect(isIpv6Endpoint("tcp://127.0.0.1:*")).toBe(false);
    expect(isIpv6Endpoint("ipc:///tmp/s")).toBe(false);
  });

  it("knows what stays on this machine", () => {
    for (const e of ["tcp://127.0.0.1:1", "tcp://localhost:1", "tcp://[::1]:1", "ipc:///tmp/x", "inproc://a"]) expect(isLoopbackEndpoint(e)).toBe(true);
    for (const e of ["tcp://0.0.0.0:1", "tcp://10.0.0.1:1", "tcp://*:1", "tcp://node1:1"]) expect(isLoopbackEndpoint(e)).toBe(false);
  });

  it("expands the first host of a Slurm node list", () => {
    expect(firstSlurmHost("node1")).toBe("node1");
    expect(firstSlurmHost("node[003-010]")).toBe("node003");
    expect(firstSlurmHost("a[2,4-5]-ib,b1")).toBe("a2-ib");
    expect(() => firstSlurmHost("")).toThrow(/SLURM_NODELIST "" is not a Slurm node list/);
  });

  it("finds the local address that routes to a host", async () => {
    expect(await localAddressToward("127.0.0.1", 9)).toBe("127.0.0.1");
  });
});
