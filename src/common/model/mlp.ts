import * as tf from "@tensorflow/tfjs";
import { createRng } from "../random.js";
import { ParameterLayout } from "./parameter-layout.js";
import type { Model, ModelConfig } from "./model.js";

const ACTIVATIONS = {
  relu: (x: tf.Tensor) => tf.relu(x),
  tanh: (x: tf.Tensor) => tf.tanh(x),
  sigmoid: (x: tf.Tensor) => tf.sigmoid(x),
} as const;

/** The MLP's parameters in flat order: kernel then bias of each dense layer. Needs no tensors. */
export function mlpLayout(config: ModelConfig, inputSize: number, numClasses: number): ParameterLayout {
  const widths = [inputSize, ...config.hidden, numClasses];
  const entries: Array<{ name: string; shape: number[] }> = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    entries.push({ name: `dense${i}/kernel`, shape: [widths[i]!, widths[i + 1]!] });
    entries.push({ name: `dense${i}/bias`, shape: [widths[i + 1]!] });
  }
  return new ParameterLayout(entries);
}

/**
 * A multilayer perceptron: dense layers with the configured activation and a
 * linear output (the softmax lives in the loss). Keras-style initialisation:
 * Glorot-uniform kernels, zero biases, drawn from the run seed so that every
 * backend starts from the same bits.
 */
export class Mlp implements Model {
  readonly layout: ParameterLayout;
  readonly variables: tf.Variable[];
  private readonly activation: (x: tf.Tensor) => tf.Tensor;

  constructor(
    private readonly config: ModelConfig,
    inputSize: number,
    numClasses: number,
  ) {
    this.layout = mlpLayout(config, inputSize, numClasses);
    this.variables = this.layout.slots.map((s) => tf.tidy(() => tf.variable(tf.zeros(s.shape), true, s.name)));
    this.activation = ACTIVATIONS[config.activation];
  }

  initialWeights(seed: number): Float32Array {
    const flat = new Float32Array(this.layout.totalSize);
    const rng = createRng(seed, 0x1417);
    for (const slot of this.layout.slots) {
      if (slot.shape.length !== 2) continue; // biases start at zero
      const [fanIn, fanOut] = slot.shape as [number, number];
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const view = this.layout.view(flat, slot);
      for (let i = 0; i < view.length; i++) view[i] = (rng.next() * 2 - 1) * limit;
    }
    return flat;
  }

  logits(x: tf.Tensor2D): tf.Tensor2D {
    let h: tf.Tensor = x;
    const n = this.variables.length / 2;
    for (let layer = 0; layer < n; layer++) {
      h = tf.add(tf.matMul(h as tf.Tensor2D, this.variables[2 * layer] as tf.Tensor2D), this.variables[2 * layer + 1]!);
      if (layer + 1 < n) h = this.activation(h);
    }
    return h as tf.Tensor2D;
  }

  setWeights(flat: Float32Array): void {
    for (let i = 0; i < this.variables.length; i++) {
      const slot = this.layout.slots[i]!;
      const t = tf.tensor(this.layout.view(flat, slot), slot.shape, "float32");
      this.variables[i]!.assign(t);
      t.dispose();
    }
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}
