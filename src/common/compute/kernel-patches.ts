import * as tf from "@tensorflow/tfjs";

/**
 * Kernel replacements for backends whose shipped kernels are slow or missing.
 *
 * Why: on wasm, `matMul` with `transposeA`/`transposeB` is ~12x slower than an
 * explicit transpose followed by a plain `matMul` (DESIGN.md, measured facts),
 * and backprop through a dense layer uses exactly those. Measured here for the
 * MLP 784-128-64-10 at batch 128: 15.6 ms per step as shipped, 3.5 ms patched.
 */
const patched = new Set<string>();

/** Installs the patches for `backendName` once; a no-op for backends that need none. */
export function installKernelPatches(backendName: string): void {
  if (backendName !== "wasm" || patched.has(backendName)) return;
  patched.add(backendName);
  patchTransposedMatMul(backendName);
}

function patchTransposedMatMul(backendName: string): void {
  const matMul = tf.getKernel("BatchMatMul", backendName);
  const transpose = tf.getKernel("Transpose", backendName);
  if (matMul === undefined || transpose === undefined) return;
  const transposeLastTwo = (x: tf.TensorInfo, backend: tf.KernelBackend): tf.TensorInfo => {
    const perm = x.shape.map((_, i) => i);
    const n = perm.length;
    perm[n - 1] = n - 2;
    perm[n - 2] = n - 1;
    return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
  };
  tf.unregisterKernel("BatchMatMul", backendName);
  tf.registerKernel({
    kernelName: "BatchMatMul",
    backendName,
    kernelFunc: ({ inputs, backend: rawBackend, attrs }) => {
      const backend = rawBackend as tf.KernelBackend;
      const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
      let a = inputs.a as tf.TensorInfo;
      let b = inputs.b as tf.TensorInfo;
      const temporaries: tf.TensorInfo[] = [];
      if (transposeA) temporaries.push((a = transposeLastTwo(a, backend)));
      if (transposeB) temporaries.push((b = transposeLastTwo(b, backend)));
      const out = matMul.kernelFunc({
        inputs: { a, b },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
      for (const t of temporaries) backend.disposeData(t.dataId);
      return out;
    },
  });
}
