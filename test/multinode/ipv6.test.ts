import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, summaryOf } from "../helpers/cli.js";
import { kill, port, ringtrain, waitFor, within, type Proc } from "./harness.js";

/** True when this host has the IPv6 loopback address (containers may have IPv6 switched off). */
function hasIpv6Loopback(): boolean {
  return Object.values(networkInterfaces()).some((addrs) => (addrs ?? []).some((a) => a.family === "IPv6" && a.address === "::1"));
}

const unavailable = !existsSync(CLI) ? "build first: npx tsc -p tsconfig.build.json" : !hasIpv6Loopback() ? "no IPv6 loopback (::1) on this host" : undefined;

/**
 * A multi-node run over IPv6: the coordinator listens on [::1], workers reach
 * it there, bind their data sockets on ::1 and advertise bracketed endpoints
 * (given bare or in brackets). Loopback, so no shared secret is needed.
 */
describe.skipIf(unavailable !== undefined)(`IPv6 endpoints${unavailable === undefined ? "" : ` (skipped: ${unavailable})`}`, () => {
  let root = "";
  const procs: Proc[] = [];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "rt-ipv6-"));
    await writeFile(join(root, "config.json"), JSON.stringify({ trainLimit: 600, testLimit: 100, batchSize: 60, epochs: 1, seed: 3 }));
  });
  afterAll(async () => {
    for (const p of procs) kill(p);
    await rm(root, { recursive: true, force: true });
  });

  it("a coordinator on [::1] trains 3 workers that advertise IPv6 data endpoints", async () => {
    const at = `[::1]:${port()}`;
    const coordinator = ringtrain(["coordinator", join(root, "config.json"), "--listen", at, "--world-size", "3", "--runs-dir", join(root, "runs"), "--verbose"]);
    procs.push(coordinator);
    await waitFor(() => coordinator.out().includes("waiting for 3 workers"), 20_000, "the coordinator to listen");
    expect(coordinator.out()).toMatch(/waiting for 3 workers on tcp:\/\/\[::1\]:\d+/);
    // one worker finds its address itself, one advertises ::1 bare, one in brackets
    const workers = [[], ["--advertise", "::1"], ["--advertise", "[::1]"]].map((extra) => ringtrain(["worker", "--coordinator", at, ...extra]));
    procs.push(...workers);
    const result = await within(coordinator, 60_000);
    expect(result?.code, result?.stderr).toBe(0);
    for (const w of workers) expect((await w.done).code).toBe(0);
    const { summary } = summaryOf(result!.stdout);
    expect(summary).toMatchObject({ status: "completed", workers: 3, trainSamples: 600 });
    expect(summary.testAccuracy).toBeGreaterThan(0.5);
    const dataAddresses = result!.stdout.match(/tcp:\/\/\[::1\]:\d+/g) ?? [];
    expect(new Set(dataAddresses).size, "the coordinator's and three workers' IPv6 endpoints").toBeGreaterThanOrEqual(4);
  });
});
