/**
 * Optimizer configs: a discriminated union on `name`, validated once at
 * start-up. Omitted fields take the Keras defaults.
 */
import { z } from "zod";
import { parseWith } from "../../core/zod-issues.js";
import { RingtrainError } from "../../core/errors.js";

/** A positive finite number; the message names the field. */
function positive(field: string) {
  return z
    .number({ invalid_type_error: `${field} must be a number` })
    .finite({ message: `${field} must be finite` })
    .gt(0, { message: `${field} must be > 0` });
}

/** A number in [0, 1); the message names the field. */
function unitInterval(field: string) {
  return z
    .number({ invalid_type_error: `${field} must be a number` })
    .gte(0, { message: `${field} must be in [0, 1)` })
    .lt(1, { message: `${field} must be in [0, 1)` });
}

/** A non-negative finite number; the message names the field. */
function nonNegative(field: string) {
  return z
    .number({ invalid_type_error: `${field} must be a number` })
    .finite({ message: `${field} must be finite` })
    .gte(0, { message: `${field} must be ≥ 0` });
}

const sgdSchema = z
  .object({
    name: z.literal("sgd"),
    learningRate: positive("learningRate").default(0.01),
    momentum: unitInterval("momentum").default(0),
    nesterov: z.boolean({ invalid_type_error: "nesterov must be a boolean" }).default(false),
  })
  .strict();

const adamSchema = z
  .object({
    name: z.literal("adam"),
    learningRate: positive("learningRate").default(0.001),
    beta1: unitInterval("beta1").default(0.9),
    beta2: unitInterval("beta2").default(0.999),
    epsilon: positive("epsilon").default(1e-7),
  })
  .strict();

const rmspropSchema = z
  .object({
    name: z.literal("rmsprop"),
    learningRate: positive("learningRate").default(0.001),
    rho: unitInterval("rho").default(0.9),
    momentum: unitInterval("momentum").default(0),
    epsilon: positive("epsilon").default(1e-7),
    centered: z.boolean({ invalid_type_error: "centered must be a boolean" }).default(false),
  })
  .strict();

const adagradSchema = z
  .object({
    name: z.literal("adagrad"),
    learningRate: positive("learningRate").default(0.001),
    initialAccumulatorValue: nonNegative("initialAccumulatorValue").default(0.1),
    epsilon: positive("epsilon").default(1e-7),
  })
  .strict();

/** Names of the optimizers in the registry. */
export const OPTIMIZER_NAMES = ["sgd", "adam", "rmsprop", "adagrad"] as const;

export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/** Validates an optimizer config and fills in defaults. Unknown keys are errors (they are usually typos). */
export const optimizerConfigSchema = z.discriminatedUnion("name", [sgdSchema, adamSchema, rmspropSchema, adagradSchema], {
  errorMap: (issue, ctx) =>
    issue.code === "invalid_union_discriminator"
      ? { message: `optimizer name must be one of ${OPTIMIZER_NAMES.join(", ")}` }
      : { message: ctx.defaultError },
});

/** A validated optimizer config with every field present. */
export type OptimizerConfig = z.output<typeof optimizerConfigSchema>;
/** What a config file may contain: every field but `name` optional. */
export type OptimizerConfigInput = z.input<typeof optimizerConfigSchema>;
export type SgdConfig = z.output<typeof sgdSchema>;
export type AdamConfig = z.output<typeof adamSchema>;
export type RmspropConfig = z.output<typeof rmspropSchema>;
export type AdagradConfig = z.output<typeof adagradSchema>;

/**
 * Validates `input` (e.g. the `optimizer` field of a config file).
 *
 * @param where names the source in errors, e.g. `configs/mnist.json: optimizer`.
 * @throws RingtrainError CONFIG_INVALID listing every problem with its field.
 */
export function parseOptimizerConfig(input: unknown, where = "optimizer"): OptimizerConfig {
  return parseWith(optimizerConfigSchema, input, where);
}

/**
 * The Keras-default config of the optimizer called `name`.
 *
 * @throws RingtrainError CONFIG_INVALID listing the known names for an unknown one.
 */
export function defaultOptimizerConfig(name: string): OptimizerConfig {
  if (!(OPTIMIZER_NAMES as readonly string[]).includes(name)) {
    throw new RingtrainError("CONFIG_INVALID", `unknown optimizer "${name}"; known: ${OPTIMIZER_NAMES.join(", ")}`);
  }
  return optimizerConfigSchema.parse({ name });
}
