import { execFileSync } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startCli, type CliResult } from "../helpers/cli.js";

function childrenOf(pid: number): number[] {
  try {
    return execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).trim().split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(predicate: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts a 2-worker run and waits until both workers train; returns their pids. */
async function startTrainingRun(args: string[]): Promise<{ child: ReturnType<typeof startCli>["child"]; done: Promise<CliResult>; workers: number[] }> {
  const { child, done } = startCli(["train", ...args, "--workers", "2"]);
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  // once epoch 1 is reported the workers are training epoch 2 (an epoch takes seconds)
  await waitFor(() => out.includes('"msg":"epoch 1/'), 90_000, "the first epoch");
  const workers = childrenOf(child.pid!);
  expect(workers.length).toBe(2);
  return { child, done, workers };
}

/** The run's result, or null (after killing it) if it did not end within `ms`. */
async function endWithin(run: { child: { kill(signal: NodeJS.Signals): boolean }; done: Promise<CliResult> }, ms: number): Promise<CliResult | null> {
  const result = await Promise.race([run.done, new Promise<null>((r) => setTimeout(() => r(null), ms))]);
  if (result === null) run.child.kill("SIGKILL");
  return result;
}

describe("a worker killed mid-epoch", () => {
  it("ends the run within 15 s naming rank, host and pid, leaving no process behind", async () => {
    const runsDir = await mkdtemp(join(tmpdir(), "rt-kill-"));
    const run = await startTrainingRun(["--epochs", "50", "--runs-dir", runsDir]);
    const victim = run.workers[1]!;
    const killedAt = Date.now();
    process.kill(victim, "SIGKILL");
    const result = await endWithin(run, 20_000);
    expect(result).not.toBeNull();
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    expect(result!.code).not.toBe(0);
    expect(result!.stderr).toMatch(new RegExp(`worker \\d \\(host [^,]+, pid ${victim}\\) was killed by SIGKILL during (training|evaluating) epoch 2`));
    await waitFor(() => run.workers.every((p) => !alive(p)), 5_000, "all workers to exit");
  });

  it("a silent (stopped) worker is named within the heartbeat timeout", async () => {
    const runsDir = await mkdtemp(join(tmpdir(), "rt-silent-"));
    const config = join(runsDir, "config.json");
    await writeFile(config, JSON.stringify({ epochs: 50, timeouts: { heartbeatMs: 3000 } }));
    const run = await startTrainingRun([config, "--runs-dir", runsDir]);
    const victim = run.workers[0]!;
    const stoppedAt = Date.now();
    process.kill(victim, "SIGSTOP");
    const result = await endWithin(run, 20_000);
    expect(result).not.toBeNull();
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(result!.code).not.toBe(0);
    expect(result!.stderr).toMatch(new RegExp(`worker \\d \\(host [^,]+, pid ${victim}\\) went silent: nothing received for 3 s during (training|evaluating) epoch 2`));
    await waitFor(() => run.workers.every((p) => !alive(p)), 5_000, "all workers to exit");
  });

  it("workers exit by themselves when the coordinator is killed", async () => {
    const runsDir = await mkdtemp(join(tmpdir(), "rt-coordkill-"));
    const run = await startTrainingRun(["--epochs", "50", "--runs-dir", runsDir]);
    run.child.kill("SIGKILL");
    await run.done;
    await waitFor(() => run.workers.every((p) => !alive(p)), 5_000, "orphaned workers to exit");
  });
});
