/**
 * Backends a worker can compute on, by name; `auto` picks the fastest that
 * loads, in this order: tensorflow, webgpu (only when Dawn finds a GPU
 * adapter), wasm, cpu.
 *
 * Apart from backend.ts so that the config schema and the CLI can name the
 * backends without loading tfjs and every wasm kernel.
 */
export const BACKEND_NAMES = ["auto", "tensorflow", "webgpu", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
