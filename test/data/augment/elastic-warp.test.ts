import { describe, expect, it } from "vitest";
import { IDENTITY_AFFINE, inverseAffineMap } from "../../../src/data/augment/affine.js";
import { warpBilinear } from "../../../src/data/augment/bilinear.js";
import { ElasticField } from "../../../src/data/augment/elastic.js";
import { createRng } from "../../../src/core/random.js";

function randomImage(size: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  const img = new Uint8Array(size);
  for (let i = 0; i < img.length; i++) img[i] = rng.nextInt(256);
  return img;
}

describe("ElasticField.warp (fused field synthesis and warp)", () => {
  it("equals draw followed by warpBilinear bit for bit, for odd and even sizes, any affine map and large displacements", () => {
    // 28×28 with sigma 4 and 6: 4 + 4 mode slots (the specialised kernel; sigma 6 pads 3 + 3); the others: the generic one
    for (const [h, w, sigma] of [[28, 28, 4], [28, 28, 6], [27, 21, 3], [16, 9, 3], [20, 24, 2]] as const) {
      const field = new ElasticField(h, w, sigma, "spectral");
      const img = randomImage(2 * h * w, h * w);
      const dx = new Float64Array(h * w);
      const dy = new Float64Array(h * w);
      const fused = new Float32Array(3 * h * w).fill(-1);
      const separate = new Float32Array(h * w);
      const rng = createRng(61, h, w);
      for (let t = 0; t < 60; t++) {
        const m =
          t % 3 === 0
            ? inverseAffineMap(IDENTITY_AFFINE, h, w)
            : inverseAffineMap(
                {
                  translateX: (rng.next() * 2 - 1) * w * 0.4,
                  translateY: (rng.next() * 2 - 1) * h * 0.4,
                  rotation: (rng.next() * 2 - 1) * 180,
                  scale: 0.5 + rng.next(),
                  shear: (rng.next() * 2 - 1) * 30,
                },
                h,
                w,
              );
        const alpha = [34, 0.5, 300][t % 3] as number; // 300: much of the image samples outside
        field.warp(createRng(5, t), alpha, img, h * w, 1, m, fused, h * w);
        field.draw(createRng(5, t), alpha, dx, dy);
        warpBilinear(img, h * w, h, w, 1, m, dx, dy, separate, 0);
        expect(fused.subarray(h * w, 2 * h * w), `${h}×${w} draw ${t}`).toEqual(separate);
        expect(fused.subarray(0, h * w).every((v) => v === -1) && fused.subarray(2 * h * w).every((v) => v === -1)).toBe(true);
      }
    }
  });

  it("takes the field-then-warp path for several channels and for the exact method, with the same result", () => {
    const h = 12;
    const w = 10;
    for (const [channels, method] of [[3, "spectral"], [1, "exact"], [3, "exact"]] as const) {
      const field = new ElasticField(h, w, 2, method);
      const img = randomImage(h * w * channels, channels);
      const m = inverseAffineMap({ ...IDENTITY_AFFINE, rotation: 20, translateX: 1.5 }, h, w);
      const a = new Float32Array(h * w * channels);
      const b = new Float32Array(h * w * channels);
      const dx = new Float64Array(h * w);
      const dy = new Float64Array(h * w);
      field.warp(createRng(9), 20, img, 0, channels, m, a, 0);
      field.draw(createRng(9), 20, dx, dy);
      warpBilinear(img, 0, h, w, channels, m, dx, dy, b, 0);
      expect(a).toEqual(b);
      expect(a.some((v, i) => v !== (img[i] as number) / 255)).toBe(true); // it did distort
    }
  });
});
