import { execFileSync } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readWeights, relativeDifference, runCli, summaryOf } from "../helpers/cli.js";
import { hostsUnavailable, kill, onHost, port, ringtrain, TEST_HOSTS, waitFor, within, type Proc } from "./harness.js";

const SECRET = "multinode-test-secret-0123456789";
const unavailable = hostsUnavailable();
const COORDINATOR = "10.77.0.254";

/**
 * Three test hosts (network namespaces rt-h1..3, 10.77.0.1-3), two workers on
 * each, the coordinator in the root namespace at 10.77.0.254: a real
 * multi-node run over real TCP between separate network stacks.
 */
describe.skipIf(unavailable !== undefined)(`multi-node on three test hosts${unavailable === undefined ? "" : ` (skipped: ${unavailable})`}`, () => {
  let dir = "";
  const procs: Proc[] = [];
  beforeAll(async () => {
    execFileSync("bash", [TEST_HOSTS, "down"], { stdio: "ignore" });
    // veths of a namespace deleted moments ago may outlive it briefly
    for (const i of [1, 2, 3]) execFileSync("bash", ["-c", `ip link del rtv${i} 2>/dev/null || true`]);
    execFileSync("bash", [TEST_HOSTS, "up", "3"], { stdio: "ignore" });
    dir = await mkdtemp(join(tmpdir(), "rt-hosts-"));
  });
  afterAll(() => {
    for (const p of procs) kill(p);
    execFileSync("bash", [TEST_HOSTS, "down"], { stdio: "ignore" });
  });

  it("6 workers on 3 hosts train like 6 local workers; a peer without the secret and one with another config are refused", async () => {
    const config = join(dir, "config.json");
    await writeFile(config, JSON.stringify({ checksumEvery: 1, batchSize: 64, epochs: 1, trainLimit: 960, testLimit: 200, seed: 7 }));
    const other = join(dir, "other.json");
    await writeFile(other, JSON.stringify({ checksumEvery: 1, batchSize: 64, epochs: 1, trainLimit: 960, testLimit: 200, seed: 8 }));
    const local = await runCli(["train", config, "--workers", "6", "--runs-dir", dir]);
    expect(local.code).toBe(0);

    const p = port();
    const coordinator = ringtrain(["coordinator", config, "--listen", `${COORDINATOR}:${p}`, "--world-size", "6", "--runs-dir", dir], { RINGTRAIN_SECRET: SECRET });
    procs.push(coordinator);
    await waitFor(() => coordinator.out().includes("waiting for 6 workers"), 20_000, "the coordinator to listen");
    const at = `${COORDINATOR}:${p}`;
    // refused at the handshake (ZAP): a different secret
    const intruder = onHost(1, ["worker", "--coordinator", at, "--rendezvous-timeout", "4000"], { RINGTRAIN_SECRET: "somebody-else-s-secret-98765" });
    // refused at hello: right secret, different config
    const misfit = onHost(2, ["worker", "--coordinator", at, "--config", other, "--rendezvous-timeout", "20000"], { RINGTRAIN_SECRET: SECRET });
    procs.push(intruder, misfit);
    await waitFor(() => coordinator.out().includes("refused worker on host"), 30_000, "the misconfigured worker to be refused");
    const workers = [1, 2, 3].map((i) => onHost(i, ["worker", "--coordinator", at, "--local-workers", "2"], { RINGTRAIN_SECRET: SECRET }));
    procs.push(...workers);

    const result = await within(coordinator, 120_000);
    expect(result?.code, result?.stderr).toBe(0);
    const out = result!.stdout;
    expect(out).toMatch(/refused a connection from 10\.77\.0\.1: wrong credentials/);
    expect(out).toMatch(/refused worker on host [^ ]*\/10\.77\.0\.2 \(pid \d+, data address tcp:\/\/10\.77\.0\.2:\d+\): its config \(hash \w+\) differs/);
    for (const w of workers) expect((await within(w, 20_000))?.code).toBe(0);
    expect((await within(misfit, 20_000))?.code).toBe(1);
    expect((await within(intruder, 20_000))?.code).toBe(1);

    const { summary, runDir } = summaryOf(out);
    expect(summary).toMatchObject({ workers: 6, optimizerSteps: 15, status: "completed" });
    // workers of one host are ring neighbours
    const hosts = (summary.backends as { host: string }[]).map((b) => b.host.split("/")[1]);
    expect(new Set(hosts).size).toBe(3);
    for (let r = 0; r < 6; r += 2) expect(hosts[r]).toBe(hosts[r + 1]);
    const diff = relativeDifference(await readWeights(summaryOf(local.stdout).runDir), await readWeights(runDir));
    expect(diff).toBeLessThanOrEqual(1e-5);
  });

  it("a host whose link goes down is named within the heartbeat bound, and nothing hangs", async () => {
    const config = join(dir, "long.json");
    await writeFile(config, JSON.stringify({ batchSize: 64, epochs: 40, trainLimit: 1920, testLimit: 100, timeouts: { heartbeatMs: 3000, allreduceMs: 6000, rendezvousMs: 30000 } }));
    const p = port() + 1;
    const at = `${COORDINATOR}:${p}`;
    const coordinator = ringtrain(["coordinator", config, "--listen", at, "--world-size", "6", "--runs-dir", dir], { RINGTRAIN_SECRET: SECRET });
    procs.push(coordinator);
    await waitFor(() => coordinator.out().includes("waiting for 6 workers"), 20_000, "the coordinator to listen");
    const workers = [1, 2, 3].map((i) => onHost(i, ["worker", "--coordinator", at, "--local-workers", "2", "--allreduce-timeout", "6000"], { RINGTRAIN_SECRET: SECRET }));
    procs.push(...workers);
    await waitFor(() => coordinator.out().includes('"msg":"epoch 1/'), 90_000, "the first epoch");
    execFileSync("ip", ["link", "set", "rtv2", "down"]);
    try {
      const result = await within(coordinator, 20_000);
      expect(result).not.toBeNull();
      expect(result!.code).not.toBe(0);
      expect(result!.stderr).toMatch(/worker \d \(host [^ ]*\/10\.77\.0\.2, pid \d+\)/);
      // every worker ends by itself: the cut-off ones on their allreduce or coordinator bound, the others on the coordinator's shutdown
      for (const w of workers) expect(await within(w, 30_000)).not.toBeNull();
    } finally {
      execFileSync("ip", ["link", "set", "rtv2", "up"]);
    }
  });
});
