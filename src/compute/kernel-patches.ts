import * as tf from "@tensorflow/tfjs";
import { RingtrainError } from "../core/errors.js";
import { makeBatchMatMul } from "./wasm-kernels/batch-mat-mul.js";
import { makeBiasAdd } from "./wasm-kernels/bias-add.js";
import { makeCast } from "./wasm-kernels/cast.js";
import { makeConv2DBackpropFilter } from "./wasm-kernels/conv2d-backprop-filter.js";
import { makeConv2DBackpropInput } from "./wasm-kernels/conv2d-backprop-input.js";
import { makeIdentity } from "./wasm-kernels/identity.js";
import { makeMaxPoolGrad } from "./wasm-kernels/max-pool-grad.js";
import { makeReluGrad, makeReluGradient } from "./wasm-kernels/relu-grad.js";
import { simdKernels } from "./wasm-kernels/simd-kernels.js";
import { makeSum } from "./wasm-kernels/sum.js";
import { asWasm, heapMemory, shippedKernel } from "./wasm-kernels/wasm-backend.js";

/**
 * Kernel replacements and additions for backends whose shipped kernels are
 * slow or missing; the one place that registers them.
 *
 * wasm (each kernel's file says why, with its measurement). Several are
 * WebAssembly SIMD kernels generated at run time that work in place on the
 * backend's heap (wasm-module.ts); each falls back to JS or to the shipped
 * kernel where SIMD or the heap's Memory is unavailable.
 * - BatchMatMul: transposed operands as explicit (JS) transposes, 12x faster;
 *   a·bᵀ with a large b as (b·aᵀ)ᵀ.
 * - Conv2DBackpropFilter: missing as shipped; a SIMD kernel for small
 *   filters, else one XNNPACK convolution with batch and channels swapped.
 * - Conv2DBackpropInput: a forward XNNPACK convolution of the dilated,
 *   padded dy with the flipped filter, instead of a direct loop.
 * - MaxPoolGrad: a SIMD kernel for windows inside the image, a branch-free
 *   JS loop elsewhere, instead of the slow shipped one.
 * - Sum over leading axes (bias gradients): a SIMD column sum.
 * - Add of a bias over the last axis: a SIMD kernel.
 * - Identity, and Cast to the same dtype: share data instead of copying.
 * - The ReLU gradient: one fused SIMD kernel instead of Step + Multiply.
 *   Gradients are registered process-wide; this one falls back to tfjs's own
 *   whenever another backend is active.
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
    if (k === undefined) {
      throw new RingtrainError(
        "BACKEND_UNAVAILABLE",
        `tfjs-backend-wasm has no '${name}' kernel to patch: the kernel patches need @tensorflow/tfjs-backend-wasm 4.x ` +
          "(reinstall it with `npm ci`), or use --backend cpu",
      );
    }
    return k;
  };
  const matMul = shipped("BatchMatMul");
  const configs: tf.KernelConfig[] = [
    makeBatchMatMul(backendName, matMul, shipped("Transpose")),
    makeConv2DBackpropFilter(backendName, shipped("Conv2D")),
    makeConv2DBackpropInput(backendName, shipped("Conv2D"), shipped("Conv2DBackpropInput")),
    makeMaxPoolGrad(backendName),
    makeSum(backendName, shipped("Sum")),
    makeIdentity(backendName, shipped("Identity")),
    makeCast(backendName, shipped("Cast")),
    makeReluGrad(backendName),
    makeBiasAdd(backendName, shipped("Add")),
  ];
  for (const config of configs) {
    if (tf.getKernel(config.kernelName, backendName) !== undefined) tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel(config);
  }
  const reluGradient = tf.getGradient("Relu");
  if (reluGradient === undefined) {
    throw new RingtrainError(
      "BACKEND_UNAVAILABLE",
      "tfjs has no gradient registered for 'Relu' to patch: the kernel patches need @tensorflow/tfjs 4.x (reinstall it with `npm ci`)",
    );
  }
  const simdAvailable = (): boolean => {
    const memory = heapMemory(asWasm(tf.backend(), "the Relu gradient"));
    return memory !== undefined && simdKernels(memory) !== undefined;
  };
  tf.registerGradient(makeReluGradient(backendName, reluGradient, simdAvailable));
}
