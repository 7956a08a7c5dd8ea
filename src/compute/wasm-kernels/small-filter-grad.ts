import type * as tf from "@tensorflow/tfjs";
import { f32View, heapMemory, type WasmBackend } from "./wasm-backend.js";
import { instantiateKernel, op, type WasmMemory } from "./wasm-module.js";

/** Most accumulators (K·Cout/4 f32x4 locals) a generated kernel may hold; beyond it the swapped convolution wins anyway. */
const SMALL_FILTER_MAX_ACCUMULATORS = 96;

/**
 * The filter gradient of a convolution with a small filter operand
 * (K = FH·FW·Cin rows, Cout a multiple of 4, K·Cout/4 ≤
 * {@link SMALL_FILTER_MAX_ACCUMULATORS}) by a WebAssembly SIMD kernel
 * generated for the layer's geometry, reading x and dy in place in the
 * backend's heap:
 *
 *   for each output position m (one row of OW at a time):
 *     d = dy[m, 0..Cout) as Cout/4 vectors
 *     for each tap k: acc[k, :] += splat(x[m's patch, k]) · d
 *
 * with every accumulator in a local and every tap's x offset a load
 * immediate. Why: on the reference CNN's first layer (3×3×1 → 32, 28×28,
 * batch 128) any XNNPACK formulation has to repack an operand as large as dy
 * (2.8M floats) on every call, and the swapped convolution took ~37 ms; this
 * reads dy once (~4 ms). Padding is applied by copying x into a zero-padded
 * temporary first (only when the geometry pads).
 *
 * Returns undefined where the geometry does not fit or the engine lacks
 * WebAssembly SIMD; the caller then uses the general path.
 */
