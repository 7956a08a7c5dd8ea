import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { declareWorkerOptions } from "../../../src/commands/worker.js";
import { workerLaunchSpec, type ChildWorkerFlags, type WorkerFlags } from "../../../src/distributed/launch/launch-spec.js";
import { localWorkerSpecs, type LaunchOptions } from "../../../src/distributed/launch/local-launcher.js";
import { nodeWorkerSpecs, resolveWorkerStart } from "../../../src/distributed/launch/worker-launch.js";
import { DEFAULT_TIMEOUTS, STANDALONE_WORKER_RENDEZVOUS_MS, timeoutsSchema } from "../../../src/distributed/timeouts.js";

/** `args` parsed as the CLI parses them: the worker command's options, and the global --verbose. */
function parseWorker(args: readonly string[]): Record<string, unknown> {
  let parsed: Record<string, unknown> | undefined;
  const program = new Command().option("--verbose", "print stack traces and worker output", false).exitOverride();
  declareWorkerOptions(program.command("worker")).action((_flags: unknown, command: Command) => {
    parsed = command.optsWithGlobals();
  });
  program.parse(args, { from: "user" });
  if (parsed === undefined) throw new Error(`not a worker command: ${args.join(" ")}`);
  return parsed;
}

const PARENT_ENV = { PATH: "/bin", RANK: "3", WORLD_SIZE: "8", SLURM_PROCID: "1", SLURM_NTASKS: "2", RINGTRAIN_SECRET: "a secret of some length", CUDA_VISIBLE_DEVICES: "0,1" };

describe("a worker's launch spec", () => {
  it("parses back, with the worker command's options, to the flags it was built from", () => {
    const full: ChildWorkerFlags = {
      coordinator: "tcp://10.0.0.1:29500",
      rank: 2,
      worldSize: 4,
      localRank: 1,
      bind: "tcp://10.0.0.2:*",
      advertise: "node2",
      backend: "cpu",
      config: "configs/x.json",
      secretFile: "/etc/ringtrain/secret",
      encrypt: true,
      allowGpuSharing: true,
      rendezvousTimeout: 1234,
      allreduceTimeout: 567,
      verbose: true,
    };
    expect(parseWorker(workerLaunchSpec(full, { gpu: undefined, inheritSecret: true }, {}).args)).toEqual({ ...full, localWorkers: 1 });

    const plain: ChildWorkerFlags = { coordinator: "ipc:///tmp/rt/control.sock", backend: "auto", encrypt: false, allowGpuSharing: false, rendezvousTimeout: 60_000, allreduceTimeout: 30_000, verbose: false };
    const spec = workerLaunchSpec(plain, { gpu: undefined, inheritSecret: true }, {});
    expect(spec.args).toEqual(["worker", "--coordinator", "ipc:///tmp/rt/control.sock", "--backend", "auto", "--rendezvous-timeout", "60000", "--allreduce-timeout", "30000"]);
    expect(parseWorker(spec.args)).toEqual({ ...plain, localWorkers: 1 });
  });

  it("its environment has the child's GPU, no launcher ranks, the secret only when asked, and no side channels", () => {
    const flags: ChildWorkerFlags = { coordinator: "tcp://127.0.0.1:1", backend: "cpu", encrypt: false, allowGpuSharing: false, rendezvousTimeout: 1, allreduceTimeout: 1, verbose: true };
    const kept = workerLaunchSpec(flags, { gpu: "1", inheritSecret: true }, PARENT_ENV).env;
    expect(kept).toEqual({ PATH: "/bin", RINGTRAIN_SECRET: "a secret of some length", CUDA_VISIBLE_DEVICES: "1" });
    const dropped = workerLaunchSpec(flags, { gpu: undefined, inheritSecret: false }, PARENT_ENV).env;
    expect(dropped).toEqual({ PATH: "/bin", CUDA_VISIBLE_DEVICES: "0,1" });
  });

  it("is the same from both launchers for the same inputs: the coordinator's local fork and worker --local-workers", () => {
    const local: LaunchOptions = {
      worldSize: 2,
      coordinatorAddress: "tcp://127.0.0.1:4000",
      dataBind: () => "tcp://127.0.0.1:*",
      backend: "wasm",
      rendezvousMs: 7000,
      allreduceMs: 3000,
      verbose: true,
      gpuCount: 2,
      onOutput: () => undefined,
      onExit: () => undefined,
    };
    const fromCoordinator = localWorkerSpecs(local, { ...PARENT_ENV, CUDA_VISIBLE_DEVICES: undefined });
    const node: WorkerFlags = { localWorkers: 2, bind: "tcp://127.0.0.1:*", backend: "wasm", encrypt: false, allowGpuSharing: false, rendezvousTimeout: 7000, allreduceTimeout: 3000, verbose: true };
    const fromNode = nodeWorkerSpecs(node, "tcp://127.0.0.1:4000", ["0", "1"], PARENT_ENV);
    expect(fromCoordinator).toHaveLength(2);
    expect(fromNode).toHaveLength(2);
    for (const i of [0, 1]) {
      const a = parseWorker(fromCoordinator[i]!.args);
      const b = parseWorker(fromNode[i]!.args);
      // the coordinator fixes ranks; a node's children have local ranks and get theirs assigned
      const { rank, worldSize, ...shared } = a;
      const { localRank, ...sharedToo } = b;
      expect(shared).toEqual(sharedToo);
      expect(shared).toMatchObject({ coordinator: "tcp://127.0.0.1:4000", backend: "wasm", rendezvousTimeout: 7000, allreduceTimeout: 3000, verbose: true });
      expect([rank, worldSize, localRank]).toEqual([i, 2, i]);
      // one GPU each; only the node's children keep the secret (a local run uses none)
      expect(fromCoordinator[i]!.env.CUDA_VISIBLE_DEVICES).toBe(String(i));
      expect(fromNode[i]!.env.CUDA_VISIBLE_DEVICES).toBe(String(i));
      expect(fromCoordinator[i]!.env.RINGTRAIN_SECRET).toBeUndefined();
      expect(fromNode[i]!.env.RINGTRAIN_SECRET).toBe(PARENT_ENV.RINGTRAIN_SECRET);
      for (const env of [fromCoordinator[i]!.env, fromNode[i]!.env]) {
        expect(Object.keys(env).filter((k) => k.startsWith("RINGTRAIN_") && k !== "RINGTRAIN_SECRET")).toEqual([]);
        expect(env.RANK).toBeUndefined();
      }
    }
  });
});

