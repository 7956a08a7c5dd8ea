import type * as tf from "@tensorflow/tfjs";
import type { DropoutKeys } from "./layers/dropout-mask.js";
import type { NetworkPlan } from "./layers/network-plan.js";
import type { ParameterLayout } from "./parameter-layout.js";

export type { ModelConfig } from "./model-config.js";

/** How a forward pass runs. */
export interface ForwardOptions {
  /** training mode: dropout active, batch norm on batch statistics (and reporting them) */
  training: boolean;
  /** the global batch size; batch-norm statistics are scaled by it so that the allreduce sum is the global mean */
  globalBatch?: number;
  /** which samples the batch holds; required in training mode when the model has dropout */
  dropout?: DropoutKeys;
}

/** A forward pass's outputs: class scores and, in training mode, batch-norm statistics to allreduce. */
export interface ForwardResult {
  /** unnormalised class scores `[n, classes]` */
  logits: tf.Tensor2D;
  /**
   * One tensor per batch-norm layer, `[2, channels]`: Σx/(globalBatch·spatial)
   * and Σx²/(globalBatch·spatial) over this batch. Summed over micro-batches and
   * ranks they are the global batch's mean and mean square. Empty when not training.
   */
  statistics: tf.Tensor[];
}

/**
 * A classifier whose parameters live in one flat buffer (see
 * {@link ParameterLayout}): trainable tensors first (`[0, trainableSize)`,
 * what the optimizer updates), then non-trainable state (batch-norm moving
 * statistics). Models are built by name from the registry in models.ts.
 */
export interface Model {
  readonly plan: NetworkPlan;
  readonly layout: ParameterLayout;
  readonly trainableSize: number;
  /** length of the per-step statistics appended to the gradient buffer */
  readonly statisticsSize: number;
  /** trainable tfjs variables in layout order, the ones gradients are taken against */
  readonly variables: tf.Variable[];
  /** Deterministic initial weights from the run seed (only rank 0's are used). */
  initialWeights(seed: number): Float32Array;
  /** The forward pass of a batch `[n, features]` (pixels flattened). Call inside tf.tidy. */
  forward(x: tf.Tensor2D, options: ForwardOptions): ForwardResult;
  /** Inference-mode class scores; shorthand for `forward(x, {training: false}).logits`. Call inside tf.tidy. */
  logits(x: tf.Tensor2D): tf.Tensor2D;
  /** Copies the flat weights (trainable and state) into the tfjs variables. */
  setWeights(flat: Float32Array): void;
  /**
   * Folds one step's allreduced statistics into the state part of `flat`
   * (batch-norm moving averages), identically on every rank. A no-op without batch norm.
   */
  updateState(flat: Float32Array, statistics: Float32Array): void;
  dispose(): void;
}
