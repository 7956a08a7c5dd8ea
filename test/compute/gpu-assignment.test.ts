import { describe, expect, it } from "vitest";
import { assignGpus, countGpusInSmiOutput, visibleDevices } from "../../src/compute/gpu-assignment.js";

describe("GPU placement", () => {
  it("gives each local worker its own GPU", () => {
    expect(assignGpus({ localWorkers: 4, devices: visibleDevices(4, undefined), allowSharing: false })).toEqual(["0", "1", "2", "3"]);
    expect(assignGpus({ localWorkers: 2, devices: visibleDevices(8, "4,6"), allowSharing: false })).toEqual(["4", "6"]);
  });

  it("refuses more workers than GPUs unless sharing is allowed", () => {
    expect(() => assignGpus({ localWorkers: 3, devices: ["0", "1"], allowSharing: false })).toThrow(/3 local workers but 2 GPU\(s\).*--allow-gpu-sharing/);
    expect(assignGpus({ localWorkers: 3, devices: ["0", "1"], allowSharing: true })).toEqual(["0", "1", "0"]);
  });

  it("leaves hosts without GPUs alone", () => {
    expect(assignGpus({ localWorkers: 2, devices: visibleDevices(0, undefined), allowSharing: false })).toEqual([undefined, undefined]);
    expect(visibleDevices(2, "-1")).toEqual([]);
  });

  it("counts nvidia-smi -L lines", () => {
    expect(countGpusInSmiOutput("GPU 0: NVIDIA H100 (UUID: GPU-1)\nGPU 1: NVIDIA H100 (UUID: GPU-2)\n")).toBe(2);
    expect(countGpusInSmiOutput("")).toBe(0);
  });
});
