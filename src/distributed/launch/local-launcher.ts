import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { assignGpus, visibleDevices } from "../../compute/gpu-assignment.js";
import type { BackendName } from "../../compute/backend-names.js";
import { workerLaunchSpec, type LaunchSpec } from "./launch-spec.js";

/** A local worker process started by the coordinator. */
export interface LocalWorker {
  rank: number;
  child: ChildProcess;
  pid: number;
  /** last lines the worker wrote to stderr, for crash reports */
  recentOutput: string[];
  exited: boolean;
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
}

export interface LaunchOptions {
  worldSize: number;
  coordinatorAddress: string;
  /** data-plane bind endpoint for a rank */
  dataBind: (rank: number) => string;
  backend: BackendName;
  rendezvousMs: number;
  allreduceMs: number;
  /** workers print stack traces (`--verbose`) */
  verbose: boolean;
  /** NVIDIA GPUs on this host (0: none); each worker then sees only its own */
  gpuCount?: number;
  /** allow more workers than GPUs (they share devices round-robin) */
  allowGpuSharing?: boolean;
  /** each line a worker writes to stdout/stderr */
  onOutput: (rank: number, line: string) => void;
  onExit: (worker: LocalWorker) => void;
}

const RECENT_LINES = 20;

/** The compiled CLI; workers are the same program in `worker` mode. */
export function cliEntryPoint(): string {
  const here = fileURLToPath(import.meta.url);
  // running from src/ under a test runner still forks the compiled program
  return here.endsWith(".ts") ? here.replace(/\/src\/distributed\/launch\/local-launcher\.ts$/, "/dist/cli.js") : fileURLToPath(new URL("../../cli.js", import.meta.url));
}

/**
 * Forks one worker process per rank on this host. Each child keeps an IPC
 * channel to the coordinator only so that it notices (via `disconnect`) when
 * the coordinator dies and exits instead of lingering.
 */
export function launchLocalWorkers(options: LaunchOptions): LocalWorker[] {
  const entry = cliEntryPoint();
  const workers: LocalWorker[] = [];
  for (const [rank, spec] of localWorkerSpecs(options, process.env).entries()) {
    const child = fork(entry, spec.args, { stdio: ["ignore", "pipe", "pipe", "ipc"], env: spec.env });
    const worker: LocalWorker = { rank, child, pid: child.pid ?? -1, recentOutput: [], exited: false, exitCode: null, exitSignal: null };
    for (const stream of [child.stdout, child.stderr]) {
      if (stream === null) continue;
      createInterface({ input: stream }).on("line", (line) => {
        worker.recentOutput.push(line);
        if (worker.recentOutput.length > RECENT_LINES) worker.recentOutput.shift();
        options.onOutput(rank, line);
      });
    }
    child.on("exit", (code, signal) => {
      worker.exited = true;
      worker.exitCode = code;
      worker.exitSignal = signal;
      options.onExit(worker);
    });
    workers.push(worker);
  }
  return workers;
}

/**
 * Each rank's launch spec: ranks go by flag, and launcher variables (SLURM_PROCID,
 * RANK, ...) inherited from an enclosing job do not reach the children, nor a
 * secret local runs do not use.
 *
 * @throws RingtrainError USAGE, before anything starts, when there are more workers than GPUs.
 */
export function localWorkerSpecs(options: LaunchOptions, env: NodeJS.ProcessEnv): LaunchSpec[] {
  const gpus = assignGpus({
    localWorkers: options.worldSize,
    devices: visibleDevices(options.gpuCount ?? 0, env.CUDA_VISIBLE_DEVICES),
    allowSharing: options.allowGpuSharing ?? false,
  });
  return gpus.map((gpu, rank) =>
    workerLaunchSpec(
      {
        coordinator: options.coordinatorAddress,
        rank,
        worldSize: options.worldSize,
        bind: options.dataBind(rank),
        backend: options.backend,
        encrypt: false,
        allowGpuSharing: false,
        rendezvousTimeout: options.rendezvousMs,
        allreduceTimeout: options.allreduceMs,
        verbose: options.verbose,
      },
      { gpu, inheritSecret: false },
      env,
    ),
  );
}

/**
 * Ends every worker still running: SIGTERM, then SIGKILL after `graceMs`.
 * Resolves once all have exited, so no process of the run is left behind.
 */
export async function terminateWorkers(workers: readonly LocalWorker[], graceMs: number): Promise<void> {
  const alive = workers.filter((w) => !w.exited);
  await Promise.all(
    alive.map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.exited) return resolve();
          const kill = setTimeout(() => w.child.kill("SIGKILL"), graceMs);
          w.child.once("exit", () => {
            clearTimeout(kill);
            resolve();
          });
          w.child.kill("SIGTERM");
        }),
    ),
  );
}