export function smallFilterGradient(
  backend: WasmBackend, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo | undefined {
  const { batchSize, inChannels: cin, outChannels: cout, filterHeight: fh, filterWidth: fw, outHeight: oh, outWidth: ow } = info;
  const k = fh * fw * cin;
  if (cout % 4 !== 0 || (k * cout) / 4 > SMALL_FILTER_MAX_ACCUMULATORS || batchSize * oh * ow === 0) return undefined;
  const memory = heapMemory(backend);
  if (memory === undefined) return undefined;
  const hp = (oh - 1) * info.strideHeight + fh;
  const wp = (ow - 1) * info.strideWidth + fw;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const inPlace = pt === 0 && pl === 0 && hp <= info.inHeight && wp <= info.inWidth;
  const rows = inPlace ? info.inHeight : hp;
  const cols = inPlace ? info.inWidth : wp;
  const kernel = rowKernel(memory, { cin, cout, fh, fw, cols, strideWidth: info.strideWidth });
  if (kernel === undefined) return undefined;
  const dW = backend.makeOutput([fh, fw, cin, cout], "float32");
  const padded = inPlace ? undefined : backend.makeOutput([batchSize, hp, wp, cin], "float32");
  if (padded !== undefined) padInput(f32View(backend, x), info, hp, wp, f32View(backend, padded));
  f32View(backend, dW).fill(0);
  const xBase = backend.getMemoryOffset((padded ?? x).dataId);
  const dyBase = backend.getMemoryOffset(dy.dataId);
  const accBase = backend.getMemoryOffset(dW.dataId);
  const xRow = info.strideHeight * cols * cin * 4;
  const dyRow = ow * cout * 4;
  for (let n = 0; n < batchSize; n++) {
    const xSample = xBase + n * rows * cols * cin * 4;
    for (let r = 0; r < oh; r++) kernel(xSample + r * xRow, dyBase + (n * oh + r) * dyRow, accBase, ow);
  }
  if (padded !== undefined) backend.disposeData(padded.dataId);
  return dW;
}

interface RowGeometry { cin: number; cout: number; fh: number; fw: number; cols: number; strideWidth: number }

type RowKernel = (x: number, dy: number, acc: number, count: number) => void;

/** Generated kernels by memory (each imports one) and geometry; a model has a few conv layers. */
const kernels = new WeakMap<WasmMemory, Map<string, RowKernel | undefined>>();

/**
 * row(x, dy, acc, count): `count` output positions along one output row;
 * x advances by strideWidth pixels, dy by one row of Cout, acc [K, Cout] is
 * loaded at entry and stored at exit. Generated per geometry and memory.
 */
function rowKernel(memory: WasmMemory, g: RowGeometry): RowKernel | undefined {
  const key = `${g.cin},${g.cout},${g.fh},${g.fw},${g.cols},${g.strideWidth}`;
  let cache = kernels.get(memory);
  if (cache === undefined) kernels.set(memory, (cache = new Map<string, RowKernel | undefined>()));
  if (cache.has(key)) return cache.get(key);
  const c4 = g.cout / 4;
  const taps: number[] = [];
  for (let h = 0; h < g.fh; h++) for (let w = 0; w < g.fw; w++) for (let c = 0; c < g.cin; c++) taps.push(((h * g.cols + w) * g.cin + c) * 4);
  const [X, DY, ACC, COUNT] = [0, 1, 2, 3];
  const acc = (i: number): number => 4 + i;
  const d = (j: number): number => 4 + taps.length * c4 + j;
  const s = 4 + taps.length * c4 + c4;
  const body: number[] = [];
  for (let i = 0; i < taps.length * c4; i++) body.push(...op.localGet(ACC), ...op.v128Load(i * 16), ...op.localSet(acc(i)));
  body.push(...op.block, ...op.localGet(COUNT), ...op.i32Eqz, ...op.brIf(0), ...op.loop);
  for (let j = 0; j < c4; j++) body.push(...op.localGet(DY), ...op.v128Load(j * 16), ...op.localSet(d(j)));
  taps.forEach((offset, t) => {
    body.push(...op.localGet(X), ...op.f32Load(offset), ...op.f32x4Splat, ...op.localSet(s));
    for (let j = 0; j < c4; j++) {
      const a = acc(t * c4 + j);
      body.push(...op.localGet(a), ...op.localGet(s), ...op.localGet(d(j)), ...op.f32x4Mul, ...op.f32x4Add, ...op.localSet(a));
    }
  });
  body.push(
    ...op.localGet(X), ...op.i32Const(g.strideWidth * g.cin * 4), ...op.i32Add, ...op.localSet(X),
    ...op.localGet(DY), ...op.i32Const(g.cout * 4), ...op.i32Add, ...op.localSet(DY),
    ...op.localGet(COUNT), ...op.i32Const(1), ...op.i32Sub, ...op.localTee(COUNT), ...op.brIf(0),
    ...op.end, ...op.end,
  );
  for (let i = 0; i < taps.length * c4; i++) body.push(...op.localGet(ACC), ...op.localGet(acc(i)), ...op.v128Store(i * 16));
  const kernel = instantiateKernel(memory, "row", 4, { v128: taps.length * c4 + c4 + 1 }, body);
  cache.set(key, kernel);
  return kernel;
}

/** out[n, r, c, :] = x[n, r − padTop, c − padLeft, :], 0 outside x; out is [N, hp, wp, Cin]. */
function padInput(x: Float32Array, info: tf.backend_util.Conv2DInfo, hp: number, wp: number, out: Float32Array): void {
  const { batchSize, inHeight: h, inWidth: w, inChannels: cin } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  out.fill(0);
  const cLo = Math.max(0, pl);
  const cHi = Math.min(wp, w + pl);
  if (cHi <= cLo) return;
  for (let n = 0; n < batchSize; n++) {
    for (let r = Math.max(0, pt); r < Math.min(hp, h + pt); r++) {
      const src = ((n * h + r - pt) * w + (cLo - pl)) * cin;
      out.set(x.subarray(src, src + (cHi - cLo) * cin), ((n * hp + r) * wp + cLo) * cin);
    }
  }
}
