/**
 * Where a worker's rank, world size, local rank and coordinator address come
 * from: command-line flags, or the variables the site's launcher sets.
 *
 * | launcher                              | rank                   | world size             | local rank                   | coordinator                 |
 * |---------------------------------------|------------------------|------------------------|------------------------------|-----------------------------|
 * | torchrun, Kubernetes training operators | `RANK`               | `WORLD_SIZE`           | `LOCAL_RANK`                 | `MASTER_ADDR`:`MASTER_PORT` |
 * | Open MPI `mpirun`                     | `OMPI_COMM_WORLD_RANK` | `OMPI_COMM_WORLD_SIZE` | `OMPI_COMM_WORLD_LOCAL_RANK` | (flag or `MASTER_ADDR`)     |
 * | Slurm `srun`                          | `SLURM_PROCID`         | `SLURM_NTASKS`         | `SLURM_LOCALID`              | first host of `SLURM_NODELIST` |
 *
 * Flags win over the environment; among launchers the innermost wins (torchrun
 * run inside an srun task sets `RANK` per process, while `SLURM_PROCID` counts
 * tasks), in the order torchrun, Open MPI, Slurm. A flag that contradicts the
 * chosen launcher's value is an error rather than a silent override, as is a
 * launcher that sets only part of its variables or an out-of-range value.
 */
import { RingtrainError } from "../../core/errors.js";
import { SECRET_ENV } from "../security/secret.js";
import { DEFAULT_COORDINATOR_PORT, toControlEndpoint } from "../endpoint.js";
import { firstSlurmHost } from "./slurm-nodelist.js";

export type LaunchSource = "flags" | "torchrun" | "openmpi" | "slurm" | "none";

/** What a worker knows about its place in the run before it joins. */
export interface LaunchIdentity {
  /** fixed global rank, or null: the coordinator assigns one */
  rank: number | null;
  /** world size the launcher expects, or null: the coordinator's --world-size decides */
  worldSize: number | null;
  /** rank among the workers on this host (GPU choice), or null */
  localRank: number | null;
  /** the coordinator's control endpoint, or null if neither a flag nor the environment names it */
  coordinator: string | null;
  /** which launcher the rank came from, for logs and errors */
  source: LaunchSource;
}

export interface LaunchFlags {
  rank?: number;
  worldSize?: number;
  localRank?: number;
  coordinator?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

interface Family {
  source: Exclude<LaunchSource, "flags" | "none">;
  rank: string;
  size: string;
  local: string;
}

const FAMILIES: readonly Family[] = [
  { source: "torchrun", rank: "RANK", size: "WORLD_SIZE", local: "LOCAL_RANK" },
  { source: "openmpi", rank: "OMPI_COMM_WORLD_RANK", size: "OMPI_COMM_WORLD_SIZE", local: "OMPI_COMM_WORLD_LOCAL_RANK" },
  { source: "slurm", rank: "SLURM_PROCID", size: "SLURM_NTASKS", local: "SLURM_LOCALID" },
];

function intVar(env: Env, name: string, min: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new RingtrainError("USAGE", `environment variable ${name}=${JSON.stringify(raw)} must be an integer ≥ ${min}`);
  }
  return n;
}

/**
 * Resolves the launch identity from `flags` and `env` (normally
 * `process.env`). Pure: no I/O.
 *
 * @throws RingtrainError USAGE for a malformed or inconsistent value, naming
 *   the variable or flag, what it held and what was expected.
 */
