/**
 * The experiment file `ringtrain sweep` reads: a base run config, the search
 * space (a grid, or a random search), optional cross-validation, and what the
 * report compares the results with.
 *
 * ```json
 * {
 *   "name": "batch-size",
 *   "base": "../mlp-128-64.json",
 *   "overrides": { "epochs": 20 },
 *   "grid": { "batchSize": [8, 128, "full"] }
 * }
 * ```
 *
 * Validated once when the sweep starts (each trial's run config too, see
 * sweep-plan.ts); inside, the parsed {@link Experiment} is trusted.
 */
import { z } from "zod";
import { CONFIG_PATH_PATTERN } from "../config/config-path.js";
import { foldCountSchema } from "../data/validation-config.js";
import type { ReferenceFigures, SweepMetricName } from "./sweep-record.js";

const positiveInt = z.number().int().positive();

const configPath = z.string().regex(CONFIG_PATH_PATTERN, {
  message: "a parameter is a dotted run-config path such as optimizer.learningRate",
});

/** Uniform in [min, max]; with `step`, one of min, min+step, ... ≤ max; with `log`, log-uniform (min > 0). */
const rangeSchema = z
  .object({
    min: z.number().finite(),
    max: z.number().finite(),
    step: z.number().finite().positive().optional(),
    log: z.boolean().default(false),
  })
  .strict()
  .refine((r) => r.min <= r.max, { message: "min must be ≤ max" })
  .refine((r) => !r.log || r.min > 0, { message: "a log range needs min > 0" })
  .refine((r) => !(r.log && r.step !== undefined), { message: "give step or log, not both" });

/** One of the listed values, each equally likely. */
const choiceSchema = z.object({ choice: z.array(z.unknown()).min(1, { message: "choice needs at least one value" }) }).strict();

/** A list (e.g. hidden layer widths) whose length and every element are drawn independently. */
const listOfSchema = z
  .object({
    listOf: z.union([rangeSchema, choiceSchema]),
    length: z
      .object({ min: positiveInt, max: positiveInt })
      .strict()
      .refine((l) => l.min <= l.max, { message: "length.min must be ≤ length.max" }),
  })
  .strict();

/**
 * How a random search draws one parameter. Told apart by their keys:
 * `{choice}`, `{listOf, length}`, else a range `{min, max, step?, log?}`.
 */
export const paramDistributionSchema = z.union([choiceSchema, listOfSchema, rangeSchema], {
  errorMap: (issue, ctx) =>
    issue.code === "invalid_union"
      ? { message: "expected {choice: [...]}, {min, max, step?} or {min, max, log: true}, or {listOf: <one of those>, length: {min, max}}" }
      : { message: ctx.defaultError },
});

export const randomSearchSchema = z
  .object({
    /** how many points of the space to try */
    trials: positiveInt.max(10_000),
    /** training runs per trial, with seeds seed, seed+1, ...; the metric is their mean */
    executionsPerTrial: positiveInt.max(100).default(1),
    /** seeds the draw of the trials (not the runs) */
    seed: z.number().int().nonnegative().default(0),
    params: z.record(configPath, paramDistributionSchema).refine((p) => Object.keys(p).length > 0, { message: "give at least one parameter" }),
  })
  .strict();

export const cvSchema = z
  .object({
    /** each trial runs once per fold, validating on that fold */
    folds: foldCountSchema,
    /** keep each class's share in every fold (default; scikit-learn's StratifiedKFold), or false for plain k-fold */
    stratified: z.boolean().default(true),
    /** what the folds are scored by: validation accuracy, or validation log loss (the cross-entropy) */
    metric: z.enum(["accuracy", "logLoss"]).default("accuracy"),
  })
  .strict();

export const SWEEP_METRICS = ["validationAccuracy", "validationLoss", "testAccuracy", "testLoss"] as const satisfies readonly SweepMetricName[];

const referenceFiguresSchema = z
  .object({
    source: z.string().min(1),
    values: z.array(
      z
        .object({
          params: z.record(z.unknown()),
          metrics: z.record(z.number().finite()),
          note: z.string().optional(),
        })
        .strict(),
    ),
  })
  .strict() satisfies z.ZodType<ReferenceFigures>;

export const experimentSchema = z
  .object({
    /** names the sweep directory and each trial's runs */
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/, { message: "name may hold only letters, digits, '_', '.' and '-'" }),
    description: z.string().optional(),
    /** a run config file (relative to the experiment file) or an inline run config */
    base: z.union([z.string().min(1), z.record(z.unknown())]),
    /** fields merged onto the base config (objects merge, everything else replaces) */
    overrides: z.record(z.unknown()).optional(),
    /** worker processes per run (the CLI's --workers wins); default: the base config's */
    workers: positiveInt.max(256).optional(),
    /** cartesian product of the listed values, in the given order (the last path varies fastest) */
    grid: z
      .record(configPath, z.array(z.unknown()).min(1, { message: "a grid parameter needs at least one value" }))
      .refine((g) => Object.keys(g).length > 0, { message: "give at least one parameter" })
      .optional(),
    random: randomSearchSchema.optional(),
    /**
     * named partial run configs, each merged onto the base like `overrides`
     * (e.g. `{"cnn-augment": {"model": {...}, "augment": {...}}}`): one trial per
     * variant, times the grid's points when there is a grid; the trial's
     * `variant` param names it
     */
    variants: z
      .record(z.string().regex(/^[A-Za-z0-9_.-]+$/, { message: "a variant name may hold only letters, digits, '_', '.' and '-'" }), z.record(z.unknown()))
      .refine((v) => Object.keys(v).length > 0, { message: "give at least one variant" })
      .optional(),
    cv: cvSchema.optional(),
    /** what trials are ranked by; default: the validation metric with cv or a validation split, else testAccuracy */
    metric: z.enum(SWEEP_METRICS).optional(),
    /** retrain the best trial on the whole training set and score it on the test set; default: true with cv */
    retrainBest: z.boolean().optional(),
    /** write a Kaggle submission (ImageId,Label) per trial and for the retrained best, under submissions/ */
    submissions: z.boolean().default(false),
    /** published figures shown beside ours in the report */
    reference: referenceFiguresSchema.optional(),
    /** markdown the report shows under the results */
    discussion: z.string().optional(),
  })
  .strict()
  .refine((e) => (e.random === undefined) === (e.grid !== undefined || e.variants !== undefined), {
    message: "give a grid (with or without variants), variants alone, or a random search: exactly one kind of search",
  });

/** A validated experiment file. */
export type Experiment = z.output<typeof experimentSchema>;
export type RandomSearch = z.output<typeof randomSearchSchema>;
export type ParamDistribution = z.output<typeof paramDistributionSchema>;
export type CrossValidation = z.output<typeof cvSchema>;
