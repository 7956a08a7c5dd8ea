import * as tf from "@tensorflow/tfjs";
import { makeBatchMatMul } from "./wasm-kernels/batch-mat-mul.js";
import { makeCast } from "./wasm-kernels/cast.js";
import { makeConv2DBackpropFilter } from "./wasm-kernels/conv2d-backprop-filter.js";
import { makeConv2DBackpropInput } from "./wasm-kernels/conv2d-backprop-input.js";
import { makeIdentity } from "./wasm-kernels/identity.js";
import { makeMaxPoolGrad } from "./wasm-kernels/max-pool-grad.js";
import { makeSum } from "./wasm-kernels/sum.js";
import { shippedKernel } from "./wasm-kernels/wasm-backend.js";

/**
 * Kernel replacements and additions for backends whose shipped kernels are
 * slow or missing; the one place that registers them.
 *
 * wasm (each kernel's file says why, with its measurement):
 * - BatchMatMul: transposed operands as explicit transposes (12x faster).
 * - Conv2DBackpropFilter: missing as shipped; im2col + wasm matMul.
 * - Conv2DBackpropInput: a forward XNNPACK convolution of the dilated,
 *   padded dy with the flipped filter, instead of a direct loop.
 * - MaxPoolGrad: a JS loop over NHWC instead of the slow shipped one.
 * - Sum over leading axes (bias gradients): a JS column sum.
 * - Identity, and Cast to the same dtype: share data instead of copying.
 *
 * Replacements call the shipped kernels captured here, before any
 * replacement is registered, so patches never call each other.
 */
const patched = new Set<string>();

/** Installs the patches for `backendName` once; a no-op for backends that need none. Call after the backend is active. */
export function installKernelPatches(backendName: string): void {
  if (backendName !== "wasm" || patched.has(backendName)) return;
  patched.add(backendName);
  const shipped = (name: string) => {
    const k = shippedKernel(name, backendName);
    if (k === undefined) throw new Error(`tfjs-backend-wasm has no '${name}' kernel to patch: is @tensorflow/tfjs-backend-wasm 4.x installed?`);
    return k;
  };
  const matMul = shipped("BatchMatMul");
  const configs: tf.KernelConfig[] = [
    makeBatchMatMul(backendName, matMul, shipped("Transpose")),
    makeConv2DBackpropFilter(backendName, matMul),
    makeConv2DBackpropInput(backendName, shipped("Conv2D"), shipped("Conv2DBackpropInput")),
    makeMaxPoolGrad(backendName),
    makeSum(backendName, shipped("Sum")),
    makeIdentity(backendName, shipped("Identity")),
    makeCast(backendName, shipped("Cast")),
  ];
  for (const config of configs) {
    if (tf.getKernel(config.kernelName, backendName) !== undefined) tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel(config);
  }
}
