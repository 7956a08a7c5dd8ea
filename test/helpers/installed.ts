import { createRequire } from "node:module";

/** Whether `pkg` resolves from the tests (optional packages such as tfjs-node are not dependencies). */
export function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** The native libtensorflow backend is installed (it changes what `auto` picks). */
export const nativeInstalled = installed("@tensorflow/tfjs-node") || installed("@tensorflow/tfjs-node-gpu");
