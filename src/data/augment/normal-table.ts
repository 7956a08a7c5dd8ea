/**
 * Standard normal variates from one 32-bit draw each, by a piecewise-linear
 * inverse CDF: the top {@link NORMAL_TABLE_BITS} bits pick one of T equal
 * probability buckets, the low bits place the value linearly inside it.
 *
 * Why not Box–Muller: it costs a log, a square root, a cosine and a sine per
 * pair — measured at about a quarter of an elastic field's synthesis — while a
 * table read is one multiply-add. Why this shape: the elastic fields
 * (elastic.ts) only need variates of the right variance that are Gaussian to
 * good accuracy (in Simard's construction they are themselves weighted sums of
 * hundreds of bounded uniforms, so no infinite tails exist to reproduce).
 *
 * Properties (tested): one `nextUint32` per variate, so a draw is a pure
 * function of the stream; monotone in the bits; symmetric (bucket edges are
 * mirrored quantiles); the distribution's variance is exactly 1 (the table is
 * rescaled by its analytic second moment); bucket edges are the quantiles
 * Φ⁻¹(j/T), except the two end buckets, whose outer edge is placed so each
 * keeps the true conditional mean of its tail: |value| ≤ ≈ 3.65.
 *
 * The table is built once per process with +, −, ×, ÷ and √ only (series for
 * Φ and exp, bisection for the quantiles), which IEEE 754 rounds exactly, so
 * every machine computes the same bits — and the same augmented images.
 */

/** Buckets: 2^10. Edges at Φ⁻¹(j/1024) track the Gaussian closely (the linear pieces differ from Φ⁻¹ by < 0.003 inside ±2.5). */
export const NORMAL_TABLE_BITS = 10;
const BUCKETS = 1 << NORMAL_TABLE_BITS;
const LOW_BITS = 32 - NORMAL_TABLE_BITS;
const LOW_SPAN = 2 ** LOW_BITS;
const INV_SQRT_2PI = 0.3989422804014327;

let table: Float64Array | undefined;

/**
 * The interleaved table: entry 2i is the value at low bits 0 of bucket i
 * (half a step in, so the buckets' points are symmetric), entry 2i + 1 the
 * slope per unit of the low bits. A variate is `t[2i] + t[2i+1]·low`.
 * Memoised; callers must not modify it.
 */
export function normalTable(): Float64Array {
  table ??= buildTable();
  return table;
}

/** The standard normal variate that the 32-bit draw `u` (an integer in [0, 2^32)) stands for. */
export function normalFromBits(u: number): number {
  const t = normalTable();
  const i = (u >>> LOW_BITS) << 1;
  return (t[i] as number) + (t[i + 1] as number) * (u & (LOW_SPAN - 1));
}

/** Φ(x) for x ≥ 0 by its Taylor series (arithmetic only; ≈ 1e-14 accurate for x ≤ 4). */
function cdf(x: number): number {
  const x2 = (x * x) / 2;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= -x2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (n > x2 && Math.abs(add) < 1e-18) break;
  }
  return 0.5 + INV_SQRT_2PI * sum;
}

/** The density φ(x), with exp(−x²/2) as the reciprocal of a series of positive terms. */
function density(x: number): number {
  const y = (x * x) / 2;
  let term = 1;
  let sum = 1;
  for (let n = 1; n < 200 && term > 1e-18 * sum; n++) {
    term *= y / n;
    sum += term;
  }
  return INV_SQRT_2PI / sum;
}

/** Φ⁻¹(p) for p in [1/2, 1) by bisection: 64 halvings of [0, 8] reach the spacing of doubles. */
function quantile(p: number): number {
  let lo = 0;
  let hi = 8;
  for (let k = 0; k < 64; k++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

function buildTable(): Float64Array {
  const half = BUCKETS / 2;
  const edge = new Float64Array(BUCKETS + 1); // edge[j] for j = 0..T
  for (let j = half + 1; j < BUCKETS; j++) edge[j] = quantile(j / BUCKETS);
  // The last bucket holds the tail beyond a = edge[T − 1]; spread linearly over
  // [a, b], its mean is (a + b)/2, and the tail's is T·φ(a).
  const a = edge[BUCKETS - 1] as number;
  edge[BUCKETS] = 2 * BUCKETS * density(a) - a;
  for (let j = 0; j < half; j++) edge[j] = -(edge[BUCKETS - j] as number);
  // second moment of the piecewise-uniform distribution: each bucket [a, b] adds (a² + ab + b²)/3 / T
  let m2 = 0;
  for (let i = 0; i < BUCKETS; i++) {
    const lo = edge[i] as number;
    const hi = edge[i + 1] as number;
    m2 += (lo * lo + lo * hi + hi * hi) / 3;
  }
  const scale = 1 / Math.sqrt(m2 / BUCKETS);
  const t = new Float64Array(2 * BUCKETS);
  for (let i = 0; i < BUCKETS; i++) {
    const lo = (edge[i] as number) * scale;
    const step = ((edge[i + 1] as number) * scale - lo) / LOW_SPAN;
    t[2 * i] = lo + 0.5 * step;
    t[2 * i + 1] = step;
  }
  return t;
}
