import { describe, it, expect } from "vitest";
import type { Dataset } from "../../src/data/dataset.js";
import { datasetImage, decodePng, encodeGrayPng, grayImageFromUnit } from "../../src/image/png.js";
import { isRingtrainError } from "../../src/core/errors.js";

describe("grayscale PNG", () => {
  it("encodes with nearest-neighbour upscaling and decodes back", () => {
    const img = { width: 3, height: 2, pixels: Uint8Array.of(0, 50, 100, 150, 200, 255) };
    for (const scale of [1, 3]) {
      const png = encodeGrayPng(img, scale);
      expect(Array.from(png.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]); // "PNG"
      const back = decodePng(png);
      expect(back.width).toBe(3 * scale);
      expect(back.height).toBe(2 * scale);
      for (let y = 0; y < back.height; y++) {
        for (let x = 0; x < back.width; x++) {
          const v = img.pixels[Math.floor(y / scale) * 3 + Math.floor(x / scale)];
          const o = (y * back.width + x) * 4;
          expect(Array.from(back.data.subarray(o, o + 4))).toEqual([v, v, v, 255]);
        }
      }
    }
  });

  it("takes a sample of a dataset as an image view", () => {
    const ds: Dataset = {
      name: "d",
      split: "test",
      count: 2,
      height: 2,
      width: 2,
      channels: 1,
      numClasses: 10,
      pixels: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
      labels: Uint8Array.of(0, 1),
    };
    const img = datasetImage(ds, 1);
    expect(img).toMatchObject({ width: 2, height: 2 });
    expect(Array.from(img.pixels)).toEqual([5, 6, 7, 8]);
    expect(() => datasetImage(ds, 2)).toThrow(/index 2 is outside \[0, 2\)/);
  });

  it("converts [0, 1] floats to bytes, clamping", () => {
    const img = grayImageFromUnit(Float32Array.of(0, 1, 0.5, -0.2, 1.7, Number.NaN), 3, 2);
    expect(Array.from(img.pixels)).toEqual([0, 255, 128, 0, 255, 0]);
    expect(() => grayImageFromUnit([0, 1], 3, 1)).toThrow(/2 values for a 3×1 image/);
  });

  it("rejects bad input", () => {
    expect(() => encodeGrayPng({ width: 2, height: 2, pixels: new Uint8Array(3) })).toThrow(/2×2 image has 3 pixels/);
    expect(() => encodeGrayPng({ width: 1, height: 1, pixels: new Uint8Array(1) }, 0)).toThrow(/scale is 0/);
    let err: unknown;
    try {
      decodePng(Buffer.from("not a png"));
    } catch (e) {
      err = e;
    }
    expect(isRingtrainError(err, "DATA_INVALID")).toBe(true);
  });
});
