import * as tf from "@tensorflow/tfjs";
import { RingtrainError } from "../errors.js";
import { installKernelPatches } from "./kernel-patches.js";

/** Backends a worker can compute on, by name; `auto` picks the fastest that loads. */
export const BACKEND_NAMES = ["auto", "tensorflow", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** What a worker ended up computing on, recorded in the run summary. */
export interface BackendInfo {
  /** tfjs backend name actually active: tensorflow, wasm or cpu */
  name: string;
  /** a human description: package and device */
  device: string;
}

/**
 * Loads one of the native packages. They are optionalDependencies: their
 * install downloads libtensorflow, which fails on machines without internet,
 * and npm then skips them.
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
