import { z } from "zod";
import { ACTIVATION_NAMES } from "../activations.js";

/**
 * The layers a `sequential` model is built from, as they appear in a config
 * (Keras names and defaults where Keras has them). One discriminated union on
 * `type`; the model builder switches over it exhaustively.
 */
const positiveInt = z.number().int().positive();
const size2 = z.union([positiveInt, z.tuple([positiveInt, positiveInt])]);

/** A kernel, pool or stride size as `[height, width]` (a single number means square). */
export function toPair(v: number | [number, number]): [number, number] {
  return typeof v === "number" ? [v, v] : v;
}
const activation = z.enum(ACTIVATION_NAMES).default("linear");

export const denseLayerSchema = z.object({ type: z.literal("dense"), units: positiveInt, activation, useBias: z.boolean().default(true) }).strict();

export const conv2dLayerSchema = z
  .object({
    type: z.literal("conv2d"),
    filters: positiveInt,
    kernelSize: size2,
    strides: size2.default(1),
    padding: z.enum(["valid", "same"]).default("valid"),
    activation,
    useBias: z.boolean().default(true),
  })
  .strict();

const poolFields = {
  poolSize: size2.default(2),
  /** defaults to the pool size, as in Keras */
  strides: size2.optional(),
  padding: z.enum(["valid", "same"]).default("valid"),
};
export const maxPoolLayerSchema = z.object({ type: z.literal("maxPool"), ...poolFields }).strict();
export const avgPoolLayerSchema = z.object({ type: z.literal("avgPool"), ...poolFields }).strict();

export const dropoutLayerSchema = z.object({ type: z.literal("dropout"), rate: z.number().gte(0).lt(1) }).strict();

export const batchNormLayerSchema = z
  .object({
    type: z.literal("batchNormalization"),
    /** weight of the old value in the moving mean and variance */
    momentum: z.number().gte(0).lt(1).default(0.99),
    epsilon: z.number().positive().default(1e-3),
  })
  .strict();

export const flattenLayerSchema = z.object({ type: z.literal("flatten") }).strict();

export const activationLayerSchema = z.object({ type: z.literal("activation"), activation: z.enum(ACTIVATION_NAMES) }).strict();

export const layerConfigSchema = z.discriminatedUnion("type", [
  denseLayerSchema,
  conv2dLayerSchema,
  maxPoolLayerSchema,
  avgPoolLayerSchema,
  dropoutLayerSchema,
  batchNormLayerSchema,
  flattenLayerSchema,
  activationLayerSchema,
]);

export type LayerConfig = z.infer<typeof layerConfigSchema>;
export type DenseLayerConfig = z.infer<typeof denseLayerSchema>;
export type Conv2dLayerConfig = z.infer<typeof conv2dLayerSchema>;
export type PoolLayerConfig = z.infer<typeof maxPoolLayerSchema> | z.infer<typeof avgPoolLayerSchema>;
export type BatchNormLayerConfig = z.infer<typeof batchNormLayerSchema>;
