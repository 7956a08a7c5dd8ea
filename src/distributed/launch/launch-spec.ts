/**
 * What a worker process is started with — its `ringtrain worker` arguments
 * and its environment — built in one place for both launchers: the
 * coordinator's local fork (`ringtrain train`, local-launcher.ts) and
 * `ringtrain worker --local-workers K` (node-launcher.ts). Whatever a parent
 * tells its worker, the worker reads from its own options: no setting travels
 * through an environment side channel.
 */
import type { BackendName } from "../../compute/backend-names.js";
import { childEnvironment } from "./launch-env.js";

/** `ringtrain worker`'s options as the CLI parses them (commands/worker.ts declares them; `verbose` is the CLI's global flag). */
export interface WorkerFlags {
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
  verbose: boolean;
}

/** The options of one child worker: the coordinator is resolved by then, and each child is one worker. */
export type ChildWorkerFlags = Omit<WorkerFlags, "localWorkers" | "coordinator"> & { coordinator: string };

export interface LaunchSpec {
  /** the CLI's arguments from the command name on: `worker --coordinator ...` */
  args: string[];
  /** the child's whole environment */
  env: NodeJS.ProcessEnv;
}

/** How the child's environment differs from its parent's. */
export interface ChildPlacement {
  /** the child's CUDA_VISIBLE_DEVICES (its GPU), or undefined: it keeps the parent's (a host without GPUs) */
  gpu: string | undefined;
  /** pass the shared secret's variable on; a local run, which uses no secret, does not */
  inheritSecret: boolean;
}

/**
 * The launch spec of one worker: `flags` rendered as the worker command's
 * arguments (parsing them back gives `flags` again), and `parentEnv` without
 * the launcher rank variables (ranks go by flag), plus its GPU.
 */
export function workerLaunchSpec(flags: ChildWorkerFlags, placement: ChildPlacement, parentEnv: NodeJS.ProcessEnv): LaunchSpec {
  const args = ["worker", "--coordinator", flags.coordinator];
  const value = (flag: string, v: string | number | undefined): void => {
    if (v !== undefined) args.push(flag, String(v));
  };
  const toggle = (flag: string, on: boolean): void => {
    if (on) args.push(flag);
  };
  value("--rank", flags.rank);
  value("--world-size", flags.worldSize);
  value("--local-rank", flags.localRank);
  value("--bind", flags.bind);
  value("--advertise", flags.advertise);
  value("--backend", flags.backend);
  value("--config", flags.config);
  value("--secret-file", flags.secretFile);
  toggle("--encrypt", flags.encrypt);
  toggle("--allow-gpu-sharing", flags.allowGpuSharing);
  value("--rendezvous-timeout", flags.rendezvousTimeout);
  value("--allreduce-timeout", flags.allreduceTimeout);
  toggle("--verbose", flags.verbose);
  const env = childEnvironment(parentEnv, placement.gpu === undefined ? {} : { CUDA_VISIBLE_DEVICES: placement.gpu }, !placement.inheritSecret);
  return { args, env };
}
