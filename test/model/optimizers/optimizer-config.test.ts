import { describe, it, expect } from "vitest";
import { isRingtrainError } from "../../../src/core/errors.js";
import {
  OPTIMIZER_NAMES,
  defaultOptimizerConfig,
  optimizerConfigSchema,
  parseOptimizerConfig,
} from "../../../src/model/optimizers/optimizer-config.js";

function configError(input: unknown): string {
  try {
    parseOptimizerConfig(input, "configs/x.json: optimizer");
  } catch (e) {
    expect(isRingtrainError(e, "CONFIG_INVALID")).toBe(true);
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe("optimizer configs", () => {
  it("fill in the Keras defaults", () => {
    expect(defaultOptimizerConfig("sgd")).toEqual({ name: "sgd", learningRate: 0.01, momentum: 0, nesterov: false });
    expect(defaultOptimizerConfig("adam")).toEqual({ name: "adam", learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    expect(defaultOptimizerConfig("rmsprop")).toEqual({
      name: "rmsprop",
      learningRate: 0.001,
      rho: 0.9,
      momentum: 0,
      epsilon: 1e-7,
      centered: false,
    });
    expect(defaultOptimizerConfig("adagrad")).toEqual({
      name: "adagrad",
      learningRate: 0.001,
      initialAccumulatorValue: 0.1,
      epsilon: 1e-7,
    });
    expect(OPTIMIZER_NAMES).toEqual(["sgd", "adam", "rmsprop", "adagrad"]);
  });

  it("keep given fields", () => {
    expect(parseOptimizerConfig({ name: "sgd", learningRate: 0.5, momentum: 0.9, nesterov: true })).toEqual({
      name: "sgd",
      learningRate: 0.5,
      momentum: 0.9,
      nesterov: true,
    });
    expect(optimizerConfigSchema.parse({ name: "adam", beta1: 0.5 })).toMatchObject({ beta1: 0.5, beta2: 0.999 });
  });

  it("reject bad values with messages naming the field", () => {
    expect(configError({ name: "sgd", learningRate: 0 })).toMatch(/configs\/x.json: optimizer: learningRate: learningRate must be > 0/);
    expect(configError({ name: "adam", learningRate: -1 })).toMatch(/learningRate must be > 0/);
    expect(configError({ name: "adam", learningRate: Infinity })).toMatch(/learningRate must be finite/);
    expect(configError({ name: "adam", learningRate: "0.1" })).toMatch(/learningRate must be a number/);
    expect(configError({ name: "sgd", momentum: 1 })).toMatch(/momentum must be in \[0, 1\)/);
    expect(configError({ name: "rmsprop", rho: -0.1 })).toMatch(/rho must be in \[0, 1\)/);
    expect(configError({ name: "adam", beta2: 1 })).toMatch(/beta2 must be in \[0, 1\)/);
    expect(configError({ name: "adam", epsilon: 0 })).toMatch(/epsilon must be > 0/);
    expect(configError({ name: "adagrad", initialAccumulatorValue: -1 })).toMatch(/initialAccumulatorValue must be ≥ 0/);
    expect(configError({ name: "rmsprop", centered: "yes" })).toMatch(/centered must be a boolean/);
  });

  it("reject unknown keys (typos) and unknown names", () => {
    expect(configError({ name: "adam", learning_rate: 0.1 })).toMatch(/learning_rate/);
    expect(configError({ name: "adamw" })).toMatch(/optimizer name must be one of sgd, adam, rmsprop, adagrad/);
    expect(configError({})).toMatch(/optimizer name must be one of/);
    expect(() => defaultOptimizerConfig("lion")).toThrow(/unknown optimizer "lion"; known: sgd, adam, rmsprop, adagrad/);
  });
});
