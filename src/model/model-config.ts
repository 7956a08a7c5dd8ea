import { z } from "zod";
import { layerConfigSchema } from "./layers/layer-config.js";

const positiveInt = z.number().int().positive();

/**
 * `mlp`: shorthand for a stack of dense layers (Keras `Dense` with Glorot
 * initialisation), optionally with dropout after each hidden layer.
 */
export const mlpModelSchema = z
  .object({
    name: z.literal("mlp"),
    /** hidden layer widths */
    hidden: z.array(positiveInt).default([128, 64]),
    activation: z.enum(["relu", "leakyRelu", "elu", "tanh", "sigmoid"]).default("relu"),
    /** dropout rate after each hidden layer (0: none) */
    dropout: z.number().gte(0).lt(1).default(0),
  })
  .strict();

/** `sequential`: any stack of layers; the last one is the dense output layer. */
export const sequentialModelSchema = z
  .object({
    name: z.literal("sequential"),
    layers: z.array(layerConfigSchema).min(1),
  })
  .strict();

/**
 * The model section of a run config. `name` may be left out: a config with
 * `layers` is `sequential`, anything else an `mlp`.
 */
export const modelConfigSchema = z.preprocess(
  (value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value) || "name" in value) return value;
    return { name: "layers" in value ? "sequential" : "mlp", ...value };
  },
  z.discriminatedUnion("name", [mlpModelSchema, sequentialModelSchema]),
);

export type ModelConfig = z.infer<typeof modelConfigSchema>;
export type MlpModelConfig = z.infer<typeof mlpModelSchema>;
