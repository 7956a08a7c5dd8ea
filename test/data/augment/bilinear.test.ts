import { describe, expect, it } from "vitest";
import { IDENTITY_AFFINE, inverseAffineMap } from "../../../src/data/augment/affine.js";
import { warpBilinear } from "../../../src/data/augment/bilinear.js";
import { gatherBatch, type Dataset } from "../../../src/data/dataset.js";
import { createRng } from "../../../src/core/random.js";

function randomImages(count: number, h: number, w: number, c: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  const img = new Uint8Array(count * h * w * c);
  for (let i = 0; i < img.length; i++) img[i] = rng.nextInt(256);
  return img;
}

function asDataset(pixels: Uint8Array, count: number, h: number, w: number, c: number): Dataset {
  return { name: "synthetic", split: "train", count, height: h, width: w, channels: c, numClasses: 10, pixels, labels: new Uint8Array(count) };
}

function shift(tx: number, ty: number, h: number, w: number): Float64Array {
  return inverseAffineMap({ ...IDENTITY_AFFINE, translateX: tx, translateY: ty }, h, w);
}

describe("warpBilinear", () => {
  it("returns exactly gatherBatch's floats for the identity, for every byte value and channel count", () => {
    for (const c of [1, 3]) {
      const h = 16;
      const w = 16; // 256·c pixels: every byte value appears
      const pixels = new Uint8Array(2 * h * w * c);
      for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7 + (i >> 8)) & 255;
      const expected = new Float32Array(2 * h * w * c);
      gatherBatch(asDataset(pixels, 2, h, w, c), [1], expected, new Int32Array(1));
      const out = new Float32Array(h * w * c);
      warpBilinear(pixels, h * w * c, h, w, c, inverseAffineMap(IDENTITY_AFFINE, h, w), null, null, out, 0);
      expect(out).toEqual(expected.subarray(0, h * w * c));
    }
  });

  it("averages the two neighbours at a half-pixel offset, and four at a half-pixel diagonal", () => {
    const h = 4;
    const w = 4;
    const img = Uint8Array.from([10, 100, 201, 0, 20, 40, 60, 80, 0, 0, 0, 0, 255, 255, 255, 255]);
    const out = new Float32Array(h * w);
    warpBilinear(img, 0, h, w, 1, shift(0.5, 0, h, w), null, null, out, 0); // sample at x − 0.5
    expect(out[2]).toBe(Math.fround((100 + 201) / 2 / 255));
    expect(out[1]).toBe(Math.fround((10 + 100) / 2 / 255));
    warpBilinear(img, 0, h, w, 1, shift(0.5, 0.5, h, w), null, null, out, 0); // sample at (x − 0.5, y − 0.5)
    expect(out[1 * w + 2]).toBeCloseTo((100 + 201 + 40 + 60) / 4 / 255, 7);
  });

  it("fills with 0 outside the image, and blends with 0 across the border", () => {
    const h = 5;
    const w = 6;
    const img = new Uint8Array(h * w).fill(200);
    const out = new Float32Array(h * w);
    warpBilinear(img, 0, h, w, 1, shift(3, 0, h, w), null, null, out, 0);
    for (let y = 0; y < h; y++) {
      expect(Array.from(out.subarray(y * w, y * w + 3))).toEqual([0, 0, 0]);
      expect(Array.from(out.subarray(y * w + 3, y * w + 6))).toEqual(Array(3).fill(Math.fround(200 / 255)));
    }
    warpBilinear(img, 0, h, w, 1, shift(-0.5, 0, h, w), null, null, out, 0); // last column reads half outside
    expect(out[w - 1]).toBe(Math.fround(100 / 255));
    expect(out[w - 2]).toBe(Math.fround(200 / 255));
    warpBilinear(img, 0, h, w, 1, shift(100, -100, h, w), null, null, out, 0);
    expect(out.every((v) => v === 0)).toBe(true);
  });

  it("moves all channels together", () => {
    const h = 6;
    const w = 7;
    const c = 3;
    const img = randomImages(1, h, w, c, 3);
    const out = new Float32Array(h * w * c);
    warpBilinear(img, 0, h, w, c, shift(2, 1, h, w), null, null, out, 0);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let k = 0; k < c; k++) {
          const sx = x - 2;
          const sy = y - 1;
          const expected = sx >= 0 && sy >= 0 ? Math.fround((img[(sy * w + sx) * c + k] as number) / 255) : 0;
          expect(out[(y * w + x) * c + k]).toBe(expected);
        }
      }
    }
  });

  it("adds the displacement fields to the mapped coordinates", () => {
    const h = 8;
    const w = 8;
    const img = randomImages(1, h, w, 1, 4);
    const dx = new Float64Array(h * w).fill(-1); // sample one pixel to the left: a shift right by 1
    const dy = new Float64Array(h * w).fill(0);
    const a = new Float32Array(h * w);
    const b = new Float32Array(h * w);
    warpBilinear(img, 0, h, w, 1, inverseAffineMap(IDENTITY_AFFINE, h, w), dx, dy, a, 0);
    warpBilinear(img, 0, h, w, 1, shift(1, 0, h, w), null, null, b, 0);
    expect(a).toEqual(b);
  });

  it("the per-row fast path agrees bit for bit with checking every pixel, over many random maps", () => {
    // with all-zero displacement fields the warp checks every pixel; without, it uses the interior run
    for (const [h, w] of [[28, 28], [9, 13]] as const) {
      const img = randomImages(1, h, w, 1, 6);
      const zeros = new Float64Array(h * w);
      const a = new Float32Array(h * w);
      const b = new Float32Array(h * w);
      const rng = createRng(77, h);
      for (let t = 0; t < 400; t++) {
        const params = {
          translateX: (rng.next() * 2 - 1) * w * 0.6,
          translateY: (rng.next() * 2 - 1) * h * 0.6,
          rotation: t % 10 === 0 ? 90 * (t % 4) : (rng.next() * 2 - 1) * 180,
          scale: 0.2 + rng.next() * 2,
          shear: (rng.next() * 2 - 1) * 60,
        };
        const m = inverseAffineMap(params, h, w);
        warpBilinear(img, 0, h, w, 1, m, null, null, a, 0);
        warpBilinear(img, 0, h, w, 1, m, zeros, zeros, b, 0);
        expect(a, JSON.stringify(params)).toEqual(b);
      }
    }
  });

  it("writes only its own sample's slice of the output", () => {
    const img = randomImages(1, 4, 4, 1, 5);
    const out = new Float32Array(48).fill(-1);
    warpBilinear(img, 0, 4, 4, 1, shift(0.3, 0.2, 4, 4), null, null, out, 16);
    expect(out.subarray(0, 16).every((v) => v === -1)).toBe(true);
    expect(out.subarray(32).every((v) => v === -1)).toBe(true);
    expect(out.subarray(16, 32).some((v) => v !== -1)).toBe(true);
  });
});
