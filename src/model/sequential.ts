import * as tf from "@tensorflow/tfjs";
import { RingtrainError } from "../core/errors.js";
import { applyActivation } from "./activations.js";
import { fillDropoutMask } from "./layers/dropout-mask.js";
import { toPair } from "./layers/layer-config.js";
import type { NetworkPlan, PlannedLayer } from "./layers/network-plan.js";
import { initialWeights } from "./layers/weight-init.js";
import type { ForwardOptions, ForwardResult, Model } from "./model.js";
import type { ParameterLayout } from "./parameter-layout.js";

/**
 * A feed-forward network built from a {@link NetworkPlan}: the one model class
 * (the MLP is a plan too). Forward passes are plain tfjs ops on the worker's
 * backend; the parameters are copies of the flat buffer.
 */
export class SequentialModel implements Model {
  readonly layout: ParameterLayout;
  readonly trainableSize: number;
  readonly statisticsSize: number;
  readonly variables: tf.Variable[];
  /** batch-norm moving statistics, in layout order after the trainable variables */
  private readonly stateVariables: tf.Variable[];
  /** every variable in layout order: the trainable ones, then the state */
  private readonly allVariables: tf.Variable[];
  /** scratch for dropout masks, grown on demand */
  private maskBuffer = new Float32Array(0);

  constructor(readonly plan: NetworkPlan) {
    this.layout = plan.layout;
    this.trainableSize = plan.trainableSize;
    this.statisticsSize = plan.statisticsSize;
    // unnamed: tfjs variable names are global to the process, and a worker may build several models
    this.allVariables = plan.layout.slots.map((s, i) => tf.tidy(() => tf.variable(tf.zeros(s.shape), i < plan.trainableTensors)));
    this.variables = this.allVariables.slice(0, plan.trainableTensors);
    this.stateVariables = this.allVariables.slice(plan.trainableTensors);
  }

  initialWeights(seed: number): Float32Array {
    return initialWeights(this.plan, seed);
  }

  logits(x: tf.Tensor2D): tf.Tensor2D {
    return this.forward(x, { training: false }).logits;
  }

  forward(x: tf.Tensor2D, options: ForwardOptions): ForwardResult {
    const n = x.shape[0];
    const { height, width, channels } = this.plan.inputShape;
    let h: tf.Tensor = tf.reshape(x, [n, height, width, channels]);
    let param = 0;
    let state = 0;
    const statistics: tf.Tensor[] = [];
    for (const layer of this.plan.layers) {
      const c = layer.config;
      switch (c.type) {
        case "dense": {
          h = tf.matMul(h, this.variables[param++]!);
          if (c.useBias) h = tf.add(h, this.variables[param++]!);
          h = applyActivation(c.activation, h);
          break;
        }
        case "conv2d": {
          h = tf.conv2d(h as tf.Tensor4D, this.variables[param++] as tf.Tensor4D, toPair(c.strides), c.padding);
          if (c.useBias) h = tf.add(h, this.variables[param++]!);
          h = applyActivation(c.activation, h);
          break;
        }
        case "maxPool":
        case "avgPool": {
          const pool = c.type === "maxPool" ? tf.maxPool : tf.avgPool;
          h = pool(h as tf.Tensor4D, toPair(c.poolSize), toPair(c.strides ?? c.poolSize), c.padding);
          break;
        }
        case "flatten":
          h = tf.reshape(h, [n, layer.outputShape[0]!]);
          break;
        case "activation":
          h = applyActivation(c.activation, h);
          break;
        case "dropout":
          if (options.training && c.rate > 0) h = tf.mul(h, this.dropoutMask(layer, c.rate, n, options));
          break;
        case "batchNormalization": {
          const gamma = this.variables[param++]!;
          const beta = this.variables[param++]!;
          const movingMean = this.stateVariables[state++]!;
          const movingVariance = this.stateVariables[state++]!;
          if (options.training) {
            const axes = h.shape.map((_, i) => i).slice(0, -1);
            const { mean, variance } = tf.moments(h, axes);
            // statistics for the moving averages: data only (the loss does not depend on them)
            const spatial = layer.inputShape.slice(0, -1).reduce((a, b) => a * b, 1);
            const scale = 1 / ((options.globalBatch ?? n) * spatial);
            statistics.push(tf.stack([tf.mul(tf.sum(h, axes), scale), tf.mul(tf.sum(tf.square(h), axes), scale)]));
            h = tf.batchNorm(h, mean, variance, beta, gamma, c.epsilon);
          } else {
            h = tf.batchNorm(h, movingMean, movingVariance, beta, gamma, c.epsilon);
          }
          break;
        }
      }
    }
    return { logits: h as tf.Tensor2D, statistics };
  }

  private dropoutMask(layer: PlannedLayer, rate: number, n: number, options: ForwardOptions): tf.Tensor {
    if (options.dropout === undefined) {
      throw new RingtrainError("INTERNAL", `layer ${layer.index} (dropout) needs the batch's sample ids in training mode`);
    }
    const perSample = layer.outputShape.reduce((a, b) => a * b, 1);
    if (this.maskBuffer.length < n * perSample) this.maskBuffer = new Float32Array(n * perSample);
    fillDropoutMask(rate, perSample, layer.index, options.dropout, n, this.maskBuffer);
    return tf.tensor(this.maskBuffer.subarray(0, n * perSample), [n, ...layer.outputShape], "float32");
  }

  setWeights(flat: Float32Array): void {
    for (let i = 0; i < this.allVariables.length; i++) {
      const slot = this.layout.slots[i]!;
      const t = tf.tensor(this.layout.view(flat, slot), slot.shape, "float32");
      this.allVariables[i]!.assign(t);
      t.dispose();
    }
  }

  updateState(flat: Float32Array, statistics: Float32Array): void {
    let offset = 0;
    let slot = this.plan.trainableTensors;
    for (const layer of this.plan.layers) {
      if (layer.config.type !== "batchNormalization") continue;
      const m = layer.config.momentum;
      const channels = layer.statisticsSize / 2;
      const movingMean = this.layout.view(flat, this.layout.slots[slot++]!);
      const movingVariance = this.layout.view(flat, this.layout.slots[slot++]!);
      for (let ch = 0; ch < channels; ch++) {
        const mean = statistics[offset + ch]!;
        const meanSquare = statistics[offset + channels + ch]!;
        const variance = Math.max(0, meanSquare - mean * mean);
        movingMean[ch] = m * movingMean[ch]! + (1 - m) * mean;
        movingVariance[ch] = m * movingVariance[ch]! + (1 - m) * variance;
      }
      offset += layer.statisticsSize;
    }
  }

  dispose(): void {
    for (const v of this.allVariables) v.dispose();
  }
}
