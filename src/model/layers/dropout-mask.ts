import { createRng, RNG_STREAM } from "../../core/random.js";

/** Which samples a micro-batch holds, so that each sample's dropout mask is a function of the sample alone. */
export interface DropoutKeys {
  seed: number;
  epoch: number;
  /** the global index (in the epoch's sample space) of each row of the batch */
  sampleIds: ArrayLike<number>;
}

/**
 * Inverted-dropout mask for `count` samples of `perSample` units each: 0 with
 * probability `rate`, else 1/(1−rate), written into `out` (length ≥ count·perSample).
 *
 * Why not `tf.dropout`: its mask depends on the batch a sample lands in, so
 * 2 workers would drop different units than 1 worker. Here sample `id` of
 * epoch `e` in layer `layer` always gets the same mask, which keeps invariant 1
 * of docs/design.md (worker count does not change the math) for models with dropout too.
 */
export function fillDropoutMask(rate: number, perSample: number, layer: number, keys: DropoutKeys, count: number, out: Float32Array): void {
  const keep = 1 / (1 - rate);
  for (let i = 0; i < count; i++) {
    const rng = createRng(RNG_STREAM.dropout, keys.seed, keys.epoch, keys.sampleIds[i]!, layer);
    const row = i * perSample;
    for (let j = 0; j < perSample; j++) out[row + j] = rng.next() < rate ? 0 : keep;
  }
}