describe("resolveWorkerStart", () => {
  const flags: WorkerFlags = { localWorkers: 1, backend: "cpu", encrypt: false, allowGpuSharing: false, rendezvousTimeout: 1000, allreduceTimeout: 1000, verbose: false };
  const noLog = (): void => undefined;
  // no GPUs, whatever this host has
  const env = { CUDA_VISIBLE_DEVICES: "-1" };

  it("starts K children with local ranks, or one worker on loopback without a secret", async () => {
    const node = await resolveWorkerStart({ ...flags, localWorkers: 3, coordinator: "127.0.0.1:4000" }, env, noLog);
    expect(node.kind).toBe("node");
    if (node.kind !== "node") return;
    expect(node.children.map((c) => parseWorker(c.args).localRank)).toEqual([0, 1, 2]);
    expect(node.graceMs).toBe(11_000);

    const one = await resolveWorkerStart({ ...flags, coordinator: "127.0.0.1:4000", rank: 1, worldSize: 2 }, env, noLog);
    expect(one).toMatchObject({ kind: "worker", worker: { coordinator: "tcp://127.0.0.1:4000", rank: 1, worldSize: 2, dataBind: "tcp://127.0.0.1:*" } });
  });

  it("refuses contradicting flags, a missing coordinator, and a reachable endpoint without the secret", async () => {
    await expect(resolveWorkerStart({ ...flags, localWorkers: 2, rank: 0, coordinator: "127.0.0.1:1" }, env, noLog)).rejects.toThrow(/--rank 0 names one worker, but --local-workers 2 starts 2/);
    await expect(resolveWorkerStart(flags, env, noLog)).rejects.toThrow(/no coordinator address/);
    await expect(resolveWorkerStart({ ...flags, localWorkers: 2, coordinator: "127.0.0.1:1", bind: "tcp://127.0.0.1:5000" }, env, noLog)).rejects.toThrow(/use a wildcard port/);
    await expect(resolveWorkerStart({ ...flags, coordinator: "10.0.0.1:1" }, env, noLog)).rejects.toThrow(
      "the coordinator tcp://10.0.0.1:1 is not on loopback, so this worker needs the run's shared secret: set RINGTRAIN_SECRET or pass --secret-file <path> (never on the command line)",
    );
    await expect(resolveWorkerStart({ ...flags, coordinator: "127.0.0.1:1", encrypt: true }, env, noLog)).rejects.toThrow(/^--encrypt this worker needs the run's shared secret/);
    await expect(resolveWorkerStart({ ...flags, coordinator: "127.0.0.1:1", bind: "tcp://0.0.0.0:*" }, env, noLog)).rejects.toThrow(
      "the data-plane endpoint tcp://0.0.0.0:* is not on loopback, so this worker needs the run's shared secret: set RINGTRAIN_SECRET or pass --secret-file <path>",
    );
  });
});

describe("worker timeouts", () => {
  it("default to the config's timeouts; a standalone worker waits out the coordinator's start and its rendezvous window", () => {
    expect(timeoutsSchema.parse({})).toEqual(DEFAULT_TIMEOUTS);
    const defaults = parseWorker(["worker"]);
    expect(defaults.allreduceTimeout).toBe(DEFAULT_TIMEOUTS.allreduceMs);
    expect(defaults.rendezvousTimeout).toBe(STANDALONE_WORKER_RENDEZVOUS_MS);
    expect(STANDALONE_WORKER_RENDEZVOUS_MS).toBeGreaterThan(DEFAULT_TIMEOUTS.rendezvousMs);
  });
});
