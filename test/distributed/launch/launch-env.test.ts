import { describe, expect, it } from "vitest";
import { childEnvironment, resolveLaunchIdentity } from "../../../src/distributed/launch/launch-env.js";

describe("resolveLaunchIdentity", () => {
  it("reads torchrun / Kubernetes variables", () => {
    const id = resolveLaunchIdentity({}, { RANK: "3", WORLD_SIZE: "8", LOCAL_RANK: "1", MASTER_ADDR: "10.0.0.5", MASTER_PORT: "29400" });
    expect(id).toEqual({ rank: 3, worldSize: 8, localRank: 1, coordinator: "tcp://10.0.0.5:29400", source: "torchrun" });
  });

  it("reads Slurm variables; the coordinator is the first node of the allocation", () => {
    const id = resolveLaunchIdentity({}, { SLURM_PROCID: "2", SLURM_NTASKS: "4", SLURM_LOCALID: "0", SLURM_NODELIST: "gpu[07-09,12],cpu1" });
    expect(id).toEqual({ rank: 2, worldSize: 4, localRank: 0, coordinator: "tcp://gpu07:29500", source: "slurm" });
  });

  it("reads Open MPI variables, and prefers them to the enclosing Slurm task's", () => {
    const id = resolveLaunchIdentity({ coordinator: "head:1234" }, { OMPI_COMM_WORLD_RANK: "5", OMPI_COMM_WORLD_SIZE: "6", OMPI_COMM_WORLD_LOCAL_RANK: "1", SLURM_PROCID: "0", SLURM_NTASKS: "2" });
    expect(id).toEqual({ rank: 5, worldSize: 6, localRank: 1, coordinator: "tcp://head:1234", source: "openmpi" });
  });

  it("without a launcher the rank is left to the coordinator", () => {
    expect(resolveLaunchIdentity({ coordinator: "tcp://[fe80::1]:7000" }, {})).toEqual({ rank: null, worldSize: null, localRank: null, coordinator: "tcp://[fe80::1]:7000", source: "none" });
    expect(resolveLaunchIdentity({}, {}).coordinator).toBeNull();
  });

  it("flags agree with, or are refused against, the environment", () => {
    expect(resolveLaunchIdentity({ rank: 1, worldSize: 4 }, { RANK: "1", WORLD_SIZE: "4" }).rank).toBe(1);
    expect(() => resolveLaunchIdentity({ rank: 2 }, { RANK: "1", WORLD_SIZE: "4" })).toThrow(/--rank 2 contradicts RANK=1 set by torchrun/);
    expect(() => resolveLaunchIdentity({ worldSize: 3 }, { SLURM_PROCID: "1", SLURM_NTASKS: "4" })).toThrow(/--world-size 3 contradicts SLURM_NTASKS=4/);
  });

  it("names the variable of a missing, malformed or out-of-range value", () => {
    expect(() => resolveLaunchIdentity({}, { RANK: "1" })).toThrow(/RANK is set but WORLD_SIZE is not/);
    expect(() => resolveLaunchIdentity({}, { SLURM_NTASKS: "4" })).toThrow(/SLURM_NTASKS is set but SLURM_PROCID is not/);
    expect(() => resolveLaunchIdentity({}, { RANK: "x", WORLD_SIZE: "2" })).toThrow(/RANK="x" must be an integer/);
    expect(() => resolveLaunchIdentity({}, { RANK: "4", WORLD_SIZE: "4" })).toThrow(/RANK=4 is not below WORLD_SIZE=4/);
    expect(() => resolveLaunchIdentity({}, { OMPI_COMM_WORLD_RANK: "0", OMPI_COMM_WORLD_SIZE: "0" })).toThrow(/OMPI_COMM_WORLD_SIZE="0" must be an integer ≥ 1/);
    expect(() => resolveLaunchIdentity({ rank: 5, worldSize: 2 }, {})).toThrow(/rank 5 is not below world size 2/);
    expect(() => resolveLaunchIdentity({}, { MASTER_PORT: "29500" })).toThrow(/MASTER_PORT is set but MASTER_ADDR is not/);
    expect(() => resolveLaunchIdentity({ coordinator: "a:b:c" }, {})).toThrow(/--coordinator "a:b:c" is not an address/);
  });

  it("children of a launching process lose the launcher's rank variables", () => {
    const env = childEnvironment({ RANK: "1", SLURM_PROCID: "3", PATH: "/bin", RINGTRAIN_SECRET: "s" }, { X: "1" }, true);
    expect(env).toEqual({ PATH: "/bin", X: "1" });
  });
});
