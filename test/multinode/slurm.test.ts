import { execFileSync } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, readWeights, relativeDifference, runCli, summaryOf } from "../helpers/cli.js";
import { kill, LOCAL_SLURM, port, ringtrain, slurmUnavailable, start, waitFor, within, type Proc } from "./harness.js";

const unavailable = slurmUnavailable();

function daemonRunning(name: string): boolean {
  try {
    execFileSync("pgrep", ["-x", name], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * A real one-node Slurm cluster: `srun -n 4 ringtrain worker` gives each task
 * its rank through SLURM_PROCID / SLURM_NTASKS / SLURM_LOCALID, and the run
 * matches 4 local workers.
 */
describe.skipIf(unavailable !== undefined)(`Slurm${unavailable === undefined ? "" : ` (skipped: ${unavailable})`}`, () => {
  const procs: Proc[] = [];
  let startedSlurm = false;
  beforeAll(() => {
    startedSlurm = !daemonRunning("slurmctld");
    execFileSync("bash", [LOCAL_SLURM], { stdio: "ignore", timeout: 120_000 });
  });
  afterAll(() => {
    for (const p of procs) kill(p);
    // leave the machine as we found it: daemons we started must not outlive the suite
    if (startedSlurm) execFileSync("bash", [LOCAL_SLURM, "stop"], { stdio: "ignore", timeout: 30_000 });
  });

  it("srun -n 4 trains and matches the single-host run", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rt-slurm-"));
    const config = join(dir, "config.json");
    await writeFile(config, JSON.stringify({ checksumEvery: 1, batchSize: 64, epochs: 1, trainLimit: 640, testLimit: 100, seed: 3 }));
    const local = await runCli(["train", config, "--workers", "4", "--runs-dir", dir]);
    expect(local.code).toBe(0);

    const at = `127.0.0.1:${port()}`;
    const coordinator = ringtrain(["coordinator", config, "--listen", at, "--world-size", "4", "--runs-dir", dir]);
    procs.push(coordinator);
    await waitFor(() => coordinator.out().includes("waiting for 4 workers"), 20_000, "the coordinator to listen");
    // --overcommit: 4 tasks on this 2-CPU node
    const srun = start("srun", ["--overcommit", "-n", "4", "--kill-on-bad-exit=1", process.execPath, CLI, "worker", "--coordinator", at]);
    procs.push(srun);
    const result = await within(coordinator, 120_000);
    expect(result?.code, result?.stderr).toBe(0);
    expect((await within(srun, 30_000))?.code).toBe(0);
    const { summary, runDir } = summaryOf(result!.stdout);
    expect(summary).toMatchObject({ workers: 4, optimizerSteps: 10, status: "completed" });
    // ranks came from SLURM_PROCID: the coordinator logs each joiner's requested rank
    expect(result!.stdout).toMatch(/"rank":3,/);
    expect(relativeDifference(await readWeights(summaryOf(local.stdout).runDir), await readWeights(runDir))).toBeLessThanOrEqual(1e-5);
  });
});
