/**
 * The optimizer registry: config name → implementation. Adding an optimizer
 * means one file, one schema entry in optimizer-config.ts and one line here.
 */
import { RingtrainError } from "../../core/errors.js";
import { AdagradOptimizer } from "./adagrad.js";
import { AdamOptimizer } from "./adam.js";
import { OPTIMIZER_NAMES, type OptimizerConfig, type OptimizerName } from "./optimizer-config.js";
import type { Optimizer } from "./optimizer.js";
import { RmspropOptimizer } from "./rmsprop.js";
import { SgdOptimizer } from "./sgd.js";

type Factories = {
  [K in OptimizerName]: (config: Extract<OptimizerConfig, { name: K }>, paramCount: number) => Optimizer;
};

const OPTIMIZERS: Factories = {
  sgd: (c, n) => new SgdOptimizer(c, n),
  adam: (c, n) => new AdamOptimizer(c, n),
  rmsprop: (c, n) => new RmspropOptimizer(c, n),
  adagrad: (c, n) => new AdagradOptimizer(c, n),
};

/**
 * Creates the optimizer named by a validated config (see `parseOptimizerConfig`),
 * with zeroed state for `paramCount` parameters.
 *
 * @throws RingtrainError CONFIG_INVALID for an unknown name (a config that bypassed validation);
 *   INTERNAL for a bad `paramCount`.
 */
export function createOptimizer(config: OptimizerConfig, paramCount: number): Optimizer {
  if (!(Number.isSafeInteger(paramCount) && paramCount >= 0)) {
    throw new RingtrainError("INTERNAL", `createOptimizer: paramCount is ${paramCount}; expected a non-negative integer`);
  }
  const factory = (OPTIMIZERS as Partial<Record<string, Factories[OptimizerName]>>)[config.name];
  if (factory === undefined) {
    throw new RingtrainError(
      "CONFIG_INVALID",
      `unknown optimizer "${String(config.name)}"; known: ${OPTIMIZER_NAMES.join(", ")}`,
    );
  }
  return (factory as (c: OptimizerConfig, n: number) => Optimizer)(config, paramCount);
}
