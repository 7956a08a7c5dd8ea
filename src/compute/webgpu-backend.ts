/**
 * The `webgpu` tfjs backend in Node: `@tensorflow/tfjs-backend-webgpu` on
 * Dawn, Chromium's WebGPU implementation, as the `webgpu` npm package ships it
 * (a prebuilt dawn.node per platform inside the package: no download at
 * install; Vulkan on Linux, Metal on macOS, D3D12 on Windows).
 *
 * Loading, in order:
 * 1. import `webgpu` (dawn.node) — fails only where no prebuilt binary fits;
 * 2. choose the adapter (webgpu-adapter.ts) and `requestAdapter()`; none found
 *    is the common case on machines without a GPU (webgpu-diagnosis.ts says why);
 * 3. `requestDevice()` with the features and limits the tfjs backend asks for
 *    when it registers itself in a browser;
 * 4. expose Dawn's globals (`GPUBufferUsage`, ...) and `navigator.gpu`, which
 *    the tfjs backend reads, and register the backend under `webgpu`.
 *
 * The tfjs module registers its own factory at import when `navigator.gpu`
 * already exists; it is imported before `navigator.gpu` is set, so that the
 * factory registered is this one, with the adapter chosen here.
 *
 * Reading a GPU tensor synchronously (`dataSync`) needs `OffscreenCanvas` in
 * this backend, which Node lacks: it fails with a RingtrainError saying to
 * read with `await tensor.data()`.
 */
import * as tf from "@tensorflow/tfjs";
import { errorMessage, isRingtrainError, RingtrainError } from "../core/errors.js";
import { withTimeout } from "../core/timeout.js";
import { chooseAdapter, describeAdapter, LIST_ADAPTERS_PROBE, needsAdapterList, parseAdapterList, type ListedAdapter } from "./webgpu-adapter.js";
import { explainNoAdapter } from "./webgpu-diagnosis.js";

/** The outcome of loading: the backend registered under `webgpu`, or why not. */
export type WebGpuLoad = { ok: true; device: string } | { ok: false; reason: string };

export interface WebGpuLoadOptions {
  /** Dawn `create()` options added to the adapter choice, e.g. `backend=null` (Dawn's null device, which validates and computes nothing: tests only) */
  dawnOptions?: readonly string[];
  /** the environment that chooses the adapter and explains a missing one; defaults to process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** bound on each of Dawn's adapter and device requests */
  timeoutMs?: number;
}

type DawnModule = typeof import("webgpu");

/** Kept for the life of the process: Dawn's instance lives as long as this reference. */
let active: { gpu: GPU; device: GPUDevice; description: string } | undefined;
const deviceErrors: string[] = [];
const MAX_KEPT_ERRORS = 50;

/** withTimeout's message for a Dawn request: a hung GPU driver is the usual reason Dawn never answers. */
function hung(what: string): () => string {
  return () => `the GPU driver may be hung (use --backend wasm): Dawn did not answer ${what}`;
}

/**
 * Dawn's adapter list, through the rejection of an adapter name that matches nothing.
 *
 * @throws the TIMEOUT RingtrainError when Dawn does not answer: a driver that
 *   hangs here would hang the adapter request that follows as well.
 */
async function listAdapters(dawn: DawnModule, base: readonly string[], timeoutMs: number): Promise<ListedAdapter[]> {
  try {
    // resolves with null when Dawn finds no adapter at all; rejects with the list otherwise
    await withTimeout(dawn.create([...base, `adapter=${LIST_ADAPTERS_PROBE}`]).requestAdapter(), timeoutMs, hung("the adapter list"));
    return [];
  } catch (e) {
    if (isRingtrainError(e, "TIMEOUT")) throw e;
    return parseAdapterList(errorMessage(e));
  }
}

/**
 * Messages of the WebGPU errors the device raised that nothing caught (shader
 * validation, out of memory), oldest first, and forgets them. tfjs does not
 * check for them; the tests and bench/kernel-profile.ts do.
 */
export function takeWebGpuErrors(): string[] {
  return deviceErrors.splice(0, deviceErrors.length);
}

