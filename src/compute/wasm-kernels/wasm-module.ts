/**
 * A minimal WebAssembly assembler for kernels generated at run time that
 * work in place on tfjs-backend-wasm's heap: the module imports the
 * backend's own `WebAssembly.Memory`, so tensors are addressed by their heap
 * byte offsets with no copy in or out (and growth of that memory is harmless:
 * the module holds the Memory, not a buffer).
 *
 * Only what the kernels here need: one exported function of i32 parameters,
 * v128 locals, and the opcodes below (no wat2wasm on the build machines).
 * The encoding pieces (LEB128, sections, names, opcodes) serve any
 * hand-assembled module.
 */

/** A `WebAssembly.Memory`, opaque here. */
export interface WasmMemory { readonly buffer: ArrayBuffer }

/** The slice of the WebAssembly JS API used here (the project's lib settings declare no DOM/wasm globals). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: abstract new (...args: never[]) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}

const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** `value` if it is a WebAssembly.Memory, else undefined. */
export function asWasmMemory(value: unknown): WasmMemory | undefined {
  return wasmApi !== undefined && value instanceof wasmApi.Memory ? value : undefined;
}

export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  brIf: (depth: number): number[] => [0x0d, ...uleb(depth)],
  localGet: (i: number): number[] => [0x20, ...uleb(i)],
  localSet: (i: number): number[] => [0x21, ...uleb(i)],
  localTee: (i: number): number[] => [0x22, ...uleb(i)],
  i32Const: (v: number): number[] => [0x41, ...sleb(v)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32Eqz: [0x45],
  /** memarg alignment hint 2^2: tensor data is only known to be f32-aligned */
  f32Load: (offset: number): number[] => [0x2a, 0x02, ...uleb(offset)],
  v128Load: (offset: number): number[] => [0xfd, ...uleb(0), 0x02, ...uleb(offset)],
  v128Store: (offset: number): number[] => [0xfd, ...uleb(11), 0x02, ...uleb(offset)],
  f32x4Splat: [0xfd, ...uleb(19)],
  v128Const: (bytes: Uint8Array): number[] => [0xfd, ...uleb(12), ...bytes],
  v128Bitselect: [0xfd, ...uleb(82)],
  f32x4Ne: [0xfd, ...uleb(66)],
  f32x4Gt: [0xfd, ...uleb(68)],
  i32x4Eq: [0xfd, ...uleb(55)],
  v128And: [0xfd, ...uleb(78)],
  f32x4Add: [0xfd, ...uleb(228)],
  f32x4Mul: [0xfd, ...uleb(230)],
};

/** The 16 bytes of an f32x4 constant with every lane `v`. */
export function f32x4Bytes(v: number): Uint8Array {
  return new Uint8Array(new Float32Array([v, v, v, v]).buffer);
}

/** The 16 bytes of an i32x4 constant with every lane `v`. */
export function i32x4Bytes(v: number): Uint8Array {
  return new Uint8Array(new Int32Array([v, v, v, v]).buffer);
}

/** The module preamble: magic `\0asm` and version 1. */
export const WASM_HEADER: readonly number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** A module section: its id, then its byte length, then `bytes`. */
export function section(id: number, bytes: number[]): number[] {
  return [id, ...uleb(bytes.length), ...bytes];
}

/** A name (import/export field): its UTF-8 length, then its bytes. */
export function wasmName(s: string): number[] {
  const bytes = Buffer.from(s, "utf8");
  return [...uleb(bytes.length), ...bytes];
}

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (i32.const immediates: 64 needs two bytes, 0x40 alone is −64). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/**
 * Assembles and instantiates a module exporting `name(i32 × params)`, whose
 * body uses `locals.i32` i32 locals after the parameters, then `locals.v128`
 * v128 locals, against `memory`.
 * Returns undefined where the engine rejects it (no WebAssembly SIMD) or the
 * memory does not link.
 */
export function instantiateKernel(
  memory: WasmMemory, name: string, params: number, locals: { i32?: number; v128?: number }, body: number[],
): ((...args: number[]) => void) | undefined {
  const groups = [[locals.i32 ?? 0, 0x7f], [locals.v128 ?? 0, 0x7b]].filter(([count]) => (count as number) > 0) as Array<[number, number]>;
  const func = [...uleb(groups.length), ...groups.flatMap(([count, type]) => [...uleb(count), type]), ...body, ...op.end];
  const bytes = new Uint8Array([
    ...WASM_HEADER,
    ...section(1, [1, 0x60, ...uleb(params), ...new Array<number>(params).fill(0x7f), 0]),
    ...section(2, [1, ...wasmName("env"), ...wasmName("memory"), 0x02, 0x00, 0x01]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...wasmName(name), 0x00, 0]),
    ...section(10, [1, ...uleb(func.length), ...func]),
  ]);
  if (wasmApi === undefined || !wasmApi.validate(bytes)) return undefined;
  try {
    const instance = new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } });
    return instance.exports[name] as (...args: number[]) => void;
  } catch {
    // e.g. a shared (threaded-build) memory, which an unshared import does not match
    return undefined;
  }
}
