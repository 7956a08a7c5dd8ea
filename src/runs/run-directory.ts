import { join } from "node:path";
import { ensureDirectory } from "../core/ensure-directory.js";
import type { FileRole } from "../core/file-errors.js";
import { appendToFile, writeFileAtomic } from "../core/file-writes.js";
import type { RunConfig } from "../config/schema.js";
import type { ParameterSlot } from "../model/parameter-layout.js";
import type { EpochRecord, RunSummary, StepRecord, WeightsLayout } from "./records.js";
import { RUN_FILES } from "./run-files.js";

/**
 * Writes the run directory `runs/<run-id>/`: resolved config, per-epoch metrics and
 * sampled per-step losses as JSON lines, the final weights and the summary
 * (file names in {@link RUN_FILES}, records in `records.ts`; `read-run.ts`
 * reads them back). Files are written as the run goes, so a failed run still
 * leaves what it learned. Whole files are replaced atomically and the JSON-lines
 * files appended to (`core/file-writes.ts`), so a crash or a full disk leaves
 * each file complete or absent (a JSON-lines file: complete lines, and at most
 * a torn last one, which the reader leaves out and reports). Errors name the
 * file and the cause (FILE_SYSTEM).
 */
export class RunDirectory {
  readonly path: string;

  constructor(runsDir: string, readonly runId: string) {
    this.path = join(runsDir, runId);
  }

  /**
   * Creates the directory (and the runs directory above it) with the config and
   * empty metrics and steps files.
   *
   * @throws RingtrainError FILE_SYSTEM naming the directory or file that cannot be made.
   */
  async create(config: RunConfig): Promise<void> {
    await ensureDirectory(this.path, runsDirRole("the run directory"));
    await writeFileAtomic(join(this.path, RUN_FILES.config), JSON.stringify(config, null, 2) + "\n", runsDirRole("the run config"));
    await writeFileAtomic(join(this.path, RUN_FILES.metrics), "", runsDirRole("the epoch metrics"));
    await writeFileAtomic(join(this.path, RUN_FILES.steps), "", runsDirRole("the step losses"));
  }

  async appendSteps(records: readonly StepRecord[]): Promise<void> {
    if (records.length === 0) return;
    await appendToFile(join(this.path, RUN_FILES.steps), records.map((r) => JSON.stringify(r) + "\n").join(""), runsDirRole("the step losses"));
  }

  async appendEpoch(record: EpochRecord): Promise<void> {
    await appendToFile(join(this.path, RUN_FILES.metrics), JSON.stringify(record) + "\n", runsDirRole("the epoch metrics"));
  }

  /**
   * Writes `weights.bin` (little-endian float32, all tensors back to back) and
   * then `weights.json` (name, shape, offset of each tensor, and the count the
   * reader checks `weights.bin` against).
   *
   * @returns the weights file's name, for the summary's `weightsFile`.
   */
  async writeWeights(weights: Float32Array, slots: readonly ParameterSlot[] | undefined): Promise<string> {
    const bytes = new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength);
    await writeFileAtomic(join(this.path, RUN_FILES.weights), bytes, runsDirRole("the run's weights"));
    const layout: WeightsLayout = { dtype: "float32", count: weights.length, tensors: slots ?? [] };
    await writeFileAtomic(join(this.path, RUN_FILES.weightsLayout), JSON.stringify(layout, null, 2) + "\n", runsDirRole("the weights layout"));
    return RUN_FILES.weights;
  }

  async writeSummary(summary: RunSummary): Promise<void> {
    await writeFileAtomic(join(this.path, RUN_FILES.summary), JSON.stringify(summary, null, 2) + "\n", runsDirRole("the run summary"));
  }
}

/** The role of a file under the runs directory, for messages: where it goes is chosen by `--runs-dir` (or the config's `runsDir`). */
export function runsDirRole(what: string): FileRole {
  return { what, chosenBy: "--runs-dir" };
}
