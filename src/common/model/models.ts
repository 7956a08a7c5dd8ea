import { RingtrainError } from "../errors.js";
import { Mlp, mlpLayout } from "./mlp.js";
import type { Model, ModelConfig } from "./model.js";
import type { ParameterLayout } from "./parameter-layout.js";

/** Names of the model builders, for the config schema. */
export const MODEL_NAMES = ["mlp"] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

interface ModelBuilder {
  /** builds the model and its tfjs variables */
  build(config: ModelConfig, inputSize: number, numClasses: number): Model;
  /** the parameter layout alone, without tensors (for the coordinator) */
  layout(config: ModelConfig, inputSize: number, numClasses: number): ParameterLayout;
}

/** The explicit registry of model builders, chosen by `model.name`. */
export const MODEL_BUILDERS: Record<ModelName, ModelBuilder> = {
  mlp: { build: (config, inputSize, numClasses) => new Mlp(config, inputSize, numClasses), layout: mlpLayout },
};

/** Builds the configured model; unknown names list the known ones. */
export function buildModel(config: ModelConfig, inputSize: number, numClasses: number): Model {
  return builderOf(config).build(config, inputSize, numClasses);
}

/** The configured model's parameter layout, without building it. */
export function modelLayout(config: ModelConfig, inputSize: number, numClasses: number): ParameterLayout {
  return builderOf(config).layout(config, inputSize, numClasses);
}

function builderOf(config: ModelConfig): ModelBuilder {
  const builder = (MODEL_BUILDERS as Record<string, ModelBuilder | undefined>)[config.name];
  if (builder === undefined) {
    throw new RingtrainError("CONFIG_INVALID", `model.name: unknown model '${config.name}', expected one of ${MODEL_NAMES.join(", ")}`);
  }
  return builder;
}
