/**
 * Adagrad, as tfjs `tf.train.adagrad(lr, initialAccumulatorValue)`:
 *
 *   s ← s + g²          (s starts at initialAccumulatorValue)
 *   p ← p − lr · g / √(s + ε)
 *
 * tfjs puts ε inside the square root and takes it from the backend (1e-7 on
 * cpu and wasm), not from a parameter; Keras adds a configurable ε to √s. Here ε
 * is configurable with the same default, inside the root as in tfjs.
 */
import type { AdagradConfig } from "./optimizer-config.js";
import { type Optimizer, type OptimizerState, checkApplyArgs, loadStateArray, loadStateNumber } from "./optimizer.js";

export class AdagradOptimizer implements Optimizer {
  readonly name = "adagrad";
  learningRate: number;
  private readonly epsilon: number;
  private readonly accumulator: Float32Array;
  private step = 0;

  constructor(
    config: AdagradConfig,
    readonly paramCount: number,
  ) {
    this.learningRate = config.learningRate;
    this.epsilon = config.epsilon;
    this.accumulator = new Float32Array(paramCount).fill(config.initialAccumulatorValue);
  }

  apply(params: Float32Array, grads: Float32Array): void {
    checkApplyArgs(this.name, this.paramCount, params, grads);
    const n = this.paramCount;
    const acc = this.accumulator;
    const eps = this.epsilon;
    const nlr = -this.learningRate;
    for (let i = 0; i < n; i++) {
      const g = grads[i] as number;
      const s = Math.fround((acc[i] as number) + g * g);
      acc[i] = s;
      params[i] = (params[i] as number) + nlr * (g / Math.sqrt(s + eps));
    }
    this.step++;
  }

  state(): OptimizerState {
    return { accumulator: this.accumulator.slice(), step: this.step };
  }

  loadState(state: OptimizerState): void {
    loadStateArray(this.name, state, "accumulator", this.accumulator);
    this.step = loadStateNumber(this.name, state, "step");
  }
}
