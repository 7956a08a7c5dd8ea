/**
 * The optimizer contract: updates on flat Float32Arrays.
 *
 * After the ring allreduce every rank holds the same gradient bits, and each
 * rank applies its optimizer to its own copy of the weights; invariant 2 of docs/design.md (all
 * ranks hold identical weights) therefore needs the update to be a pure,
 * deterministic function of (params, grads, state). The implementations use
 * plain indexed loops with IEEE-exact operations only (+, −, ×, ÷, `Math.sqrt`,
 * `Math.fround`), no tfjs and no `Math.pow`, so the same inputs give the same
 * bits on every machine. They allocate nothing per call.
 *
 * The update formulas are those of tfjs's `tf.train` optimizers (tests compare
 * against them); where tfjs differs from Keras the implementation file says so.
 */
import { RingtrainError } from "../../core/errors.js";

/** Optimizer state for checkpoints: per-parameter arrays plus scalars such as the step counter. */
export type OptimizerState = Record<string, Float32Array | number>;

export interface Optimizer {
  readonly name: string;
  /** Length of the flat parameter vector this optimizer was created for. */
  readonly paramCount: number;
  /** The current learning rate; a schedule may set it between steps (all ranks alike). */
  learningRate: number;
  /**
   * Applies one update in place: params -= f(grads). grads is read-only to the optimizer.
   * Synchronous. Both arrays stay owned by the caller.
   *
   * @throws RingtrainError INTERNAL when either length differs from `paramCount`.
   */
  apply(params: Float32Array, grads: Float32Array): void;
  /** state tensors for checkpoints (e.g. {m, v, step}); returns copies, safe to keep while training goes on. */
  state(): OptimizerState;
  /**
   * Restores state saved by {@link state} of an optimizer with the same config
   * and parameter count; the arrays are copied.
   *
   * @throws RingtrainError DATA_INVALID when a key is missing or an array has the wrong length.
   */
  loadState(state: OptimizerState): void;
}

/** Throws unless both arrays have `paramCount` elements. Called once per step, outside the loops. */
export function checkApplyArgs(name: string, paramCount: number, params: Float32Array, grads: Float32Array): void {
  if (params.length !== paramCount || grads.length !== paramCount) {
    throw new RingtrainError(
      "INTERNAL",
      `${name} optimizer: params has ${params.length} and grads ${grads.length} elements; expected ${paramCount} each`,
    );
  }
}

/** Copies `state[key]` into `into`, checking it is a Float32Array of the right length. */
export function loadStateArray(name: string, state: OptimizerState, key: string, into: Float32Array): void {
  const v = state[key];
  if (!(v instanceof Float32Array) || v.length !== into.length) {
    const got = v instanceof Float32Array ? `a Float32Array of ${v.length}` : typeof v;
    throw new RingtrainError(
      "DATA_INVALID",
      `${name} optimizer state "${key}": got ${got}; expected a Float32Array of ${into.length} (checkpoint from another model or optimizer?)`,
    );
  }
  into.set(v);
}

/** Reads the scalar `state[key]`, checking it is a finite number. */
export function loadStateNumber(name: string, state: OptimizerState, key: string): number {
  const v = state[key];
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new RingtrainError("DATA_INVALID", `${name} optimizer state "${key}": got ${typeof v}; expected a finite number`);
  }
  return v;
}