export function resolveLaunchIdentity(flags: LaunchFlags, env: Env): LaunchIdentity {
  let rank: number | null = null;
  let worldSize: number | null = null;
  let localRank: number | null = null;
  let source: LaunchSource = "none";
  let family: Family | undefined;

  for (const f of FAMILIES) {
    const r = intVar(env, f.rank, 0);
    const s = intVar(env, f.size, 1);
    if (r === undefined && s === undefined) continue;
    if (r === undefined || s === undefined) {
      const [set, unset] = r === undefined ? [f.size, f.rank] : [f.rank, f.size];
      throw new RingtrainError("USAGE", `${set} is set but ${unset} is not (${f.source} sets both): set ${unset}, or unset ${set}`);
    }
    if (r >= s) throw new RingtrainError("USAGE", `${f.rank}=${r} is not below ${f.size}=${s}: ranks run from 0 to ${s - 1}`);
    family = f;
    rank = r;
    worldSize = s;
    localRank = intVar(env, f.local, 0) ?? null;
    if (localRank !== null && localRank >= s) throw new RingtrainError("USAGE", `${f.local}=${localRank} is not below ${f.size}=${s}`);
    source = f.source;
    break;
  }

  const conflict = (flag: string, value: number, envName: string, envValue: number): RingtrainError =>
    new RingtrainError("USAGE", `${flag} ${value} contradicts ${envName}=${envValue} set by ${source}: drop the flag, or launch without ${source}`);
  if (flags.rank !== undefined) {
    if (family !== undefined && rank !== null && rank !== flags.rank) throw conflict("--rank", flags.rank, family.rank, rank);
    rank = flags.rank;
    source = family === undefined ? "flags" : source;
  }
  if (flags.worldSize !== undefined) {
    if (family !== undefined && worldSize !== null && worldSize !== flags.worldSize) throw conflict("--world-size", flags.worldSize, family.size, worldSize);
    worldSize = flags.worldSize;
  }
  if (flags.localRank !== undefined) {
    if (family !== undefined && localRank !== null && localRank !== flags.localRank) throw conflict("--local-rank", flags.localRank, family.local, localRank);
    localRank = flags.localRank;
  }
  if (rank !== null && worldSize !== null && rank >= worldSize) {
    throw new RingtrainError("USAGE", `rank ${rank} is not below world size ${worldSize}: ranks run from 0 to ${worldSize - 1}`);
  }
  if (source === "none" && (flags.worldSize !== undefined || flags.localRank !== undefined)) source = "flags";

  return { rank, worldSize, localRank, coordinator: resolveCoordinator(flags.coordinator, env), source };
}

/** `--coordinator`, else `MASTER_ADDR`[:`MASTER_PORT`], else the first host of the Slurm allocation. */
function resolveCoordinator(flag: string | undefined, env: Env): string | null {
  if (flag !== undefined) return toControlEndpoint(flag, "--coordinator");
  const port = intVar(env, "MASTER_PORT", 1) ?? intVar(env, "RINGTRAIN_COORDINATOR_PORT", 1) ?? DEFAULT_COORDINATOR_PORT;
  if (port > 65535) throw new RingtrainError("USAGE", `MASTER_PORT=${port} is outside 1-65535`);
  const master = env.MASTER_ADDR?.trim();
  if (master !== undefined && master !== "") return toControlEndpoint(`${master.includes(":") && !master.startsWith("[") ? `[${master}]` : master}:${port}`, "MASTER_ADDR");
  if (env.MASTER_PORT !== undefined && env.MASTER_PORT.trim() !== "" && (env.SLURM_NODELIST ?? env.SLURM_JOB_NODELIST) === undefined) {
    throw new RingtrainError("USAGE", `MASTER_PORT is set but MASTER_ADDR is not: set MASTER_ADDR to the coordinator's host, or pass --coordinator host:port`);
  }
  const nodelist = env.SLURM_NODELIST ?? env.SLURM_JOB_NODELIST;
  if (nodelist !== undefined && nodelist.trim() !== "") return toControlEndpoint(`${firstSlurmHost(nodelist)}:${port}`, "SLURM_NODELIST");
  return null;
}

/**
 * Variables through which launchers hand out ranks (and the secret). A
 * process that starts workers itself (`ringtrain train`, `worker
 * --local-workers`) removes them from its children's environment and passes
 * ranks as flags: otherwise a child of a process started by srun or torchrun
 * would read its parent's rank.
 */
export const LAUNCHER_RANK_VARIABLES = [
  "RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "GROUP_RANK", "NODE_RANK",
  "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_SIZE",
  "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID",
] as const;

/** A copy of `env` without the {@link LAUNCHER_RANK_VARIABLES} (and, with `dropSecret`, without the secret's {@link SECRET_ENV}). */
export function childEnvironment(env: NodeJS.ProcessEnv, extra: Record<string, string>, dropSecret: boolean): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const name of LAUNCHER_RANK_VARIABLES) delete out[name];
  if (dropSecret) delete out[SECRET_ENV];
  return { ...out, ...extra };
}
