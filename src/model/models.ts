import type { LayerConfig } from "./layers/layer-config.js";
import { planNetwork, type InputShape, type NetworkPlan } from "./layers/network-plan.js";
import type { MlpModelConfig, ModelConfig } from "./model-config.js";
import type { Model } from "./model.js";
import { SequentialModel } from "./sequential.js";

/** Names of the model builders, for help texts. */
export const MODEL_NAMES = ["mlp", "sequential"] as const;

/** The MLP shorthand as the layer stack it stands for. */
export function mlpLayers(config: MlpModelConfig, numClasses: number): LayerConfig[] {
  const layers: LayerConfig[] = [{ type: "flatten" }];
  for (const units of config.hidden) {
    layers.push({ type: "dense", units, activation: config.activation, useBias: true });
    if (config.dropout > 0) layers.push({ type: "dropout", rate: config.dropout });
  }
  layers.push({ type: "dense", units: numClasses, activation: "linear", useBias: true });
  return layers;
}

/**
 * The configured network resolved against the dataset's sample shape: shapes
 * and the flat parameter layout, without tensors (the coordinator needs only this).
 *
 * @throws RingtrainError CONFIG_INVALID naming the layer that does not fit.
 */
export function planModel(config: ModelConfig, input: InputShape, numClasses: number): NetworkPlan {
  switch (config.name) {
    case "mlp":
      return planNetwork(mlpLayers(config, numClasses), input, numClasses);
    case "sequential":
      return planNetwork(config.layers, input, numClasses);
  }
}

/** Builds the configured model and its tfjs variables on the active backend. */
export function buildModel(config: ModelConfig, input: InputShape, numClasses: number): Model {
  return new SequentialModel(planModel(config, input, numClasses));
}
