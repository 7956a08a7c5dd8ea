/**
 * The records of a run directory, as zod schemas with their types inferred
 * from them: what the writer (`run-directory.ts`) writes is what the reader
 * (`read-run.ts`) checks.
 *
 * Two rules let the reader take every run directory ringtrain ever wrote:
 * - JSON has no NaN or ±Infinity: `JSON.stringify` writes them as null. A
 *   measured figure (a loss, an accuracy, a time) that may be non-finite in a
 *   diverging run is therefore read back from null as NaN ({@link figure}).
 * - Fields added after the first version (the validation split's figures) have
 *   a default, so a run written before them still reads.
 */
import { z } from "zod";
import type { ParameterSlot } from "../model/parameter-layout.js";

/** A measured figure: a number, or null where it was written as NaN or ±Infinity; read back as NaN. */
const figure = z
  .number()
  .nullable()
  .transform((v) => v ?? Number.NaN);

/** A validation figure: null when the run held out no validation split (or wrote none: runs before validation splits). */
const validationFigure = z.number().nullable().default(null);

/** One line of `metrics.jsonl`: the whole run's figures for one epoch. */
export const epochRecordSchema = z.object({
  /** 1-based */
  epoch: z.number(),
  /** optimizer steps taken so far, counted over the whole run */
  optimizerSteps: z.number(),
  trainLoss: figure,
  trainAccuracy: figure,
  testLoss: figure,
  testAccuracy: figure,
  /** on the held-out validation split, when the run has one besides its test split; else null */
  validationLoss: validationFigure,
  validationAccuracy: validationFigure,
  /** mean wall time of one optimizer step, ms (slowest rank) */
  stepMs: figure,
  /** mean time per step in compute and in the allreduce, ms (averaged over ranks) */
  computeMs: figure,
  allreduceMs: figure,
  samplesPerSecond: figure,
  epochSeconds: figure,
  /** live tfjs tensors at epoch end (max over ranks): must not grow (docs/design.md, invariant 5) */
  numTensors: z.number(),
  /** only on the partial last epoch of a diverged run: the optimizer step that diverged (not taken) */
  stoppedAtStep: z.number().optional(),
});

/** One line of `metrics.jsonl`: the whole run's figures for one epoch. */
export type EpochRecord = z.output<typeof epochRecordSchema>;

/** One line of `steps.jsonl`: a sample of the training loss by optimizer step (rank 0's throttled progress reports). */
export const stepRecordSchema = z.object({
  /** 1-based, counted over the whole run */
  optimizerStep: z.number(),
  /** 1-based */
  epoch: z.number(),
  /** the mean training loss of the global batches since the previous sample, up to this step (each step's loss counts once); NaN when non-finite */
  loss: figure,
});

/** One line of `steps.jsonl`: a sample of the training loss by optimizer step. */
export type StepRecord = z.output<typeof stepRecordSchema>;

/** How a run ended: `diverged` is a run stopped at once because its loss became non-finite or passed `divergence.maxLoss`. */
export const runStatusSchema = z.enum(["completed", "failed", "diverged"]);

/** How a run ended: `completed`, `failed` or `diverged`. */
export type RunStatus = z.output<typeof runStatusSchema>;

/** Where a diverged run stopped: the global batch loss of that optimizer step, as every rank computed it. */
export const divergenceRecordSchema = z.object({
  /** 1-based epoch and 1-based optimizer step (counted over the whole run) */
  epoch: z.number(),
  optimizerStep: z.number(),
  /** the mean loss of the global batch at that step: above the bound, or null for NaN and ±Infinity (JSON has neither) */
  loss: z.number().nullable(),
  maxLoss: z.number(),
});

/** Where a diverged run stopped (`summary.json`'s `divergence`). */
export type DivergenceRecord = z.output<typeof divergenceRecordSchema>;

/** `summary.json`: what a finished (or failed, or diverged) run reports. The metrics are the last finished epoch's. */
export const runSummarySchema = z.object({
  runId: z.string(),
  status: runStatusSchema,
  error: z.string().optional(),
  /** set when status is `diverged` */
  divergence: divergenceRecordSchema.optional(),
  dataset: z.string(),
  trainSamples: z.number(),
  testSamples: z.number(),
  /** size of the held-out validation split, 0 when none (or a run written before validation splits) */
  validationSamples: z.number().default(0),
  workers: z.number(),
  globalBatchSize: z.number(),
  perWorkerBatchSize: z.object({ min: z.number(), max: z.number() }),
  stepsPerEpoch: z.number(),
  epochs: z.number(),
  optimizerSteps: z.number(),
  /** the last finished epoch's figures; null when the run finished none (or the figure was not finite) */
  testAccuracy: z.number().nullable(),
  errorRate: z.number().nullable(),
  testLoss: z.number().nullable(),
  trainLoss: z.number().nullable(),
  trainAccuracy: z.number().nullable(),
  validationLoss: validationFigure,
  validationAccuracy: validationFigure,
  wallSeconds: z.number(),
  trainingSeconds: z.number(),
  samplesPerSecond: figure,
  backends: z.array(z.object({ rank: z.number(), host: z.string(), pid: z.number(), backend: z.string(), device: z.string() })),
  /** the weights file's name in the run directory (`weights.bin`), or null when the run wrote none */
  weightsFile: z.string().nullable(),
});

/** `summary.json`: what a finished (or failed, or diverged) run reports. */
export type RunSummary = z.output<typeof runSummarySchema>;

/** `weights.json`: the layout of `weights.bin` (little-endian float32, all tensors back to back). */
export interface WeightsLayout {
  dtype: "float32";
  /** float32 values in `weights.bin` */
  count: number;
  /** name, shape and offset of each tensor (empty when the model has no named layout) */
  tensors: readonly ParameterSlot[];
}
