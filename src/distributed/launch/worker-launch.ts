/**
 * What `ringtrain worker` starts, decided from its flags and the launcher's
 * environment before anything runs: K children on this node
 * (`--local-workers K`, each started from its launch spec), or one worker in
 * this process — its identity (rank, world size, local rank, coordinator),
 * its GPU, its credentials, and the data-plane endpoint its ring neighbours
 * reach it at. Errors are USAGE errors thrown before any process starts.
 */
import { isIP } from "node:net";
import { hostname } from "node:os";
import { assignGpus, countNvidiaGpus, visibleDevices } from "../../compute/gpu-assignment.js";
import { RingtrainError } from "../../core/errors.js";
import { endpointHost, tcpHostPort, unbracketed } from "../endpoint.js";
import { deriveCredentials, type RunCredentials } from "../security/credentials.js";
import { loadSecret, requireSecret } from "../security/secret.js";
import { localAddressToward } from "./advertise.js";
import { resolveLaunchIdentity } from "./launch-env.js";
import { workerLaunchSpec, type LaunchSpec, type WorkerFlags } from "./launch-spec.js";

/** After the first of a node's workers fails, the others get their allreduce bound plus this to notice and exit. */
const NODE_GRACE_EXTRA_MS = 10_000;

/** Where one worker in this process joins its run, and how it proves itself (the fields of the worker's options the launch decides). */
export interface WorkerPlacement {
  coordinator: string;
  rank: number | null;
  worldSize: number | null;
  localRank: number | null;
  /** the data-plane socket to bind */
  dataBind: string;
  /** `--advertise`, bare (an IPv6 literal without brackets) */
  advertiseHost?: string;
  credentials?: RunCredentials;
  /** how `host` is reported: the host name, and the advertised or routed address on a real network */
  hostLabel: string;
}

export type WorkerStart =
  /** `--local-workers K`: start these children and wait for them */
  | { kind: "node"; children: LaunchSpec[]; graceMs: number }
  /** one worker in this process; `gpu`, when set, is its CUDA_VISIBLE_DEVICES, to set before any backend loads */
  | { kind: "worker"; worker: WorkerPlacement; gpu: string | undefined };

/**
 * Decides what `ringtrain worker` starts. `env` is normally `process.env`;
 * `log` receives warnings (a secret file others may read).
 *
 * @throws RingtrainError USAGE for contradicting flags or launcher variables,
 *   no coordinator address, more workers than GPUs, or a missing shared secret.
 */
export async function resolveWorkerStart(flags: WorkerFlags, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<WorkerStart> {
  const many = flags.localWorkers > 1;
  if (many && flags.rank !== undefined) {
    throw new RingtrainError("USAGE", `--rank ${flags.rank} names one worker, but --local-workers ${flags.localWorkers} starts ${flags.localWorkers}: drop --rank (the coordinator assigns ranks)`);
  }
  const identity = resolveLaunchIdentity(
    { ...(flags.rank === undefined ? {} : { rank: flags.rank }), ...(flags.worldSize === undefined ? {} : { worldSize: flags.worldSize }), ...(flags.localRank === undefined ? {} : { localRank: flags.localRank }), ...(flags.coordinator === undefined ? {} : { coordinator: flags.coordinator }) },
    // with several local workers, a launcher's per-task rank does not name any one of them
    many ? { ...env, RANK: undefined, WORLD_SIZE: undefined, OMPI_COMM_WORLD_RANK: undefined, OMPI_COMM_WORLD_SIZE: undefined, SLURM_PROCID: undefined, SLURM_NTASKS: undefined } : env,
  );
  const coordinator = identity.coordinator;
  if (coordinator === null) {
    throw new RingtrainError("USAGE", "no coordinator address: pass --coordinator host:port, set MASTER_ADDR (and MASTER_PORT), or run inside a Slurm allocation");
  }
  const devices = visibleDevices(await countNvidiaGpus(), env.CUDA_VISIBLE_DEVICES);

  if (many) {
    const gpus = assignGpus({ localWorkers: flags.localWorkers, devices, allowSharing: flags.allowGpuSharing });
    if (flags.bind !== undefined && !/:\*$|:0$/.test(flags.bind) && flags.bind.startsWith("tcp://")) {
      throw new RingtrainError("USAGE", `--bind ${flags.bind} names one port, but --local-workers ${flags.localWorkers} workers each bind their own: use a wildcard port (tcp://host:*)`);
    }
    return { kind: "node", children: nodeWorkerSpecs(flags, coordinator, gpus, env), graceMs: flags.allreduceTimeout + NODE_GRACE_EXTRA_MS };
  }

  // one worker in this process: its GPU among those this host shows it
  const gpu = devices.length > 1 && identity.localRank !== null ? assignGpus({ localWorkers: identity.localRank + 1, devices, allowSharing: flags.allowGpuSharing })[identity.localRank] : undefined;

  const loaded = await loadSecret(flags.secretFile, env);
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
  return {
    kind: "worker",
    worker: {
      coordinator,
      rank: identity.rank,
      worldSize: identity.worldSize,
      localRank: identity.localRank,
      dataBind,
      ...(advertiseHost === undefined ? {} : { advertiseHost }),
      ...(credentials === undefined ? {} : { credentials }),
      hostLabel,
    },
    gpu,
  };
}

/**
 * The launch specs of `worker --local-workers K`'s children: each a plain
 * worker with the parent's settings, its local rank and its GPU; the
 * coordinator assigns their ranks. They keep the shared secret's variable.
 */
export function nodeWorkerSpecs(flags: WorkerFlags, coordinator: string, gpus: readonly (string | undefined)[], env: NodeJS.ProcessEnv): LaunchSpec[] {
  const { localWorkers: _many, rank: _rank, worldSize: _worldSize, localRank: _localRank, ...shared } = flags;
  return gpus.map((gpu, localRank) => workerLaunchSpec({ ...shared, coordinator, localRank }, { gpu, inheritSecret: true }, env));
}
