import { Option, type Command } from "commander";
import { BACKEND_NAMES } from "../compute/backend-names.js";
import { loadConfig } from "../config/load.js";
import type { WorkerFlags } from "../distributed/launch/launch-spec.js";
import { runLocalWorkers } from "../distributed/launch/node-launcher.js";
import { resolveWorkerStart } from "../distributed/launch/worker-launch.js";
import { configHash } from "../distributed/protocol/compatibility.js";
import { DEFAULT_TIMEOUTS, STANDALONE_WORKER_RENDEZVOUS_MS } from "../distributed/timeouts.js";
import { runWorker, type WorkerExit } from "../worker/main.js";
import { nonNegativeInt, positiveInt } from "./parsers.js";

/** `ringtrain worker`: one worker process (forked by `train`), or K of them on this node joining a coordinator (multi-node). */
export function registerWorkerCommand(program: Command): void {
  declareWorkerOptions(program.command("worker")).action(async (_flags: unknown, command: Command) => {
    if (process.send !== undefined) {
      // a locally forked worker exits when its coordinator dies instead of lingering
      // (its parent is gone: nothing is left to report to or clean up for),
      // and leaves Ctrl-C (sent to the whole process group) to the coordinator
      process.on("disconnect", () => process.exit(1));
      process.on("SIGINT", () => undefined);
    }
    // the global --verbose too: a parent passes it in the worker's launch spec
    const exit = await startWorker(command.optsWithGlobals<WorkerFlags>());
    process.exitCode = exit.code;
    // leave quietly: our own disconnect must not trigger the orphan exit above
    process.removeAllListeners("disconnect");
    if (process.connected) process.disconnect();
    // the coordinator ended the run mid-step, or went silent: a step waiting on
    // peers that are leaving, or a wait for the coordinator, must not keep this process
    if (exit.leaveNow) process.exit(exit.code);
  });
}

/** The options of `ringtrain worker` (exported so that tests parse launch specs back with them). */
export function declareWorkerOptions(command: Command): Command {
  return command
    .description(
      "run worker processes that join a coordinator (started by `ringtrain train` locally; by hand, srun, mpirun or Kubernetes for multi-node runs). " +
        "Rank, world size and coordinator may come from RANK/WORLD_SIZE/LOCAL_RANK/MASTER_ADDR/MASTER_PORT, SLURM_PROCID/SLURM_NTASKS/SLURM_LOCALID/SLURM_NODELIST " +
        "or OMPI_COMM_WORLD_RANK/_SIZE/_LOCAL_RANK; without a rank the coordinator assigns one. The shared secret comes from RINGTRAIN_SECRET or --secret-file.",
    )
    .option("--coordinator <host:port>", "the coordinator's control address, e.g. 10.0.0.1:29500 (default: MASTER_ADDR:MASTER_PORT, or the first Slurm node)")
    .option("--rank <n>", "this worker's fixed rank (default: from the launcher's environment, else assigned)", nonNegativeInt("--rank"))
    .option("--world-size <n>", "number of workers the launcher started (checked against the coordinator's)", positiveInt("--world-size"))
    .option("--local-rank <n>", "rank among this host's workers (GPU choice)", nonNegativeInt("--local-rank"))
    .option("--local-workers <k>", "start k worker processes on this node (one per GPU or core)", positiveInt("--local-workers"), 1)
    .option("--bind <endpoint>", "data-plane socket to bind (default: tcp://<advertised address>:*)")
    .option("--advertise <host>", "address ring neighbours reach this node at (default: the local interface that routes to the coordinator)")
    .addOption(new Option("--backend <name>", "compute backend").choices(BACKEND_NAMES).default("auto"))
    .option("--config <file>", "the config this worker expects; the coordinator refuses it if its own differs")
    .option("--secret-file <path>", "file holding the shared secret (else RINGTRAIN_SECRET); required unless the coordinator is on loopback")
    .option("--encrypt", "encrypt all traffic with CurveZMQ (the coordinator must use --encrypt too)", false)
    .option("--allow-gpu-sharing", "allow more local workers than GPUs", false)
    .option("--rendezvous-timeout <ms>", "bound on waiting for the plan and the initial weights", positiveInt("--rendezvous-timeout"), STANDALONE_WORKER_RENDEZVOUS_MS)
    .option("--allreduce-timeout <ms>", "bound on each allreduce phase", positiveInt("--allreduce-timeout"), DEFAULT_TIMEOUTS.allreduceMs);
}

/** K workers on this node, or one in this process. */
async function startWorker(flags: WorkerFlags): Promise<WorkerExit> {
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const start = await resolveWorkerStart(flags, process.env, log);
  if (start.kind === "node") {
    return { code: await runLocalWorkers({ command: [process.execPath, process.argv[1] as string], children: start.children, graceMs: start.graceMs, log }), leaveNow: false };
  }
  // before any backend loads
  if (start.gpu !== undefined) process.env.CUDA_VISIBLE_DEVICES = start.gpu;
  const config = flags.config === undefined ? undefined : await loadConfig(flags.config);
  return runWorker({
    ...start.worker,
    backend: flags.backend,
    rendezvousMs: flags.rendezvousTimeout,
    allreduceMs: flags.allreduceTimeout,
    configHash: config === undefined ? null : configHash(config),
    verbose: flags.verbose,
    log,
  });
}
