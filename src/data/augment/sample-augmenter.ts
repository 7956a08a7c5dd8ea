/**
 * One sample's augmentation: draw the parameters of a transform kind from the
 * sample's own random stream, compose them into one inverse mapping (affine
 * matrix plus optional elastic displacement field) and warp.
 *
 * Per sample the stream is read in a fixed order — affine parameters
 * (see drawAffineParams), then the elastic noise (see ElasticField.draw) — so
 * the image is a pure function of (kind, stream seed, source pixels).
 */
import type { Rng } from "../../core/random.js";
import { drawAffineParams, identityAffine, inverseAffineMap, type AffineParams } from "./affine.js";
import { warpBilinear } from "./bilinear.js";
import { isIdentityKind, type AugmentKind } from "./config.js";
import { ElasticField } from "./elastic.js";

/**
 * Writes one source sample as float32 in [0, 1] without transforming it: the
 * same values as gatherBatch (byte / 255 rounded to float32).
 */
export function copyScaled(src: Uint8Array, srcOffset: number, size: number, out: Float32Array, outOffset: number): void {
  for (let j = 0; j < size; j++) out[outOffset + j] = (src[srcOffset + j] as number) / 255;
}

/**
 * Augments samples of one image shape, reusing its buffers (affine matrix,
 * elastic fields and their scratch): one per sample source. Synchronous,
 * allocates nothing per sample after the first elastic sample of each sigma.
 */
export class SampleAugmenter {
  readonly size: number;
  private readonly params: AffineParams = identityAffine();
  private readonly map = new Float64Array(6);
  private readonly fields = new Map<number, ElasticField>();

  constructor(
    readonly height: number,
    readonly width: number,
    readonly channels: number,
  ) {
    this.size = height * width * channels;
  }

  /**
   * Writes the sample at `src[srcOffset ..]` (uint8, HWC), transformed by a
   * draw of `kind` from `rng`, into `out[outOffset ..]` as float32 in [0, 1].
   * An identity kind copies (the same bits as gatherBatch) and draws nothing.
   */
  apply(kind: AugmentKind, rng: Rng, src: Uint8Array, srcOffset: number, out: Float32Array, outOffset: number): void {
    if (isIdentityKind(kind)) {
      copyScaled(src, srcOffset, this.size, out, outOffset);
      return;
    }
    const { height, width } = this;
    drawAffineParams(kind, height, width, rng, this.params);
    inverseAffineMap(this.params, height, width, this.map);
    if (kind.elastic !== undefined) {
      this.field(kind.elastic.sigma).warp(rng, kind.elastic.alpha, src, srcOffset, this.channels, this.map, out, outOffset);
    } else {
      warpBilinear(src, srcOffset, height, width, this.channels, this.map, null, null, out, outOffset);
    }
  }

  private field(sigma: number): ElasticField {
    let f = this.fields.get(sigma);
    if (f === undefined) {
      f = new ElasticField(this.height, this.width, sigma);
      this.fields.set(sigma, f);
    }
    return f;
  }
}
