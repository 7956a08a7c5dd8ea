import { describe, expect, it } from "vitest";
import { asWasmMemory, f32x4Bytes, instantiateKernel, op, sleb, uleb } from "../../../src/compute/wasm-kernels/wasm-module.js";

describe("the run-time WebAssembly assembler", () => {
  it("encodes LEB128 as the spec's examples", () => {
    expect(uleb(0)).toEqual([0x00]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(0)).toEqual([0x00]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(-64)).toEqual([0x40]);
    expect(sleb(-65)).toEqual([0xbf, 0x7f]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });

  it("builds a SIMD kernel that works in place on an imported memory, which may grow meanwhile", () => {
    const wasm = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer; grow(p: number): number } } }).WebAssembly;
    const memory = new wasm.Memory({ initial: 1 });
    expect(asWasmMemory(memory)).toBe(memory);
    expect(asWasmMemory({ buffer: new ArrayBuffer(8) })).toBeUndefined();
    // scale(src, dst, groups): dst[i] = src[i] · 2.5, four lanes at a time
    const [SRC, DST, N] = [0, 1, 2];
    const body = [
      ...op.block, ...op.localGet(N), ...op.i32Eqz, ...op.brIf(0), ...op.loop,
      ...op.localGet(DST), ...op.localGet(SRC), ...op.v128Load(0), ...op.v128Const(f32x4Bytes(2.5)), ...op.f32x4Mul, ...op.v128Store(0),
      ...op.localGet(SRC), ...op.i32Const(16), ...op.i32Add, ...op.localSet(SRC),
      ...op.localGet(DST), ...op.i32Const(16), ...op.i32Add, ...op.localSet(DST),
      ...op.localGet(N), ...op.i32Const(1), ...op.i32Sub, ...op.localTee(N), ...op.brIf(0),
      ...op.end, ...op.end,
    ];
    const scale = instantiateKernel(memory, "scale", 3, {}, body);
    expect(scale).toBeDefined();
    memory.grow(1);
    const heap = new Float32Array(memory.buffer);
    const src = 70000 / 4; // in the page added after instantiation
    for (let i = 0; i < 8; i++) heap[src + i] = i - 3;
    scale?.(src * 4, (src + 8) * 4, 2);
    expect(Array.from(heap.subarray(src + 8, src + 16))).toEqual([-7.5, -5, -2.5, 0, 2.5, 5, 7.5, 10]);
  });
});
