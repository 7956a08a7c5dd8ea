import { describe, expect, it } from "vitest";
import { IDENTITY_AFFINE, drawAffineParams, identityAffine, inverseAffineMap, isIdentityMap, type AffineParams } from "../../../src/data/augment/affine.js";
import { warpBilinear } from "../../../src/data/augment/bilinear.js";
import { parseAugmentKind } from "../../../src/data/augment/config.js";
import { createRng } from "../../../src/core/random.js";

/** A black h×w image with one white pixel at (x, y). */
function dot(h: number, w: number, x: number, y: number): Uint8Array {
  const img = new Uint8Array(h * w);
  img[y * w + x] = 255;
  return img;
}

function warp(img: Uint8Array, h: number, w: number, p: Partial<AffineParams>): Float32Array {
  const out = new Float32Array(h * w);
  warpBilinear(img, 0, h, w, 1, inverseAffineMap({ ...IDENTITY_AFFINE, ...p }, h, w), null, null, out, 0);
  return out;
}

/** Pixels above 1e-9 as "x,y=value" (sorted), so a failure shows where the dot went. */
function lit(out: Float32Array, w: number): string[] {
  const r: string[] = [];
  out.forEach((v, i) => {
    if (v > 1e-9) r.push(`${i % w},${Math.floor(i / w)}=${v.toFixed(6)}`);
  });
  return r;
}

describe("inverseAffineMap", () => {
  it("gives exactly the identity matrix for identity parameters", () => {
    const m = inverseAffineMap(IDENTITY_AFFINE, 28, 28);
    expect(isIdentityMap(m)).toBe(true);
    expect(Array.from(m, (v) => (v === 0 ? 0 : v))).toEqual([1, 0, 0, 0, 1, 0]); // −0 and +0 alike
    expect(isIdentityMap(inverseAffineMap({ ...IDENTITY_AFFINE, translateX: 1e-9 }, 28, 28))).toBe(false);
  });

  it("inverts the forward transform: mapping a forward-transformed point back gives the point", () => {
    const p: AffineParams = { translateX: 2.5, translateY: -1.25, rotation: 33, scale: 1.3, shear: 12 };
    const h = 20;
    const w = 30;
    const m = inverseAffineMap(p, h, w);
    const cx = (w - 1) / 2;
    const cy = (h - 1) / 2;
    const rad = Math.PI / 180;
    const forward = (x: number, y: number): [number, number] => {
      // S, then H, then R (counter-clockwise on screen, y down), then t — written out independently of the module
      let u = (x - cx) * p.scale;
      const v = (y - cy) * p.scale;
      u = u + Math.tan(p.shear * rad) * v;
      const c = Math.cos(p.rotation * rad);
      const s = Math.sin(p.rotation * rad);
      return [cx + c * u + s * v + p.translateX, cy - s * u + c * v + p.translateY];
    };
    for (const [x, y] of [[0, 0], [7, 3], [29, 19], [14.5, 9.5]] as const) {
      const [fx, fy] = forward(x, y);
      expect(m[0]! * fx + m[1]! * fy + m[2]!).toBeCloseTo(x, 10);
      expect(m[3]! * fx + m[4]! * fy + m[5]!).toBeCloseTo(y, 10);
    }
  });
});

