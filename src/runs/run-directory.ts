import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunConfig } from "../config/schema.js";
import type { ParameterSlot } from "../model/parameter-layout.js";
import type { EpochRecord, RunSummary, StepRecord, WeightsLayout } from "./records.js";
import { RUN_FILES } from "./run-files.js";

/**
 * Writes the run directory `runs/<run-id>/`: resolved config, per-epoch metrics and
 * sampled per-step losses as JSON lines, the final weights and the summary
 * (file names in {@link RUN_FILES}, records in `records.ts`; `read-run.ts`
 * reads them back). Files are written as the run goes, so a failed run still
 * leaves what it learned.
 */
export class RunDirectory {
  readonly path: string;

  constructor(runsDir: string, readonly runId: string) {
    this.path = join(runsDir, runId);
  }

  /** Creates the directory with the config and empty metrics and steps files. */
  async create(config: RunConfig): Promise<void> {
    await mkdir(this.path, { recursive: true });
    await writeFile(join(this.path, RUN_FILES.config), JSON.stringify(config, null, 2) + "\n");
    await writeFile(join(this.path, RUN_FILES.metrics), "");
    await writeFile(join(this.path, RUN_FILES.steps), "");
  }

  async appendSteps(records: readonly StepRecord[]): Promise<void> {
    if (records.length === 0) return;
    await appendFile(join(this.path, RUN_FILES.steps), records.map((r) => JSON.stringify(r) + "\n").join(""));
  }

  async appendEpoch(record: EpochRecord): Promise<void> {
    await appendFile(join(this.path, RUN_FILES.metrics), JSON.stringify(record) + "\n");
  }

  /**
   * Writes `weights.bin` (little-endian float32, all tensors back to back) and
   * `weights.json` (name, shape, offset of each tensor).
   *
   * @returns the weights file's name, for the summary's `weightsFile`.
   */
  async writeWeights(weights: Float32Array, slots: readonly ParameterSlot[] | undefined): Promise<string> {
    await writeFile(join(this.path, RUN_FILES.weights), new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength));
    const layout: WeightsLayout = { dtype: "float32", count: weights.length, tensors: slots ?? [] };
    await writeFile(join(this.path, RUN_FILES.weightsLayout), JSON.stringify(layout, null, 2) + "\n");
    return RUN_FILES.weights;
  }

  async writeSummary(summary: RunSummary): Promise<void> {
    await writeFile(join(this.path, RUN_FILES.summary), JSON.stringify(summary, null, 2) + "\n");
  }
}
