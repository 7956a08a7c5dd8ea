import type * as tf from "@tensorflow/tfjs";
import type { RunConfig } from "../config/schema.js";
import type { ParameterLayout } from "./parameter-layout.js";

export type ModelConfig = RunConfig["model"];

/**
 * A classifier whose trainable parameters live in one flat buffer (see
 * {@link ParameterLayout}). Models are built by name from {@link MODEL_BUILDERS}.
 */
export interface Model {
  readonly layout: ParameterLayout;
  /** tfjs variables in layout order, the ones gradients are taken against */
  readonly variables: tf.Variable[];
  /** Deterministic initial parameters from the run seed (only rank 0's are used). */
  initialWeights(seed: number): Float32Array;
  /** Unnormalised class scores for a batch `[n, features]`. Call inside tf.tidy. */
  logits(x: tf.Tensor2D): tf.Tensor2D;
  /** Copies the flat parameters into the variables. */
  setWeights(flat: Float32Array): void;
  dispose(): void;
}