describe("affine warps move a dot where the geometry says", () => {
  it("translation by (dx, dy) moves the dot by (dx, dy), exactly", () => {
    const out = warp(dot(28, 28, 10, 12), 28, 28, { translateX: 3, translateY: -2 });
    expect(lit(out, 28)).toEqual(["13,10=1.000000"]);
    expect(out[10 * 28 + 13]).toBe(Math.fround(1));
  });

  it("zoom keeps the centre fixed and scales distances from it", () => {
    // 29×29: the centre is pixel (14, 14); enlarging spreads the dot symmetrically around it
    const z = warp(dot(29, 29, 14, 14), 29, 29, { scale: 1.7 });
    expect(z[14 * 29 + 14]).toBe(1);
    for (const [dx, dy] of [[1, 0], [1, 1], [0, 1]] as const) {
      const v = z[(14 + dy) * 29 + 14 + dx];
      expect(v).toBeGreaterThan(0);
      for (const [sx, sy] of [[-1, 1], [1, -1], [-1, -1]]) expect(z[(14 + sy! * dy) * 29 + 14 + sx! * dx]).toBe(v);
    }
    expect(lit(z, 29)).toHaveLength(9);
    // 4 px right of the centre, scale 2 → 8 px right of it (the brightest pixel)
    const right = warp(dot(29, 29, 18, 14), 29, 29, { scale: 2 });
    expect(right[14 * 29 + 22]).toBe(1);
    expect(Math.max(...right)).toBe(1);
    // scale 0.5: 8 px above → 4 px above
    expect(lit(warp(dot(29, 29, 14, 6), 29, 29, { scale: 0.5 }), 29)).toEqual(["14,10=1.000000"]);
  });

  it("rotation by 90° turns a pixel right of the centre to above it (counter-clockwise on screen)", () => {
    // 28×28, centre (13.5, 13.5): (20, 13) is (+6.5, −0.5) from it → (−0.5, −6.5) → (13, 7)
    const out = warp(dot(28, 28, 20, 13), 28, 28, { rotation: 90 });
    expect(lit(out, 28)).toEqual(["13,7=1.000000"]);
    // and −90° sends it below: (+0.5, +6.5) → (14, 20)
    expect(lit(warp(dot(28, 28, 20, 13), 28, 28, { rotation: -90 }), 28)).toEqual(["14,20=1.000000"]);
    // 180° about the centre: (x, y) → (27 − x, 27 − y)
    expect(lit(warp(dot(28, 28, 3, 5), 28, 28, { rotation: 180 }), 28)).toEqual(["24,22=1.000000"]);
  });

  it("translation applies after rotation (in the output frame)", () => {
    const out = warp(dot(28, 28, 20, 13), 28, 28, { rotation: 90, translateX: 2, translateY: 3 });
    expect(lit(out, 28)).toEqual(["15,10=1.000000"]);
  });

  it("shear moves each row sideways by tan(angle)·(y − cy)", () => {
    // 29×29, centre row 14: a dot 4 rows below moves 4 px right at 45°, one on the centre row stays
    expect(lit(warp(dot(29, 29, 14, 18), 29, 29, { shear: 45 }), 29)).toEqual(["18,18=1.000000"]);
    expect(lit(warp(dot(29, 29, 5, 14), 29, 29, { shear: 45 }), 29)).toEqual(["5,14=1.000000"]);
    expect(lit(warp(dot(29, 29, 14, 10), 29, 29, { shear: 45 }), 29)).toEqual(["10,10=1.000000"]);
  });
});

describe("drawAffineParams", () => {
  it("draws within the kind's ranges, and nothing for absent parameters", () => {
    const kind = parseAugmentKind({ translate: 0.1, rotation: 36, zoom: 0.15, shear: 10 });
    const p = identityAffine();
    for (let i = 0; i < 2000; i++) {
      drawAffineParams(kind, 28, 30, createRng(1, i), p);
      expect(Math.abs(p.translateX)).toBeLessThanOrEqual(3);
      expect(Math.abs(p.translateY)).toBeLessThanOrEqual(2.8);
      expect(Math.abs(p.rotation)).toBeLessThanOrEqual(36);
      expect(p.scale).toBeGreaterThanOrEqual(0.85);
      expect(p.scale).toBeLessThanOrEqual(1.15);
      expect(Math.abs(p.shear)).toBeLessThanOrEqual(10);
    }
    const rng = createRng(5);
    drawAffineParams(parseAugmentKind({}), 28, 28, rng, p);
    expect(p).toEqual(IDENTITY_AFFINE);
    // no draw was consumed by the identity kind
    expect(rng.nextUint32()).toBe(createRng(5).nextUint32());
  });

  it("uses the whole range (uniform in ±f): both signs and values near the ends occur", () => {
    const kind = parseAugmentKind({ rotation: 10 });
    const p = identityAffine();
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < 1000; i++) {
      drawAffineParams(kind, 28, 28, createRng(2, i), p);
      min = Math.min(min, p.rotation);
      max = Math.max(max, p.rotation);
    }
    expect(min).toBeLessThan(-9.8);
    expect(max).toBeGreaterThan(9.8);
  });
});
