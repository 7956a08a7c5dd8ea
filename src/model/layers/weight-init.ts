import { createRng } from "../../core/random.js";
import type { NetworkPlan } from "./network-plan.js";

/**
 * The seed stream of initial weights. Kept from the first MLP so that existing
 * runs reproduce bit for bit.
 */
const INIT_STREAM = 0x1417;

/**
 * Deterministic initial flat weights of `plan` from the run seed: Glorot-uniform
 * kernels drawn in layout order (Keras's default), zero biases and betas, unit
 * gammas, zero moving means and unit moving variances. Every backend starts
 * from the same bits.
 */
export function initialWeights(plan: NetworkPlan, seed: number): Float32Array {
  const flat = new Float32Array(plan.layout.totalSize);
  const rng = createRng(seed, INIT_STREAM);
  const tensors = [...plan.layers.flatMap((l) => l.params), ...plan.layers.flatMap((l) => l.state)];
  tensors.forEach((tensor, i) => {
    const view = plan.layout.view(flat, plan.layout.slots[i]!);
    const init = tensor.init;
    switch (init.kind) {
      case "zeros":
        break;
      case "ones":
        view.fill(1);
        break;
      case "glorotUniform": {
        const limit = Math.sqrt(6 / (init.fanIn + init.fanOut));
        for (let k = 0; k < view.length; k++) view[k] = (rng.next() * 2 - 1) * limit;
        break;
      }
    }
  });
  return flat;
}
