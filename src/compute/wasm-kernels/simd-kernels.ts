import { f32x4Bytes, instantiateKernel, op, type WasmMemory } from "./wasm-module.js";

/** Elementwise and reduction kernels on the wasm heap (byte offsets; counts in f32x4 groups). */
export interface SimdKernels {
  /** out[i] = dy[i] · step(x[i]) for i < 4·groups: step is 1 for x > 0, NaN for NaN, else 0 (tfjs's Step). */
  reluGrad(dy: number, x: number, out: number, groups: number): void;
  /** acc[j] += Σ_{r < rows} x[r·4·groups + j] for j < 4·groups, rows in order. */
  columnSum(x: number, acc: number, rows: number, groups: number): void;
  /** out[r·4·groups + j] = x[r·4·groups + j] + bias[j] for r < rows, j < 4·groups (a bias add over the last axis). */
  rowBroadcastAdd(x: number, bias: number, out: number, rows: number, groups: number): void;
}

const cache = new WeakMap<WasmMemory, SimdKernels | null>();

/** The kernels bound to `memory`, or undefined where WebAssembly SIMD is missing. Assembled once per memory. */
export function simdKernels(memory: WasmMemory): SimdKernels | undefined {
  const known = cache.get(memory);
  if (known !== undefined) return known ?? undefined;
  const reluGrad = instantiateKernel(memory, "reluGrad", 4, { v128: 1 }, reluGradBody());
  const columnSum = instantiateKernel(memory, "columnSum", 4, { i32: 2 }, columnSumBody());
  const rowBroadcastAdd = instantiateKernel(memory, "rowBroadcastAdd", 5, { i32: 2 }, rowBroadcastAddBody());
  const kernels = reluGrad !== undefined && columnSum !== undefined && rowBroadcastAdd !== undefined
    ? { reluGrad, columnSum, rowBroadcastAdd } : null;
  cache.set(memory, kernels);
  return kernels ?? undefined;
}

/** Params dy, x, out, groups; local 4 = x's vector. */
function reluGradBody(): number[] {
  const [DY, X, OUT, N, XV] = [0, 1, 2, 3, 4];
  return [
    ...op.block, ...op.localGet(N), ...op.i32Eqz, ...op.brIf(0), ...op.loop,
    ...op.localGet(OUT),
    ...op.localGet(DY), ...op.v128Load(0),
    // bitselect(NaN, bitselect(1, 0, x > 0), x ≠ x)
    ...op.v128Const(f32x4Bytes(NaN)),
    ...op.v128Const(f32x4Bytes(1)), ...op.v128Const(f32x4Bytes(0)),
    ...op.localGet(X), ...op.v128Load(0), ...op.localTee(XV), ...op.v128Const(f32x4Bytes(0)), ...op.f32x4Gt,
    ...op.v128Bitselect,
    ...op.localGet(XV), ...op.localGet(XV), ...op.f32x4Ne,
    ...op.v128Bitselect,
    ...op.f32x4Mul, ...op.v128Store(0),
    ...op.localGet(DY), ...op.i32Const(16), ...op.i32Add, ...op.localSet(DY),
    ...op.localGet(X), ...op.i32Const(16), ...op.i32Add, ...op.localSet(X),
    ...op.localGet(OUT), ...op.i32Const(16), ...op.i32Add, ...op.localSet(OUT),
    ...op.localGet(N), ...op.i32Const(1), ...op.i32Sub, ...op.localTee(N), ...op.brIf(0),
    ...op.end, ...op.end,
  ];
}

/** Params x, acc, rows, groups; i32 locals 4 = acc cursor, 5 = groups left in the row. */
function columnSumBody(): number[] {
  const [X, ACC, ROWS, G, P, J] = [0, 1, 2, 3, 4, 5];
  return [
    ...op.block, ...op.localGet(ROWS), ...op.i32Eqz, ...op.brIf(0), ...op.localGet(G), ...op.i32Eqz, ...op.brIf(0),
    ...op.loop,
    ...op.localGet(ACC), ...op.localSet(P), ...op.localGet(G), ...op.localSet(J),
    ...op.loop,
    ...op.localGet(P), ...op.localGet(P), ...op.v128Load(0), ...op.localGet(X), ...op.v128Load(0), ...op.f32x4Add, ...op.v128Store(0),
    ...op.localGet(X), ...op.i32Const(16), ...op.i32Add, ...op.localSet(X),
    ...op.localGet(P), ...op.i32Const(16), ...op.i32Add, ...op.localSet(P),
    ...op.localGet(J), ...op.i32Const(1), ...op.i32Sub, ...op.localTee(J), ...op.brIf(0),
    ...op.end,
    ...op.localGet(ROWS), ...op.i32Const(1), ...op.i32Sub, ...op.localTee(ROWS), ...op.brIf(0),
    ...op.end, ...op.end,
  ];
}

/** Params x, bias, out, rows, groups; i32 locals 5 = bias cursor, 6 = groups left in the row. */
function rowBroadcastAddBody(): number[] {
  const [X, BIAS, OUT, ROWS, G, P, J] = [0, 1, 2, 3, 4, 5, 6];
  return [
    ...op.block, ...op.localGet(ROWS), ...op.i32Eqz, ...op.brIf(0), ...op.localGet(G), ...op.i32Eqz, ...op.brIf(0),
    ...op.loop,
    ...op.localGet(BIAS), ...op.localSet(P), ...op.localGet(G), ...op.localSet(J),
    ...op.loop,
    ...op.localGet(OUT), ...op.localGet(X), ...op.v128Load(0), ...op.localGet(P), ...op.v128Load(0), ...op.f32x4Add, ...op.v128Store(0),
    ...op.localGet(X), ...op.i32Const(16), ...op.i32Add, ...op.localSet(X),
    ...op.localGet(OUT), ...op.i32Const(16), ...op.i32Add, ...op.localSet(OUT),
    ...op.localGet(P), ...op.i32Const(16), ...op.i32Add, ...op.localSet(P),
    ...op.localGet(J), ...op.i32Const(1), ...op.i32Sub, ...op.localTee(J), ...op.brIf(0),
    ...op.end,
    ...op.localGet(ROWS), ...op.i32Const(1), ...op.i32Sub, ...op.localTee(ROWS), ...op.brIf(0),
    ...op.end, ...op.end,
  ];
}
