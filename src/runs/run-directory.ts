import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunConfig } from "../config/schema.js";
import type { ParameterSlot } from "../model/parameter-layout.js";

/** One line of `metrics.jsonl`: the whole run's figures for one epoch. */
export interface EpochRecord {
  epoch: number;
  optimizerSteps: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  /** on the held-out validation split, when the run has one besides its test split; else null */
  validationLoss: number | null;
  validationAccuracy: number | null;
  /** mean wall time of one optimizer step, ms (slowest rank) */
  stepMs: number;
  /** mean time per step in compute and in the allreduce, ms (averaged over ranks) */
  computeMs: number;
  allreduceMs: number;
  samplesPerSecond: number;
  epochSeconds: number;
  /** live tfjs tensors at epoch end (max over ranks): must not grow (docs/design.md, invariant 5) */
  numTensors: number;
  /** only on the partial last epoch of a diverged run: the optimizer step that diverged (not taken) */
  stoppedAtStep?: number;
}

/** One line of `steps.jsonl`: a sample of the training loss by optimizer step (rank 0's throttled progress reports). */
export interface StepRecord {
  /** 1-based, counted over the whole run */
  optimizerStep: number;
  /** 1-based */
  epoch: number;
  /** the mean training loss of the global batches since the previous sample, up to this step (each step's loss counts once) */
  loss: number;
}

/** How a run ended: `diverged` is a run stopped at once because its loss became non-finite or passed `divergence.maxLoss`. */
export type RunStatus = "completed" | "failed" | "diverged";

/** Where a diverged run stopped: the global batch loss of that optimizer step, as every rank computed it. */
export interface DivergenceRecord {
  /** 1-based epoch and 1-based optimizer step (counted over the whole run) */
  epoch: number;
  optimizerStep: number;
  /** the mean loss of the global batch at that step: above the bound, or null for NaN and ±Infinity (JSON has neither) */
  loss: number | null;
  maxLoss: number;
}

/** `summary.json`: what a finished (or failed, or diverged) run reports. The metrics are the last finished epoch's. */
export interface RunSummary {
  runId: string;
  status: RunStatus;
  error?: string;
  /** set when status is `diverged` */
  divergence?: DivergenceRecord;
  dataset: string;
  trainSamples: number;
  testSamples: number;
  /** size of the held-out validation split, 0 when none */
  validationSamples: number;
  workers: number;
  globalBatchSize: number;
  perWorkerBatchSize: { min: number; max: number };
  stepsPerEpoch: number;
  epochs: number;
  optimizerSteps: number;
  testAccuracy: number | null;
  errorRate: number | null;
  testLoss: number | null;
  trainLoss: number | null;
  trainAccuracy: number | null;
  validationLoss: number | null;
  validationAccuracy: number | null;
  wallSeconds: number;
  trainingSeconds: number;
  samplesPerSecond: number;
  backends: Array<{ rank: number; host: string; pid: number; backend: string; device: string }>;
  weightsFile: string | null;
}

/**
 * The run directory `runs/<run-id>/`: resolved config, per-epoch metrics and
 * sampled per-step losses as JSON lines, the final weights and the summary. Files are written as the run
 * goes, so a failed run still leaves what it learned.
 */
export class RunDirectory {
  readonly path: string;

  constructor(runsDir: string, readonly runId: string) {
    this.path = join(runsDir, runId);
  }

  async create(config: RunConfig): Promise<void> {
    await mkdir(this.path, { recursive: true });
    await writeFile(join(this.path, "config.json"), JSON.stringify(config, null, 2) + "\n");
    await writeFile(join(this.path, "metrics.jsonl"), "");
    await writeFile(join(this.path, "steps.jsonl"), "");
  }

  async appendSteps(records: readonly StepRecord[]): Promise<void> {
    if (records.length === 0) return;
    await appendFile(join(this.path, "steps.jsonl"), records.map((r) => JSON.stringify(r) + "\n").join(""));
  }

  async appendEpoch(record: EpochRecord): Promise<void> {
    await appendFile(join(this.path, "metrics.jsonl"), JSON.stringify(record) + "\n");
  }

  /**
   * Writes `weights.bin` (little-endian float32, all tensors back to back) and
   * `weights.json` (name, shape, offset of each tensor).
   */
  async writeWeights(weights: Float32Array, slots: readonly ParameterSlot[] | undefined): Promise<string> {
    await writeFile(join(this.path, "weights.bin"), new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength));
    await writeFile(join(this.path, "weights.json"), JSON.stringify({ dtype: "float32", count: weights.length, tensors: slots ?? [] }, null, 2) + "\n");
    return "weights.bin";
  }

  async writeSummary(summary: RunSummary): Promise<void> {
    await writeFile(join(this.path, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
  }
}

/** `mlp-128-64-20261123-055012-ab12`: sortable, unique enough for one host. */
export function makeRunId(name: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const suffix = Math.floor(Math.random() * 0xffff).toString(16).padStart(4, "0");
  return `${name.replace(/[^A-Za-z0-9_.-]+/g, "_")}-${stamp}-${suffix}`;
}
