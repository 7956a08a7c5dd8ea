import { describe, it, expect, beforeAll } from "vitest";
import { createOptimizer } from "../../../src/model/optimizers/registry.js";
import { type OptimizerConfig } from "../../../src/model/optimizers/optimizer-config.js";
import { createRng } from "../../../src/core/random.js";
import { runTfjs, tf, useCpuBackend } from "./tfjs-reference.js";

const N = 1000;
const STEPS = 10;

/** Params ~ U(-0.5, 0.5); per step grads ~ N(0, σ) with σ varying by element, a few exact zeros. */
function problem(seed: number, zeros: boolean): { params: Float32Array; grads: Float32Array[] } {
  const r = createRng(seed);
  const params = Float32Array.from({ length: N }, () => r.next() - 0.5);
  const scale = Float32Array.from({ length: N }, () => 10 ** (-3 + 3 * r.next()));
  const grads = Array.from({ length: STEPS }, () =>
    Float32Array.from({ length: N }, (_, i) => (zeros && i % 50 === 0 ? 0 : r.nextNormal() * (scale[i] as number))),
  );
  return { params, grads };
}

function runOurs(config: OptimizerConfig, params: Float32Array, grads: Float32Array[]): Float32Array {
  const opt = createOptimizer(config, params.length);
  const p = params.slice();
  for (const g of grads) {
    const before = g.slice();
    opt.apply(p, g);
    expect(g).toEqual(before); // grads are read-only to the optimizer
  }
  return p;
}

/**
 * Compares the *updates* (final − initial), which is where a wrong formula shows;
 * relative tolerance 1e-5 of the largest update, plus float32 resolution of the params.
 */
function expectSameUpdates(ours: Float32Array, ref: Float32Array, initial: Float32Array): void {
  let maxUpdate = 0;
  for (let i = 0; i < N; i++) maxUpdate = Math.max(maxUpdate, Math.abs((ref[i] as number) - (initial[i] as number)));
  expect(maxUpdate).toBeGreaterThan(1e-3); // the test must move the params to mean anything
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < N; i++) {
    const du = Math.abs((ours[i] as number) - (initial[i] as number));
    const dr = Math.abs((ref[i] as number) - (initial[i] as number));
    const err = Math.abs((ours[i] as number) - (ref[i] as number)) / (1e-5 * Math.max(du, dr) + 2e-7 + 1e-7 * maxUpdate);
    if (!(err <= worst)) {
      worst = err;
      worstAt = i;
    }
  }
  expect({ worst: worst <= 1 ? "ok" : worst, at: worst <= 1 ? -1 : worstAt, ours: ours[worstAt], ref: ref[worstAt] }).toMatchObject({ worst: "ok" });
}

interface Case {
  label: string;
  config: OptimizerConfig;
  reference: () => tf.Optimizer;
  zeros?: boolean;
}

const cases: Case[] = [
  { label: "sgd", config: { name: "sgd", learningRate: 0.1, momentum: 0, nesterov: false }, reference: () => tf.train.sgd(0.1) },
  {
    label: "sgd momentum",
    config: { name: "sgd", learningRate: 0.05, momentum: 0.9, nesterov: false },
    reference: () => tf.train.momentum(0.05, 0.9, false),
  },
  {
    label: "sgd nesterov",
    config: { name: "sgd", learningRate: 0.05, momentum: 0.8, nesterov: true },
    reference: () => tf.train.momentum(0.05, 0.8, true),
  },
  {
    label: "adam defaults",
    config: { name: "adam", learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    reference: () => tf.train.adam(0.001, 0.9, 0.999, 1e-7),
  },
  {
    // a large epsilon makes its placement (after the bias correction) visible
    label: "adam large epsilon",
    config: { name: "adam", learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 0.01 },
    reference: () => tf.train.adam(0.01, 0.8, 0.99, 0.01),
  },
  {
    label: "rmsprop defaults",
    config: { name: "rmsprop", learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false },
    reference: () => tf.train.rmsprop(0.001, 0.9, 0, 1e-7, false),
  },
  {
    label: "rmsprop momentum, large epsilon",
    config: { name: "rmsprop", learningRate: 0.01, rho: 0.8, momentum: 0.7, epsilon: 1e-4, centered: false },
    reference: () => tf.train.rmsprop(0.01, 0.8, 0.7, 1e-4, false),
  },
  {
    // ε = 0: tfjs's centered branch subtracts ε (see rmsprop.ts), so only ε = 0 is comparable;
    // no zero gradients, for which tfjs's centered update is 0/0.
    label: "rmsprop centered (epsilon 0)",
    config: { name: "rmsprop", learningRate: 0.01, rho: 0.9, momentum: 0.5, epsilon: 0, centered: true },
    reference: () => tf.train.rmsprop(0.01, 0.9, 0.5, 0, true),
    zeros: false,
  },
  {
    label: "adagrad defaults",
    config: { name: "adagrad", learningRate: 0.001, initialAccumulatorValue: 0.1, epsilon: 1e-7 },
    reference: () => tf.train.adagrad(0.001, 0.1),
  },
  {
    label: "adagrad large lr, small accumulator",
    config: { name: "adagrad", learningRate: 0.1, initialAccumulatorValue: 1e-3, epsilon: 1e-7 },
    reference: () => tf.train.adagrad(0.1, 1e-3),
  },
];

describe("optimizers match tfjs tf.train on the cpu backend", () => {
  beforeAll(async () => {
    await useCpuBackend();
  });

  cases.forEach((c, k) => {
    it(`${c.label}: ${STEPS} steps`, () => {
      const { params, grads } = problem(100 + k, c.zeros ?? true);
      const ref = runTfjs(c.reference(), params, grads);
      const ours = runOurs(c.config, params, grads);
      expectSameUpdates(ours, ref, params);
    });
  });

  it("the comparison can fail: adam with a different beta2 does not match", () => {
    const { params, grads } = problem(7, true);
    const ref = runTfjs(tf.train.adam(0.01, 0.9, 0.999, 1e-7), params, grads);
    const ours = runOurs({ name: "adam", learningRate: 0.01, beta1: 0.9, beta2: 0.99, epsilon: 1e-7 }, params, grads);
    expect(() => expectSameUpdates(ours, ref, params)).toThrow();
  });
});
