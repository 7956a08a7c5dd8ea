import { isIP } from "node:net";
import { hostname } from "node:os";
import { Option, type Command } from "commander";
import { BACKEND_NAMES, type BackendName } from "../compute/backend-names.js";
import { assignGpus, countNvidiaGpus, visibleDevices } from "../compute/gpu-assignment.js";
import { loadConfig } from "../config/load.js";
import { RingtrainError } from "../core/errors.js";
import { localAddressToward } from "../distributed/launch/advertise.js";
import { endpointHost, tcpHostPort, unbracketed } from "../distributed/endpoint.js";
import { resolveLaunchIdentity } from "../distributed/launch/launch-env.js";
import { runLocalWorkers } from "../distributed/launch/node-launcher.js";
import { configHash } from "../distributed/protocol/compatibility.js";
import { deriveCredentials } from "../distributed/security/credentials.js";
import { loadSecret, requireSecret } from "../distributed/security/secret.js";
import { DEFAULT_TIMEOUTS, STANDALONE_WORKER_RENDEZVOUS_MS } from "../distributed/timeouts.js";
import { runWorker } from "../worker/main.js";
import { nonNegativeInt, positiveInt } from "./parsers.js";

interface WorkerFlags {
  coordinator?: string;
  rank?: number;
  worldSize?: number;
  localRank?: number;
  localWorkers: number;
  bind?: string;
  advertise?: string;
  backend: BackendName;
  config?: string;
  secretFile?: string;
  encrypt: boolean;
  allowGpuSharing: boolean;
  rendezvousTimeout: number;
  allreduceTimeout: number;
}

/** `ringtrain worker`: one worker process (forked by `train`), or K of them on this node joining a coordinator (multi-node). */
export function registerWorkerCommand(program: Command): void {
  program
    .command("worker")
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
    .option("--allreduce-timeout <ms>", "bound on each allreduce phase", positiveInt("--allreduce-timeout"), DEFAULT_TIMEOUTS.allreduceMs)
    .action(async (flags: WorkerFlags) => {
      if (process.send !== undefined) {
        // a locally forked worker exits when its coordinator dies instead of lingering,
        // and leaves Ctrl-C (sent to the whole process group) to the coordinator
        process.on("disconnect", () => process.exit(1));
        process.on("SIGINT", () => undefined);
      }
      process.exitCode = await workerCommand(flags);
      // leave quietly: our own disconnect must not trigger the orphan exit above
      process.removeAllListeners("disconnect");
      if (process.connected) process.disconnect();
    });
}

