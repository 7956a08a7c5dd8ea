/**
 * Adam, as tfjs `tf.train.adam(lr, beta1, beta2, epsilon)`:
 *
 *   m ← β1·m + (1−β1)·g
 *   v ← β2·v + (1−β2)·g²
 *   p ← p − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε)
 *
 * tfjs adds ε to the bias-corrected √v̂ (as in the Adam paper); Keras 2 folds
 * the bias corrections into the learning rate and adds ε to the uncorrected √v,
 * which is an effectively larger ε early in training. β1ᵗ and β2ᵗ are kept as
 * running products (as tfjs does) rather than `Math.pow`, whose last bit is not
 * specified across engines.
 */
import type { AdamConfig } from "./optimizer-config.js";
import { type Optimizer, type OptimizerState, checkApplyArgs, loadStateArray, loadStateNumber } from "./optimizer.js";

export class AdamOptimizer implements Optimizer {
  readonly name = "adam";
  learningRate: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  /** β1ᵗ and β2ᵗ for the next step t (start at β, like tfjs's accBeta). */
  private accBeta1: number;
  private accBeta2: number;
  private step = 0;

  constructor(
    config: AdamConfig,
    readonly paramCount: number,
  ) {
    this.learningRate = config.learningRate;
    this.beta1 = config.beta1;
    this.beta2 = config.beta2;
    this.epsilon = config.epsilon;
    this.m = new Float32Array(paramCount);
    this.v = new Float32Array(paramCount);
    this.accBeta1 = config.beta1;
    this.accBeta2 = config.beta2;
  }

  apply(params: Float32Array, grads: Float32Array): void {
    checkApplyArgs(this.name, this.paramCount, params, grads);
    const n = this.paramCount;
    const m = this.m;
    const v = this.v;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const ob1 = 1 - b1;
    const ob2 = 1 - b2;
    // reciprocals of the bias corrections 1 − βᵗ: multiplies instead of two divisions per element
    const ic1 = 1 / (1 - this.accBeta1);
    const ic2 = 1 / (1 - this.accBeta2);
    const eps = this.epsilon;
    const nlr = -this.learningRate;
    for (let i = 0; i < n; i++) {
      const g = grads[i] as number;
      const mi = Math.fround(b1 * (m[i] as number) + ob1 * g);
      const vi = Math.fround(b2 * (v[i] as number) + ob2 * (g * g));
      m[i] = mi;
      v[i] = vi;
      params[i] = (params[i] as number) + nlr * ((mi * ic1) / (Math.sqrt(vi * ic2) + eps));
    }
    this.accBeta1 *= b1;
    this.accBeta2 *= b2;
    this.step++;
  }

  state(): OptimizerState {
    return { m: this.m.slice(), v: this.v.slice(), step: this.step, accBeta1: this.accBeta1, accBeta2: this.accBeta2 };
  }

  loadState(state: OptimizerState): void {
    loadStateArray(this.name, state, "m", this.m);
    loadStateArray(this.name, state, "v", this.v);
    this.step = loadStateNumber(this.name, state, "step");
    this.accBeta1 = loadStateNumber(this.name, state, "accBeta1");
    this.accBeta2 = loadStateNumber(this.name, state, "accBeta2");
  }
}
