import { f32x4Bytes, i32x4Bytes, instantiateKernel, op, type WasmMemory } from "./wasm-module.js";

/**
 * row(x, dy, out, count, groups): MaxPoolGrad over `count` consecutive
 * windows whose taps all lie inside the image, channels in f32x4 groups:
 *
 *   best = −∞, at = −1; for each tap t in order: m = v_t > best; best = m ? v_t : best; at = m ? t : at
 *   for each tap t: out_t += dy & (at == t)
 *
 * which is the sequential first-maximum rule lane by lane (NaN never wins;
 * nothing is added when no tap beats −∞) and adds +0 elsewhere, leaving those
 * elements unchanged since out is never −0 (it starts at +0 and only ever
 * has 0 + g added). So values equal the JS loop's bit for bit.
 *
 * x and out advance by `windowBytes` per window (the stride, in bytes), dy
 * by one window's channels; tap offsets (bytes, relative to the window's
 * first tap) are load immediates, so a kernel is generated per geometry.
 */
export type PoolRowKernel = (x: number, dy: number, out: number, count: number, groups: number) => void;

const cache = new WeakMap<WasmMemory, Map<string, PoolRowKernel | undefined>>();

/** The kernel for these tap offsets and window step, or undefined without WebAssembly SIMD. */
export function poolGradRowKernel(memory: WasmMemory, tapBytes: number[], windowBytes: number, channels: number): PoolRowKernel | undefined {
  const key = `${tapBytes.join(",")};${windowBytes};${channels}`;
  let kernels = cache.get(memory);
  if (kernels === undefined) cache.set(memory, (kernels = new Map<string, PoolRowKernel | undefined>()));
  if (kernels.has(key)) return kernels.get(key);
  const kernel = instantiateKernel(memory, "row", 5, { i32: 1, v128: 4 }, body(tapBytes, windowBytes - channels * 4));
  kernels.set(key, kernel);
  return kernel;
}

function body(taps: number[], skipBytes: number): number[] {
  const [X, DY, OUT, COUNT, GROUPS, G] = [0, 1, 2, 3, 4, 5];
  const [BEST, AT, V, M] = [6, 7, 8, 9];
  const code: number[] = [
    ...op.block, ...op.localGet(COUNT), ...op.i32Eqz, ...op.brIf(0), ...op.localGet(GROUPS), ...op.i32Eqz, ...op.brIf(0),
    ...op.loop, // windows
    ...op.localGet(GROUPS), ...op.localSet(G),
    ...op.loop, // channel groups
    ...op.v128Const(f32x4Bytes(-Infinity)), ...op.localSet(BEST),
    ...op.v128Const(i32x4Bytes(-1)), ...op.localSet(AT),
  ];
  taps.forEach((offset, t) => {
    code.push(
      ...op.localGet(X), ...op.v128Load(offset), ...op.localTee(V), ...op.localGet(BEST), ...op.f32x4Gt, ...op.localSet(M),
      ...op.localGet(V), ...op.localGet(BEST), ...op.localGet(M), ...op.v128Bitselect, ...op.localSet(BEST),
      ...op.v128Const(i32x4Bytes(t)), ...op.localGet(AT), ...op.localGet(M), ...op.v128Bitselect, ...op.localSet(AT),
    );
  });
  code.push(...op.localGet(DY), ...op.v128Load(0), ...op.localSet(V));
  taps.forEach((offset, t) => {
    code.push(
      ...op.localGet(OUT),
      ...op.localGet(OUT), ...op.v128Load(offset),
      ...op.localGet(V), ...op.localGet(AT), ...op.v128Const(i32x4Bytes(t)), ...op.i32x4Eq, ...op.v128And,
      ...op.f32x4Add, ...op.v128Store(offset),
    );
  });
  code.push(
    ...op.localGet(X), ...op.i32Const(16), ...op.i32Add, ...op.localSet(X),
    ...op.localGet(OUT), ...op.i32Const(16), ...op.i32Add, ...op.localSet(OUT),
    ...op.localGet(DY), ...op.i32Const(16), ...op.i32Add, ...op.localSet(DY),
    ...op.localGet(G), ...op.i32Const(1), ...op.i32Sub, ...op.localTee(G), ...op.brIf(0),
    ...op.end,
    // to the next window: the stride less the channels just walked
    ...op.localGet(X), ...op.i32Const(skipBytes), ...op.i32Add, ...op.localSet(X),
    ...op.localGet(OUT), ...op.i32Const(skipBytes), ...op.i32Add, ...op.localSet(OUT),
    ...op.localGet(COUNT), ...op.i32Const(1), ...op.i32Sub, ...op.localTee(COUNT), ...op.brIf(0),
    ...op.end, ...op.end,
  );
  return code;
}
