/**
 * SGD, optionally with (Nesterov) momentum: tfjs `tf.train.sgd(lr)` when
 * momentum is 0, else `tf.train.momentum(lr, momentum, nesterov)`.
 *
 *   a ← μ·a + g
 *   p ← p − lr·a             (plain momentum)
 *   p ← p − lr·(g + μ·a)     (Nesterov)
 *
 * Keras keeps a velocity v ← μ·v − lr·g instead; the two agree while the
 * learning rate is constant, and differ in how a schedule's change of lr acts on
 * the accumulated history (tfjs scales the history by the new lr).
 */
import type { SgdConfig } from "./optimizer-config.js";
import { type Optimizer, type OptimizerState, checkApplyArgs, loadStateArray, loadStateNumber } from "./optimizer.js";

export class SgdOptimizer implements Optimizer {
  readonly name = "sgd";
  learningRate: number;
  private readonly momentum: number;
  private readonly nesterov: boolean;
  /** Allocated only when momentum > 0. */
  private readonly accumulation: Float32Array | undefined;
  private step = 0;

  constructor(
    config: SgdConfig,
    readonly paramCount: number,
  ) {
    this.learningRate = config.learningRate;
    this.momentum = config.momentum;
    this.nesterov = config.nesterov;
    this.accumulation = config.momentum > 0 ? new Float32Array(paramCount) : undefined;
  }

  apply(params: Float32Array, grads: Float32Array): void {
    checkApplyArgs(this.name, this.paramCount, params, grads);
    const n = this.paramCount;
    const c = -this.learningRate;
    const acc = this.accumulation;
    if (acc === undefined) {
      for (let i = 0; i < n; i++) params[i] = (params[i] as number) + c * (grads[i] as number);
    } else if (this.nesterov) {
      const mu = this.momentum;
      for (let i = 0; i < n; i++) {
        const g = grads[i] as number;
        const a = Math.fround(mu * (acc[i] as number) + g);
        acc[i] = a;
        params[i] = (params[i] as number) + c * (g + a * mu);
      }
    } else {
      const mu = this.momentum;
      for (let i = 0; i < n; i++) {
        const a = Math.fround(mu * (acc[i] as number) + (grads[i] as number));
        acc[i] = a;
        params[i] = (params[i] as number) + c * a;
      }
    }
    this.step++;
  }

  state(): OptimizerState {
    const s: OptimizerState = { step: this.step };
    if (this.accumulation !== undefined) s.accumulation = this.accumulation.slice();
    return s;
  }

  loadState(state: OptimizerState): void {
    if (this.accumulation !== undefined) loadStateArray(this.name, state, "accumulation", this.accumulation);
    this.step = loadStateNumber(this.name, state, "step");
  }
}
