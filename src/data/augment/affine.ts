/**
 * Affine transforms of an image about its centre, as the inverse mapping the
 * warp needs: for each output pixel, where in the source to sample.
 *
 * Coordinates are pixel centres: x in [0, width), y in [0, height), y down.
 * The centre is ((width − 1)/2, (height − 1)/2). The forward transform of a
 * point p is
 *
 *   p' = c + R(rotation) · H(shear) · S(scale) · (p − c) + t
 *
 * (scale first, then shear, then rotation, then translation), so the inverse
 * mapping is src = c + S⁻¹ H⁻¹ R⁻¹ (p' − c − t), stored as the six numbers of
 * `sx = m0·x + m1·y + m2`, `sy = m3·x + m4·y + m5`.
 */
import type { Rng } from "../../core/random.js";
import type { AugmentKind } from "./config.js";

/** Explicit parameters of one affine transform. */
export interface AffineParams {
  /** shift right, in pixels */
  translateX: number;
  /** shift down, in pixels */
  translateY: number;
  /** degrees, counter-clockwise on screen */
  rotation: number;
  /** content scale factor (> 1 enlarges) */
  scale: number;
  /** degrees of horizontal shear: row y moves right by tan(shear)·(y − cy) */
  shear: number;
}

/** The parameters that change nothing. */
export const IDENTITY_AFFINE: Readonly<AffineParams> = Object.freeze({ translateX: 0, translateY: 0, rotation: 0, scale: 1, shear: 0 });

/** A fresh copy of the identity parameters (callers mutate it in place). */
export function identityAffine(): AffineParams {
  return { ...IDENTITY_AFFINE };
}

const DEG = Math.PI / 180;

/**
 * Fills `out` (length ≥ 6) with the inverse mapping of `p` for an image of
 * `height`×`width` and returns it.
 *
 * Identity parameters give exactly [1, 0, 0, 0, 1, 0] (so the warp returns the
 * input bit for bit): cos 0 = 1, sin 0 = tan 0 = 0 and 1/1 = 1 are exact in
 * IEEE arithmetic, and the offsets cancel exactly.
 */
export function inverseAffineMap(p: Readonly<AffineParams>, height: number, width: number, out: Float64Array = new Float64Array(6)): Float64Array {
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const cos = Math.cos(p.rotation * DEG);
  const sin = Math.sin(p.rotation * DEG);
  const t = Math.tan(p.shear * DEG);
  const inv = 1 / p.scale;
  // R⁻¹ = [cos −sin; sin cos] (R turns +x towards −y, i.e. up on screen),
  // H⁻¹ = [1 −t; 0 1], S⁻¹ = I/scale.
  const a = (cos - t * sin) * inv;
  const b = (-sin - t * cos) * inv;
  const c = sin * inv;
  const d = cos * inv;
  const ox = cx + p.translateX;
  const oy = cy + p.translateY;
  out[0] = a;
  out[1] = b;
  out[2] = cx - (a * ox + b * oy);
  out[3] = c;
  out[4] = d;
  out[5] = cy - (c * ox + d * oy);
  return out;
}

/** A uniform draw in [−r, r); no draw at all when r is 0, so absent parameters cost nothing. */
function symmetric(rng: Rng, r: number): number {
  return r === 0 ? 0 : (rng.next() * 2 - 1) * r;
}

/**
 * Draws one sample's affine parameters for `kind` from `rng` into `out` and
 * returns it. Draw order (fixed, part of the reproducibility contract):
 * translateX, translateY, rotation, scale, shear; a parameter that is 0 in
 * `kind` draws nothing.
 */
export function drawAffineParams(kind: AugmentKind, height: number, width: number, rng: Rng, out: AffineParams): AffineParams {
  out.translateX = symmetric(rng, kind.translate) * width;
  out.translateY = symmetric(rng, kind.translate) * height;
  out.rotation = symmetric(rng, kind.rotation);
  out.scale = 1 + symmetric(rng, kind.zoom);
  out.shear = symmetric(rng, kind.shear);
  return out;
}

/** True when `m` (from {@link inverseAffineMap}) maps every pixel to itself. */
export function isIdentityMap(m: Float64Array): boolean {
  return m[0] === 1 && m[1] === 0 && m[2] === 0 && m[3] === 0 && m[4] === 1 && m[5] === 0;
}