async function workerCommand(flags: WorkerFlags): Promise<number> {
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const many = flags.localWorkers > 1;
  if (many && flags.rank !== undefined) {
    throw new RingtrainError("USAGE", `--rank ${flags.rank} names one worker, but --local-workers ${flags.localWorkers} starts ${flags.localWorkers}: drop --rank (the coordinator assigns ranks)`);
  }
  const identity = resolveLaunchIdentity(
    { ...(flags.rank === undefined ? {} : { rank: flags.rank }), ...(flags.worldSize === undefined ? {} : { worldSize: flags.worldSize }), ...(flags.localRank === undefined ? {} : { localRank: flags.localRank }), ...(flags.coordinator === undefined ? {} : { coordinator: flags.coordinator }) },
    // with several local workers, a launcher's per-task rank does not name any one of them
    many ? { ...process.env, RANK: undefined, WORLD_SIZE: undefined, OMPI_COMM_WORLD_RANK: undefined, OMPI_COMM_WORLD_SIZE: undefined, SLURM_PROCID: undefined, SLURM_NTASKS: undefined } : process.env,
  );
  const coordinator = identity.coordinator;
  if (coordinator === null) {
    throw new RingtrainError("USAGE", "no coordinator address: pass --coordinator host:port, set MASTER_ADDR (and MASTER_PORT), or run inside a Slurm allocation");
  }
  const gpuCount = await countNvidiaGpus();
  const devices = visibleDevices(gpuCount, process.env.CUDA_VISIBLE_DEVICES);

  if (many) {
    const gpus = assignGpus({ localWorkers: flags.localWorkers, devices, allowSharing: flags.allowGpuSharing });
    const args = ["worker", "--coordinator", coordinator, "--backend", flags.backend, "--rendezvous-timeout", String(flags.rendezvousTimeout), "--allreduce-timeout", String(flags.allreduceTimeout)];
    if (flags.advertise !== undefined) args.push("--advertise", flags.advertise);
    if (flags.config !== undefined) args.push("--config", flags.config);
    if (flags.secretFile !== undefined) args.push("--secret-file", flags.secretFile);
    if (flags.encrypt) args.push("--encrypt");
    if (flags.allowGpuSharing) args.push("--allow-gpu-sharing");
    if (flags.bind !== undefined && !/:\*$|:0$/.test(flags.bind) && flags.bind.startsWith("tcp://")) {
      throw new RingtrainError("USAGE", `--bind ${flags.bind} names one port, but --local-workers ${flags.localWorkers} workers each bind their own: use a wildcard port (tcp://host:*)`);
    }
    if (flags.bind !== undefined) args.push("--bind", flags.bind);
    return runLocalWorkers({ command: [process.execPath, process.argv[1] as string], args, gpus, graceMs: flags.allreduceTimeout + 10_000, log });
  }

  // one worker in this process: pick its GPU before any backend loads
  if (devices.length > 1 && identity.localRank !== null) {
    const gpu = assignGpus({ localWorkers: identity.localRank + 1, devices, allowSharing: flags.allowGpuSharing })[identity.localRank];
    if (gpu !== undefined) process.env.CUDA_VISIBLE_DEVICES = gpu;
  }

  const loaded = await loadSecret(flags.secretFile, process.env);
  requireSecret(loaded, { endpoint: coordinator, encrypt: flags.encrypt }, (why) =>
    `${why === "encrypt" ? "--encrypt" : `the coordinator ${coordinator} is not on loopback, so`} this worker needs the run's shared secret: set RINGTRAIN_SECRET or pass --secret-file <path> (never on the command line)`,
  );
  if (loaded?.warning !== undefined) log(`ringtrain worker: warning: ${loaded.warning}`);
  const credentials = loaded === undefined ? undefined : deriveCredentials(loaded.secret, flags.encrypt);

  // where ring neighbours reach this worker
  let dataBind = flags.bind;
  // stored bare (an IPv6 literal may come with or without brackets); endpoints bracket it again
  const advertiseHost = flags.advertise === undefined ? undefined : unbracketed(flags.advertise);
  let hostLabel = hostname();
  if (dataBind === undefined) {
    const target = tcpHostPort(coordinator);
    if (target === undefined) {
      dataBind = "tcp://127.0.0.1:*"; // an ipc coordinator: this host only
    } else {
      const ip = advertiseHost !== undefined && isIP(advertiseHost) !== 0 ? advertiseHost : await localAddressToward(target.host, target.port);
      // an advertised name may resolve to a NAT or another interface: listen on all then
      dataBind = advertiseHost !== undefined && ip !== advertiseHost ? "tcp://0.0.0.0:*" : `tcp://${endpointHost(ip)}:*`;
      if (!ip.startsWith("127.") && ip !== "::1") hostLabel = `${hostname()}/${advertiseHost ?? ip}`;
    }
  }
  const bind = dataBind;
  requireSecret(loaded, { endpoint: bind, encrypt: false }, () =>
    `the data-plane endpoint ${bind} is not on loopback, so this worker needs the run's shared secret: set RINGTRAIN_SECRET or pass --secret-file <path>`,
  );
  const config = flags.config === undefined ? undefined : await loadConfig(flags.config);
  return runWorker({
    coordinator,
    rank: identity.rank,
    worldSize: identity.worldSize,
    localRank: identity.localRank,
    dataBind,
    ...(advertiseHost === undefined ? {} : { advertiseHost }),
    backend: flags.backend,
    rendezvousMs: flags.rendezvousTimeout,
    allreduceMs: flags.allreduceTimeout,
    ...(credentials === undefined ? {} : { credentials }),
    configHash: config === undefined ? null : configHash(config),
    hostLabel,
    log,
  });
}
