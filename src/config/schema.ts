import { z } from "zod";
import { BACKEND_NAMES } from "../compute/backend.js";
import { augmentConfigSchema } from "../data/augment/config.js";
import { optimizerConfigSchema } from "../model/optimizers/optimizer-config.js";
import { modelConfigSchema } from "../model/model-config.js";
import { scheduleSchema } from "../model/schedules.js";

/**
 * The one schema of a run's configuration. Validated once at start-up; inside
 * the program the parsed {@link RunConfig} is trusted.
 */
const positiveInt = z.number().int().positive();

/** Losses a run can minimise. */
export const LOSS_NAMES = ["crossEntropy", "meanSquaredError"] as const;
export type LossName = (typeof LOSS_NAMES)[number];

export const timeoutsSchema = z
  .object({
    /** all workers must say hello within this */
    rendezvousMs: positiveInt.default(60_000),
    /** bound on each allreduce phase */
    allreduceMs: positiveInt.default(30_000),
    /** a worker that sends nothing for this long is declared silent */
    heartbeatMs: positiveInt.default(15_000),
    /** how long a worker may take to exit after shutdown before it is killed */
    shutdownMs: positiveInt.default(5_000),
  })
  .strict();

/** How many folds a k-fold partition may have (run configs and a sweep's cv). */
export const foldCountSchema = z.number().int().min(2).max(100);

/**
 * A validation split held out of the training set, seeded: a holdout
 * fraction, or fold `fold` of a k-fold partition; both stratified by class
 * unless `stratified: false`.
 */
export const validationSchema = z
  .object({
    /** hold out this fraction of the training samples */
    holdout: z.number().gt(0).lt(1).optional(),
    /** partition the training samples into this many folds */
    folds: foldCountSchema.optional(),
    /**
     * keep each class's share in the validation split (default); false draws it
     * without regard to labels (scikit-learn's KFold rather than StratifiedKFold)
     */
    stratified: z.boolean().optional(),
    /** which fold (0-based) is the validation set */
    fold: z.number().int().nonnegative().default(0),
    /** the split's seed; defaults to the run seed */
    seed: z.number().int().nonnegative().optional(),
  })
  .strict()
  .refine((v) => (v.holdout === undefined) !== (v.folds === undefined), { message: "give exactly one of holdout (a fraction) or folds (k)" })
  .refine((v) => v.folds === undefined || v.fold < v.folds, { message: "fold must be below folds", path: ["fold"] });

export const runConfigSchema = z
  .object({
    /** a label for the run; the run id is derived from it */
    name: z.string().min(1).default("run"),
    /** `mnist`, or a directory of IDX files */
    dataset: z.string().min(1).default("mnist"),
    /** use only the first N training / test samples (quick experiments, tests) */
    trainLimit: positiveInt.optional(),
    testLimit: positiveInt.optional(),
    /** per-sample augmentation of the training set: fresh variants each epoch (online) or a fixed expanded set (copies) */
    augment: augmentConfigSchema.optional(),
    /** a validation split of the training set; datasets without a labelled test split (Kaggle CSV) hold out 10% by default */
    validation: validationSchema.optional(),
    model: modelConfigSchema.default({ name: "mlp" }),
    /** the training loss: softmax cross-entropy, or the mean squared error between softmax output and one-hot labels */
    loss: z.enum(LOSS_NAMES).default("crossEntropy"),
    /** the global (effective) batch: the sum over workers; "full" is the whole training set */
    batchSize: z.union([positiveInt, z.literal("full")]).default(128),
    /** the largest batch one worker computes at once; bigger shares run as gradient accumulation */
    microBatchSize: positiveInt.default(1024),
    epochs: positiveInt.default(20),
    optimizer: optimizerConfigSchema.default({ name: "sgd", learningRate: 0.1 }),
    /** per-epoch learning-rate schedule applied to optimizer.learningRate */
    schedule: scheduleSchema.default({ name: "constant" }),
    seed: z.number().int().nonnegative().default(42),
    workers: positiveInt.max(256).default(2),
    backend: z.enum(BACKEND_NAMES).default("auto"),
    /**
     * Stop the run at once, marked `diverged`, when a step's global-batch mean loss is
     * NaN, infinite, or above `maxLoss` (every rank sees the same allreduced loss, so all stop at the same step).
     */
    divergence: z.object({ maxLoss: z.number().positive().default(1000) }).strict().default({}),
    /** data plane between local workers: ipc sockets, or tcp on 127.0.0.1 */
    transport: z.enum(["ipc", "tcp"]).default("ipc"),
    /** compare weight checksums across ranks every N optimizer steps (and at every epoch end) */
    checksumEvery: positiveInt.default(100),
    timeouts: timeoutsSchema.default({}),
    /** where run directories are written */
    runsDir: z.string().min(1).default("runs"),
  })
  .strict();

/** A validated, fully defaulted run configuration. */
export type RunConfig = z.infer<typeof runConfigSchema>;
/** What a config file may contain before defaults. */
export type RunConfigInput = z.input<typeof runConfigSchema>;
