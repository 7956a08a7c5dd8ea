/**
 * GPU placement for the workers of one host: each local worker sees only its
 * own device, through `CUDA_VISIBLE_DEVICES` set in the child's environment
 * before it starts (tfjs-node-gpu then calls it device 0). The local rank
 * picks the device, among the devices this host was given
 * (`CUDA_VISIBLE_DEVICES` of the launcher, when a scheduler restricted it).
 */
import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { promisify } from "node:util";
import { RingtrainError } from "../core/errors.js";

export interface GpuAssignmentOptions {
  /** local workers to start on this host */
  localWorkers: number;
  /** device ids usable here, in order (e.g. ["0","1"] or the launcher's CUDA_VISIBLE_DEVICES entries) */
  devices: readonly string[];
  /** allow more local workers than devices (devices are then shared round-robin) */
  allowSharing: boolean;
}

/**
 * The `CUDA_VISIBLE_DEVICES` value for each local rank, or `undefined` per
 * rank when this host has no GPU (the environment is then left alone).
 *
 * @throws RingtrainError USAGE when there are more local workers than GPUs and sharing was not allowed.
 */
export function assignGpus(options: GpuAssignmentOptions): (string | undefined)[] {
  const { localWorkers, devices, allowSharing } = options;
  if (devices.length === 0) return new Array<undefined>(localWorkers).fill(undefined);
  if (localWorkers > devices.length && !allowSharing) {
    throw new RingtrainError(
      "USAGE",
      `${localWorkers} local workers but ${devices.length} GPU(s) on this host (${devices.join(", ")}): start at most ${devices.length} workers, ` +
        `or pass --allow-gpu-sharing to put several workers on one GPU`,
    );
  }
  return Array.from({ length: localWorkers }, (_, i) => devices[i % devices.length]);
}

/**
 * The device ids this process may use: the entries of an inherited
 * `CUDA_VISIBLE_DEVICES` when set (a scheduler's restriction), else 0..n-1
 * for the n GPUs found. `""` or `-1` means no GPU.
 */
export function visibleDevices(gpuCount: number, inherited: string | undefined): string[] {
  if (inherited !== undefined) {
    const ids = inherited.split(",").map((s) => s.trim()).filter((s) => s !== "");
    if (ids.length === 0 || ids[0] === "-1" || ids[0] === "NoDevFiles") return [];
    return ids;
  }
  return Array.from({ length: gpuCount }, (_, i) => String(i));
}

/** Parses `nvidia-smi -L` output (one `GPU <n>: ...` line per device). */
export function countGpusInSmiOutput(output: string): number {
  return output.split("\n").filter((l) => /^GPU \d+:/.test(l.trim())).length;
}

/**
 * NVIDIA GPUs on this host: `nvidia-smi -L` when it runs, else the entries of
 * /proc/driver/nvidia/gpus, else 0. Never throws; bounded by a 10 s timeout.
 */
export async function countNvidiaGpus(): Promise<number> {
  try {
    const { stdout } = await promisify(execFile)("nvidia-smi", ["-L"], { timeout: 10_000 });
    const n = countGpusInSmiOutput(stdout);
    if (n > 0) return n;
  } catch {
    // no driver tools: fall through to the kernel's view
  }
  try {
    return (await readdir("/proc/driver/nvidia/gpus")).length;
  } catch {
    return 0;
  }
}
