import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { CLI, type CliResult } from "../helpers/cli.js";

/** The planning repository's recipes, checked out beside this one (`../shared`, as CI has it). */
const RECIPES = resolve(process.cwd(), "../shared/recipes");
export const TEST_HOSTS = join(RECIPES, "test-hosts.sh");
export const LOCAL_SLURM = join(RECIPES, "local-slurm.sh");

function works(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: "ignore", timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

/** Why the multi-host tests cannot run here, or undefined when they can. */
export function hostsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root (network namespaces): run as root, as CI does";
  if (!existsSync(TEST_HOSTS)) return `${TEST_HOSTS} is missing`;
  if (!works("ip", ["netns", "list"])) return "the `ip` tool (iproute2) with netns support is missing";
  if (!existsSync(CLI)) return `${CLI} is missing: build first (npx tsc -p tsconfig.build.json)`;
  return undefined;
}

/** Why the Slurm test cannot run here, or undefined when it can. */
export function slurmUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root (starts slurmctld/slurmd): run as root, as CI does";
  if (!existsSync(LOCAL_SLURM)) return `${LOCAL_SLURM} is missing`;
  if (!works("which", ["srun"])) return "Slurm is not installed (run local-slurm.sh once, which installs slurm-wlm)";
  if (!existsSync(CLI)) return `${CLI} is missing: build first`;
  return undefined;
}

/** A process of the run: its output so far and its end. */
export interface Proc {
  child: ChildProcess;
  out: () => string;
  done: Promise<CliResult>;
}

/** Starts `cmd args` (e.g. `ip netns exec rt-h2 node dist/cli.js worker ...`), in `cwd` when given. */
export function start(cmd: string, args: string[], env: Record<string, string | undefined> = {}, cwd?: string): Proc {
  const started = performance.now();
  // its own process group, so that cleanup can end a worker together with its local workers
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true, ...(cwd === undefined ? {} : { cwd }) });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr, ms: performance.now() - started })));
  return { child, out: () => stdout + stderr, done };
}

/** `ringtrain ...args` in `cwd` (default: this process's), where relative dataset paths resolve. */
export function ringtrain(args: string[], env: Record<string, string | undefined> = {}, cwd?: string): Proc {
  return start(process.execPath, [CLI, ...args], env, cwd);
}

/** `ringtrain worker ...` on test host `i` (namespace rt-h<i>). */
export function onHost(i: number, args: string[], env: Record<string, string | undefined> = {}): Proc {
  return start("ip", ["netns", "exec", `rt-h${i}`, process.execPath, CLI, ...args], env);
}

/** Resolves with the result, or kills the process and resolves null after `ms`. */
export async function within(p: Proc, ms: number): Promise<CliResult | null> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([p.done, new Promise<null>((r) => (timer = setTimeout(() => r(null), ms)))]);
  clearTimeout(timer);
  if (result === null) kill(p);
  return result;
}

/** SIGKILLs the process and everything it started (its process group). */
export function kill(p: Proc): void {
  if (p.child.pid === undefined) return;
  try {
    process.kill(-p.child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

export async function waitFor(predicate: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A free-enough port per test, so that a lingering socket of an earlier run never collides. */
export function port(): number {
  return 30_000 + Math.floor((process.pid * 7 + Date.now()) % 20_000);
}