/** Makes `navigator.gpu` the Dawn instance: the tfjs backend's constructor checks it. Node ≥ 21 has a `navigator` of its own. */
function exposeNavigatorGpu(gpu: GPU): void {
  const g = globalThis as { navigator?: object };
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
  } else {
    Object.defineProperty(g.navigator, "gpu", { value: gpu, configurable: true, writable: true });
  }
}

/** The tfjs backend's readSync needs OffscreenCanvas for GPU-resident data; say what to do instead of a ReferenceError. */
function guardReadSync(backend: tf.KernelBackend): tf.KernelBackend {
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (dataId: object) => {
    try {
      return readSync(dataId);
    } catch (e) {
      if (typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas !== "undefined") throw e;
      throw new RingtrainError(
        "BACKEND_UNAVAILABLE",
        "the webgpu backend cannot read a GPU tensor synchronously in Node (tfjs-backend-webgpu's dataSync needs OffscreenCanvas): " +
          "read it with `await tensor.data()`, or use --backend wasm",
        { cause: e },
      );
    }
  };
  return backend;
}

/**
 * Loads Dawn, finds this worker's adapter and registers the tfjs backend
 * `webgpu` (not activated: call `tf.setBackend("webgpu")`). Never throws for
 * a missing GPU: it returns why. Idempotent: a second call returns the first
 * success.
 */
export async function loadWebGpu(options: WebGpuLoadOptions = {}): Promise<WebGpuLoad> {
  if (active !== undefined) return { ok: true, device: active.description };
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const base = options.dawnOptions ?? [];
  let dawn: DawnModule;
  try {
    dawn = await import("webgpu");
  } catch (e) {
    return {
      ok: false,
      reason: `the webgpu package (Dawn's prebuilt dawn.node for ${process.platform}-${process.arch}) failed to load: ${errorMessage(e)}; reinstall it with \`npm ci\``,
    };
  }
  let listed: ListedAdapter[] | undefined;
  if (needsAdapterList(env)) {
    try {
      listed = await listAdapters(dawn, base, timeoutMs);
    } catch (e) {
      return { ok: false, reason: `Dawn's adapter list (to find the adapter for CUDA_VISIBLE_DEVICES=${env.CUDA_VISIBLE_DEVICES}) did not come: ${errorMessage(e)}` };
    }
  }
  const choice = chooseAdapter(env, listed);
  const gpu = dawn.create([...base, ...choice.dawnOptions]);
  let adapter: GPUAdapter | null;
  try {
    adapter = await withTimeout(gpu.requestAdapter({ powerPreference: "high-performance" }), timeoutMs, hung("requestAdapter()"));
  } catch (e) {
    return { ok: false, reason: `Dawn rejected the adapter request (${choice.note}): ${errorMessage(e)}` };
  }
  if (adapter === null) return { ok: false, reason: explainNoAdapter(env) };
  // the features and limits tfjs-backend-webgpu asks for when it registers itself (its base.ts)
  const requiredFeatures: GPUFeatureName[] = adapter.features.has("timestamp-query") ? ["timestamp-query"] : [];
  const limits = adapter.limits;
  let device: GPUDevice;
  try {
    device = await withTimeout(
      adapter.requestDevice({
        requiredFeatures,
        requiredLimits: {
          maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
          maxBufferSize: limits.maxBufferSize,
          maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
        },
      }),
      timeoutMs,
      hung("requestDevice()"),
    );
  } catch (e) {
    return { ok: false, reason: `Dawn found an adapter but could not open a device on it: ${errorMessage(e)}` };
  }
  device.addEventListener("uncapturederror", (event) => {
    if (deviceErrors.length < MAX_KEPT_ERRORS) deviceErrors.push((event).error.message);
  });
  // imported before navigator.gpu exists: the module then registers no factory of its own
  const { WebGPUBackend } = await import("@tensorflow/tfjs-backend-webgpu");
  Object.assign(globalThis, dawn.globals);
  exposeNavigatorGpu(gpu);
  const info = adapter.info;
  const description = `@tensorflow/tfjs-backend-webgpu on Dawn: ${describeAdapter(info)}; ${choice.note}`;
  if (tf.findBackendFactory("webgpu") !== null) tf.removeBackend("webgpu");
  tf.registerBackend("webgpu", () => guardReadSync(new WebGPUBackend(device, info)), 1);
  active = { gpu, device, description };
  return { ok: true, device: description };
}
