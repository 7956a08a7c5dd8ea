/**
 * Test helper: runs a tfjs `tf.train` optimizer on the cpu backend over the same
 * sequence of gradients, as the reference our flat-array optimizers must match.
 */
import * as tf from "@tensorflow/tfjs";

export async function useCpuBackend(): Promise<void> {
  await tf.setBackend("cpu");
  await tf.ready();
}

/** Applies `grads` in order to a copy of `params` with `opt`; returns the final params. */
export function runTfjs(opt: tf.Optimizer, params: Float32Array, grads: Float32Array[]): Float32Array {
  const v = tf.variable(tf.tensor1d(params));
  try {
    for (const g of grads) {
      const gt = tf.tensor1d(g);
      opt.applyGradients({ [v.name]: gt });
      gt.dispose();
    }
    return v.dataSync() as Float32Array;
  } finally {
    v.dispose();
    opt.dispose();
  }
}

export { tf };
