import { describe, expect, it } from "vitest";
import { addInto, addIntoBoth, addKernelName, bytesOf, copyInto } from "../../../src/distributed/collective/f32-add.js";
import { createRng } from "../../../src/core/random.js";

function scalarSum(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) + (b[i] as number);
  return out;
}

function randomArray(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  const rng = createRng(seed);
  // magnitudes from 2^-20 to 2^19, so rounding is exercised across exponents
  for (let i = 0; i < n; i++) out[i] = (rng.next() - 0.5) * 2 ** ((rng.nextUint32() % 40) - 20);
  return out;
}

describe("addInto", () => {
  it("runs the WebAssembly SIMD kernel on Node 20 (the cases below would pass on the scalar fallback too)", () => {
    expect(addKernelName).toBe("wasm-simd");
  });

  it.each([0, 1, 3, 15, 16, 17, 64, 8191, 8192, 8193, 40_000])("adds %i elements bit-identically to scalar float32 addition", (n) => {
    const a = randomArray(n, n + 1);
    const b = randomArray(n, n + 7);
    const expected = scalarSum(a, b);
    addInto(a, 0, bytesOf(b), n);
    expect(Buffer.from(a.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
  });

  it("reads the addend at an odd byte offset and writes at a destination offset", () => {
    const n = 10_001;
    const b = randomArray(n, 3);
    const raw = new Uint8Array(n * 4 + 3);
    raw.set(bytesOf(b), 3); // misaligned for a Float32Array view
    const dst = randomArray(n + 5, 9);
    const expected = dst.slice();
    for (let i = 0; i < n; i++) expected[5 + i] = (expected[5 + i] as number) + (b[i] as number);
    addInto(dst, 5, raw.subarray(3), n);
    expect(Buffer.from(dst.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
  });

  it.each([0, 5, 16, 8200, 40_003])("addIntoBoth writes the %i sums over a misaligned source too", (n) => {
    const a = randomArray(n + 2, 1);
    const b = randomArray(n, 2);
    const raw = new Uint8Array(n * 4 + 8);
    raw.set(bytesOf(b), 1); // odd byte offset, as a received frame may have
    const src = raw.subarray(1, 1 + n * 4);
    const expected = a.slice();
    for (let i = 0; i < n; i++) expected[2 + i] = (expected[2 + i] as number) + (b[i] as number);
    addIntoBoth(a, 2, src, n);
    expect(Buffer.from(a.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    expect(Buffer.from(src).equals(Buffer.from(bytesOf(expected, 2, n)))).toBe(true);
    // the bytes around the source are untouched
    expect(raw[0]).toBe(0);
    expect(Array.from(raw.subarray(1 + n * 4))).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it("handles IEEE special values like scalar addition", () => {
    const a = new Float32Array([Infinity, -Infinity, NaN, -0, 1e38, 1.5, 3.4e38, -3.4e38, 0, 1e-45, 2, 3, 4, 5, 6, 7, 8]);
    const b = new Float32Array([1, Infinity, 1, 0, 1e38, -1.5, 3.4e38, -3.4e38, -0, 1e-45, 2, 3, 4, 5, 6, 7, 8]);
    const expected = scalarSum(a, b);
    addInto(a, 0, bytesOf(b), a.length);
    expect(Buffer.from(a.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
  });
});

describe("copyInto", () => {
  it("copies raw float32 bytes from any offset", () => {
    const src = new Float32Array([1, 2, 3, 4.5]);
    const raw = new Uint8Array(17);
    raw.set(bytesOf(src), 1);
    const dst = new Float32Array(6);
    copyInto(dst, 2, raw.subarray(1), 4);
    expect(Array.from(dst)).toEqual([0, 0, 1, 2, 3, 4.5]);
  });
});
