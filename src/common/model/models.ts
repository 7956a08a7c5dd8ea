import { RingtrainError } from "../errors.js";
import { Mlp } from "./mlp.js";
import type { Model, ModelConfig } from "./model.js";

/** Names of the model builders, for the config schema. */
export const MODEL_NAMES = ["mlp"] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

type ModelBuilder = (config: ModelConfig, inputSize: number, numClasses: number) => Model;

/** The explicit registry of model builders, chosen by `model.name`. */
export const MODEL_BUILDERS: Record<ModelName, ModelBuilder> = {
  mlp: (config, inputSize, numClasses) => new Mlp(config, inputSize, numClasses),
};

/** Builds the configured model; unknown names list the known ones. */
export function buildModel(config: ModelConfig, inputSize: number, numClasses: number): Model {
  const builder = (MODEL_BUILDERS as Record<string, ModelBuilder | undefined>)[config.name];
  if (builder === undefined) {
    throw new RingtrainError("CONFIG_INVALID", `model.name: unknown model '${config.name}', expected one of ${MODEL_NAMES.join(", ")}`);
  }
  return builder(config, inputSize, numClasses);
}
