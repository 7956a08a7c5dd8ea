import { z } from "zod";
import { BACKEND_NAMES } from "../compute/backend-names.js";
import { augmentConfigSchema } from "../data/augment/config.js";
import { validationSchema } from "../data/validation-config.js";
import { timeoutsSchema } from "../distributed/timeouts.js";
import { LOSS_NAMES } from "../model/loss-names.js";
import { optimizerConfigSchema } from "../model/optimizers/optimizer-config.js";
import { modelConfigSchema } from "../model/model-config.js";
import { scheduleSchema } from "../model/schedules.js";

const positiveInt = z.number().int().positive();

/**
 * The one schema of a run's configuration, composed of the schemas each domain
 * keeps beside its code (model, optimizer, schedule, augmentation, validation
 * split, timeouts). Validated once at start-up; inside the program the parsed
 * {@link RunConfig} is trusted.
 */
/** What makeRunId (runs/run-id.ts) appends to the name: `-20261123-055012-ab12`. */
export const RUN_ID_SUFFIX_LENGTH = 21;
/** The longest run name whose run id still fits a 255-byte directory name (the id is ASCII). */
export const MAX_RUN_NAME_LENGTH = 255 - RUN_ID_SUFFIX_LENGTH;

export const runConfigSchema = z
  .object({
    /**
     * a label for the run; the run id, a directory name, is derived from it:
     * characters other than letters, digits, `_`, `.` and `-` become `_`
     * (runs/run-id.ts), and the id adds a timestamp and a random suffix
     */
    name: z
      .string()
      .min(1)
      .max(MAX_RUN_NAME_LENGTH, {
        message: `name may be at most ${MAX_RUN_NAME_LENGTH} characters: the run id adds ${RUN_ID_SUFFIX_LENGTH} (its timestamp and suffix) and a directory name holds at most 255 bytes`,
      })
      .default("run"),
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
