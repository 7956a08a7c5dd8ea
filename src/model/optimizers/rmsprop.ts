/**
 * RMSprop, as tfjs `tf.train.rmsprop(lr, rho, momentum, epsilon, centered)`:
 *
 *   s ← ρ·s + (1−ρ)·g²
 *   plain:    a ← μ·a + lr·g / √(s + ε)
 *   centered: ḡ ← ρ·ḡ + (1−ρ)·g;  a ← μ·a + lr·g / √(max(s − ḡ², 0) + ε)
 *   p ← p − a
 *
 * tfjs (like TF's ApplyRMSProp kernel) puts ε inside the square root; Keras 2
 * adds it to √s. One deliberate deviation from tfjs 4.22: its centered branch
 * computes √(s − (ḡ² + ε)), i.e. *subtracts* ε, which is NaN for a parameter
 * whose gradient is zero (s = ḡ² = 0); this follows TF (`s − ḡ² + ε`), with
 * the variance clamped at 0 against float rounding. The two agree when ε = 0.
 */
import type { RmspropConfig } from "./optimizer-config.js";
import { type Optimizer, type OptimizerState, checkApplyArgs, loadStateArray, loadStateNumber } from "./optimizer.js";

export class RmspropOptimizer implements Optimizer {
  readonly name = "rmsprop";
  learningRate: number;
  private readonly rho: number;
  private readonly momentum: number;
  private readonly epsilon: number;
  private readonly meanSquare: Float32Array;
  private readonly moment: Float32Array;
  /** Allocated only when centered. */
  private readonly meanGrad: Float32Array | undefined;
  private step = 0;

  constructor(
    config: RmspropConfig,
    readonly paramCount: number,
  ) {
    this.learningRate = config.learningRate;
    this.rho = config.rho;
    this.momentum = config.momentum;
    this.epsilon = config.epsilon;
    this.meanSquare = new Float32Array(paramCount);
    this.moment = new Float32Array(paramCount);
    this.meanGrad = config.centered ? new Float32Array(paramCount) : undefined;
  }

  apply(params: Float32Array, grads: Float32Array): void {
    checkApplyArgs(this.name, this.paramCount, params, grads);
    const n = this.paramCount;
    const ms = this.meanSquare;
    const mom = this.moment;
    const mg = this.meanGrad;
    const rho = this.rho;
    const orho = 1 - rho;
    const mu = this.momentum;
    const eps = this.epsilon;
    const lr = this.learningRate;
    if (mg === undefined) {
      for (let i = 0; i < n; i++) {
        const g = grads[i] as number;
        const s = Math.fround(rho * (ms[i] as number) + orho * (g * g));
        const a = Math.fround(mu * (mom[i] as number) + (g * lr) / Math.sqrt(s + eps));
        ms[i] = s;
        mom[i] = a;
        params[i] = (params[i] as number) - a;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const g = grads[i] as number;
        const s = Math.fround(rho * (ms[i] as number) + orho * (g * g));
        const gm = Math.fround(rho * (mg[i] as number) + orho * g);
        const variance = s - gm * gm;
        const a = Math.fround(mu * (mom[i] as number) + (g * lr) / Math.sqrt((variance > 0 ? variance : 0) + eps));
        ms[i] = s;
        mg[i] = gm;
        mom[i] = a;
        params[i] = (params[i] as number) - a;
      }
    }
    this.step++;
  }

  state(): OptimizerState {
    const s: OptimizerState = { meanSquare: this.meanSquare.slice(), moment: this.moment.slice(), step: this.step };
    if (this.meanGrad !== undefined) s.meanGrad = this.meanGrad.slice();
    return s;
  }

  loadState(state: OptimizerState): void {
    loadStateArray(this.name, state, "meanSquare", this.meanSquare);
    loadStateArray(this.name, state, "moment", this.moment);
    if (this.meanGrad !== undefined) loadStateArray(this.name, state, "meanGrad", this.meanGrad);
    this.step = loadStateNumber(this.name, state, "step");
  }
}
