import * as tf from "@tensorflow/tfjs";
import { RingtrainError } from "../../core/errors.js";
import { asWasmMemory, type WasmMemory } from "./wasm-module.js";

/**
 * The part of tfjs-backend-wasm's `BackendWasm` the replacement kernels use.
 * Tensors live in the wasm heap; `makeOutput` mallocs there.
 *
 * Heap views are only valid until the next allocation: a malloc may grow the
 * wasm memory, which detaches every earlier `Float32Array` over the heap (they
 * read as empty and swallow writes). Kernels therefore allocate all their
 * outputs (and call any other kernel) first, and take views last.
 */
export interface WasmBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  /** byte offset of a tensor's data in the heap */
  getMemoryOffset(dataId: tf.DataId): number;
  /** the Emscripten module; `asm.memory` is the heap's WebAssembly.Memory */
  wasm?: { asm?: { memory?: unknown } };
}

/**
 * Narrows a kernel's backend to the wasm backend.
 *
 * @throws RingtrainError INTERNAL for any other backend, naming `user` (the kernel or gradient that asked).
 */
export function asWasm(backend: unknown, user: string): WasmBackend {
  const b = backend as Partial<WasmBackend> | null;
  if (b === null || typeof b.makeOutput !== "function" || typeof b.typedArrayFromHeap !== "function") {
    throw new RingtrainError(
      "INTERNAL",
      `the wasm patch of ${user} ran on a backend that is not tfjs-backend-wasm (it has no makeOutput/typedArrayFromHeap; ` +
        `active backend '${tf.getBackend()}'): the patches must be registered for backend 'wasm' only (installKernelPatches("wasm"))`,
    );
  }
  return b as WasmBackend;
}

/**
 * The heap's `WebAssembly.Memory`, for generated kernels that import it
 * (wasm-module.ts); undefined where this tfjs-backend-wasm build does not
 * expose it (then those kernels are skipped).
 */
export function heapMemory(backend: WasmBackend): WasmMemory | undefined {
  return asWasmMemory(backend.wasm?.asm?.memory);
}

/** A float32 view of `info`'s data in the wasm heap; valid until the next allocation (see {@link WasmBackend}). */
export function f32View(backend: WasmBackend, info: tf.TensorInfo): Float32Array {
  const view = backend.typedArrayFromHeap(info);
  if (!(view instanceof Float32Array)) throw new Error(`expected a float32 tensor, got ${info.dtype} [${info.shape.join(",")}]`);
  return view;
}

/** A kernel's inputs by name. */
type KernelInputs = Record<string, tf.TensorInfo>;

/** A kernel function as registered, callable with TensorInfo inputs. */
export type KernelCall = (inputs: KernelInputs, attrs: object) => tf.TensorInfo;

/**
 * The registration of a wasm kernel: `run` gets the backend as a
 * {@link WasmBackend} and the inputs and attributes typed as the kernel's
 * (tfjs passes them untyped; the kernel name fixes what they are).
 */
export function wasmKernel<Inputs extends KernelInputs, Attrs extends object = object>(
  kernelName: string,
  backendName: string,
  run: (backend: WasmBackend, inputs: Inputs, attrs: Attrs) => tf.TensorInfo,
): tf.KernelConfig {
  return {
    kernelName,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => run(asWasm(backend, kernelName), inputs as Inputs, attrs as unknown as Attrs),
  };
}

/**
 * Captures the kernel registered now for `kernelName` on `backendName` (the
 * shipped one, when called before any patch replaces it) and returns a caller
 * bound to `backend`. Undefined when the backend has no such kernel.
 */
export function shippedKernel(kernelName: string, backendName: string): ((backend: WasmBackend) => KernelCall) | undefined {
  const config = tf.getKernel(kernelName, backendName);
  if (config === undefined) return undefined;
  const fn = config.kernelFunc;
  return (backend) => (inputs, attrs) =>
    fn({ inputs, backend, attrs: attrs as unknown as tf.NamedAttrMap }) as tf.TensorInfo;
}
