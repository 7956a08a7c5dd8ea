import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { assignGpus, visibleDevices } from "../../compute/gpu-assignment.js";
import { childEnvironment } from "./launch-env.js";

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
  backend: string;
  rendezvousMs: number;
  allreduceMs: number;
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
  // throws USAGE before anything starts when there are more workers than GPUs
  const gpus = assignGpus({
    localWorkers: options.worldSize,
    devices: visibleDevices(options.gpuCount ?? 0, process.env.CUDA_VISIBLE_DEVICES),
    allowSharing: options.allowGpuSharing ?? false,
  });
  for (let rank = 0; rank < options.worldSize; rank++) {
    const args = [
      "worker",
      "--coordinator", options.coordinatorAddress,
      "--rank", String(rank),
      "--world-size", String(options.worldSize),
      "--bind", options.dataBind(rank),
      "--backend", options.backend,
      "--rendezvous-timeout", String(options.rendezvousMs),
      "--allreduce-timeout", String(options.allreduceMs),
    ];
    const child = fork(entry, args, {
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      // ranks go by flag: launcher variables (SLURM_PROCID, RANK, ...) inherited
      // from an enclosing job must not reach the children, nor a secret local runs do not use
      env: childEnvironment(
        process.env,
        {
          RINGTRAIN_LOCAL_RANK: String(rank),
          RINGTRAIN_VERBOSE: options.verbose ? "1" : "0",
          ...(gpus[rank] === undefined ? {} : { CUDA_VISIBLE_DEVICES: gpus[rank] }),
        },
        true,
      ),
    });
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
