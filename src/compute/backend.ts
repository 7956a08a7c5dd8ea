import * as tf from "@tensorflow/tfjs";
import { RingtrainError } from "../core/errors.js";
import type { BackendName } from "./backend-names.js";
import { installKernelPatches } from "./kernel-patches.js";
import { loadWebGpu } from "./webgpu-backend.js";
import { vulkanLoaderPresent } from "./webgpu-diagnosis.js";

/** What a worker ended up computing on, recorded in the run summary. */
export interface BackendInfo {
  /** tfjs backend name actually active: tensorflow, webgpu, wasm or cpu */
  name: string;
  /** a human description: package and device */
  device: string;
}

/**
 * Loads one of the native packages where the user installed one. They are not
 * dependencies of ringtrain: their install downloads libtensorflow, which fails
 * on machines without internet, so `npm ci` must not need them.
 */
async function loadNativeTensorflow(): Promise<string | undefined> {
  for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    try {
      await import(pkg);
      return pkg;
    } catch {
      // not installed here; try the next one
    }
  }
  return undefined;
}

async function activate(name: string): Promise<boolean> {
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok && tf.getBackend() === name;
  } catch {
    return false;
  }
}

/**
 * The webgpu step of the choice: the backend info when it is active, undefined
 * for `auto` to go on with wasm.
 *
 * In `auto` on Linux, Dawn is not even started without the Vulkan loader: it
 * could find no adapter, and would print a warning in every worker's log.
 */
async function selectWebGpu(requested: "auto" | "webgpu"): Promise<BackendInfo | undefined> {
  if (requested === "auto" && process.platform === "linux" && !vulkanLoaderPresent()) return undefined;
  const loaded = await loadWebGpu();
  if (loaded.ok && (await activate("webgpu"))) return { name: "webgpu", device: loaded.device };
  if (requested === "auto") return undefined;
  const why = loaded.ok ? "the adapter was found but tfjs could not start the webgpu backend on it" : `no usable GPU adapter: ${loaded.reason}`;
  throw new RingtrainError(
    "BACKEND_UNAVAILABLE",
    `backend 'webgpu' is unavailable: ${why}. It needs a GPU with a Vulkan driver and libvulkan1 (Linux), Metal (macOS) or D3D12 (Windows); ` +
      "use --backend wasm here, or --backend auto, which falls back to wasm",
  );
}

/**
 * Makes `requested` the active tfjs backend of this process and installs its
 * kernel patches.
 *
 * @throws RingtrainError BACKEND_UNAVAILABLE when a backend asked for by name
 *   cannot load; the message says how to install it.
 */
export async function selectBackend(requested: BackendName): Promise<BackendInfo> {
  if (requested === "auto" || requested === "tensorflow") {
    const pkg = await loadNativeTensorflow();
    if (pkg !== undefined && (await activate("tensorflow"))) {
      return { name: "tensorflow", device: `${pkg} (native libtensorflow)` };
    }
    if (requested === "tensorflow") {
      throw new RingtrainError(
        "BACKEND_UNAVAILABLE",
        "backend 'tensorflow' is not installed: run `npm install @tensorflow/tfjs-node` " +
          "(or @tensorflow/tfjs-node-gpu on a CUDA host); its install downloads libtensorflow, so it needs internet access. " +
          "Use --backend wasm or --backend auto meanwhile.",
      );
    }
  }
  if (requested === "auto" || requested === "webgpu") {
    const info = await selectWebGpu(requested);
    if (info !== undefined) return info;
  }
  if (requested === "auto" || requested === "wasm") {
    await import("@tensorflow/tfjs-backend-wasm");
    if (await activate("wasm")) {
      installKernelPatches("wasm");
      const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
      return { name: "wasm", device: `@tensorflow/tfjs-backend-wasm (${simd ? "SIMD" : "no SIMD"}, 1 thread)` };
    }
    if (requested === "wasm") {
      throw new RingtrainError(
        "BACKEND_UNAVAILABLE",
        "backend 'wasm' failed to initialise: reinstall @tensorflow/tfjs-backend-wasm (`npm ci`), or use --backend cpu",
      );
    }
  }
  if (await activate("cpu")) return { name: "cpu", device: "@tensorflow/tfjs cpu (pure JavaScript reference)" };
  throw new RingtrainError("BACKEND_UNAVAILABLE", `no tfjs backend could be activated (asked for '${requested}')`);
}
