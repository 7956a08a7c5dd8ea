/**
 * The largest element-wise error of `got` against the reference `ref`, where it
 * is (`at`, -1 when none: empty arrays), and ref's largest magnitude (`scale`),
 * for a caller's own tolerance relative to the reference. A NaN in `got` counts
 * as the largest error.
 */
export function largestError(got: Float32Array, ref: Float32Array): { error: number; at: number; scale: number } {
  let scale = 0;
  for (const v of ref) scale = Math.max(scale, Math.abs(v));
  let error = 0;
  let at = -1;
  for (let i = 0; i < ref.length; i++) {
    const e = Math.abs((got[i] as number) - (ref[i] as number));
    // written so that NaN (which compares false) is taken
    if (!(e <= error)) {
      error = e;
      at = i;
    }
  }
  return { error, at, scale };
}
