/** A run of elements in a flat buffer. */
export interface Span {
  offset: number;
  length: number;
}

/**
 * The one buffer a training step's allreduce sums, so that one ring pass
 * carries all of it: `[trainable gradients | batch-norm Σx, Σx² | Σ loss]`.
 *
 *  - `gradients`: d(Σ loss / global batch)/dθ, at the same offsets as the
 *    trainable parameters in the flat parameters (ParameterLayout);
 *  - `batchNormStats`: per batch-norm layer in order, its scaled Σx then Σx²
 *    (ForwardResult.statistics), what Model.updateState folds in;
 *  - `lossSum`: the index of Σ per-sample loss over the batch.
 */
export interface FusedLayout {
  readonly gradients: Span;
  readonly batchNormStats: Span;
  readonly lossSum: number;
  /** elements in the whole buffer */
  readonly length: number;
}

/** The fused layout of a model (or plan) with these sizes. */
export function fusedLayout(sizes: { trainableSize: number; statisticsSize: number }): FusedLayout {
  const gradients = { offset: 0, length: sizes.trainableSize };
  const batchNormStats = { offset: gradients.length, length: sizes.statisticsSize };
  const lossSum = batchNormStats.offset + batchNormStats.length;
  return { gradients, batchNormStats, lossSum, length: lossSum + 1 };
}

/** The part of `buffer` that `span` covers (a view, no copy). */
export function spanOf(buffer: Float32Array, span: Span): Float32Array {
  return buffer.subarray(span.offset, span.offset + span.length);
}
