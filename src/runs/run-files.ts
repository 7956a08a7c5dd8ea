/**
 * The names of the files of a run directory `runs/<run-id>/`, by role. Every
 * module that writes or reads one names it through {@link RUN_FILES}; the
 * records they hold are in `records.ts`.
 */
export const RUN_FILES = {
  /** the resolved run config, written before any worker starts */
  config: "config.json",
  /** one `EpochRecord` per finished epoch (JSON lines), appended as the run goes */
  metrics: "metrics.jsonl",
  /** sampled `StepRecord`s of the training loss (JSON lines), appended as the run goes */
  steps: "steps.jsonl",
  /** the final weights: little-endian float32, all tensors back to back */
  weights: "weights.bin",
  /** the `WeightsLayout` of `weights.bin`: name, shape and offset of each tensor */
  weightsLayout: "weights.json",
  /** the `RunSummary`, written when the run ends (completed, failed or diverged) */
  summary: "summary.json",
} as const;
