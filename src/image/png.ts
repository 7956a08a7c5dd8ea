/**
 * Grayscale images and PNG encoding/decoding (pngjs), for image grids, previews
 * and their tests.
 */
import { PNG } from "pngjs";
import { RingtrainError, errorMessage } from "../core/errors.js";
import { sampleSize, type Dataset } from "../data/dataset.js";

/** A single-channel 8-bit image, row-major; `pixels.length` = width·height. */
export interface GrayImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** A decoded PNG: RGBA, 4 bytes per pixel, row-major. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * Sample `index` of `ds` as a {@link GrayImage}: a view into `ds.pixels` (no copy),
 * so it must not be written to.
 *
 * @throws RingtrainError INTERNAL when `ds` is not single-channel or `index` is out of range.
 */
export function datasetImage(ds: Dataset, index: number): GrayImage {
  if (ds.channels !== 1) {
    throw new RingtrainError("INTERNAL", `datasetImage(${ds.name}): ${ds.channels} channels; only grayscale (1 channel) images are supported`);
  }
  if (!(Number.isInteger(index) && index >= 0 && index < ds.count)) {
    throw new RingtrainError("INTERNAL", `datasetImage(${ds.name} ${ds.split}): index ${index} is outside [0, ${ds.count})`);
  }
  const size = sampleSize(ds);
  return { width: ds.width, height: ds.height, pixels: ds.pixels.subarray(index * size, (index + 1) * size) };
}

/**
 * A {@link GrayImage} from float values in [0, 1] (model input, augmentation
 * output): each becomes round(v·255), clamped to 0..255 (NaN → 0). `values` is
 * only read; the result owns fresh pixels.
 *
 * @throws RingtrainError INTERNAL when `values.length` ≠ width·height.
 */
export function grayImageFromUnit(values: ArrayLike<number>, width: number, height: number): GrayImage {
  if (values.length !== width * height) {
    throw new RingtrainError("INTERNAL", `grayImageFromUnit: ${values.length} values for a ${width}×${height} image`);
  }
  const pixels = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Math.round((values[i] as number) * 255);
    pixels[i] = v > 255 ? 255 : v > 0 ? v : 0;
  }
  return { width, height, pixels };
}

function checkImage(img: GrayImage, what: string): void {
  if (!(Number.isInteger(img.width) && img.width >= 1 && Number.isInteger(img.height) && img.height >= 1)) {
    throw new RingtrainError("INTERNAL", `${what}: image size ${img.width}×${img.height}; expected positive integers`);
  }
  if (img.pixels.length !== img.width * img.height) {
    throw new RingtrainError("INTERNAL", `${what}: ${img.width}×${img.height} image has ${img.pixels.length} pixels`);
  }
}

/**
 * Encodes `img` as a grayscale PNG, upscaled `scale` times by nearest neighbour
 * (each pixel becomes a scale×scale block), so 28×28 digits stay sharp and
 * visible. Synchronous. `img` is only read.
 *
 * @throws RingtrainError INTERNAL on inconsistent sizes or a scale that is not a positive integer.
 */
export function encodeGrayPng(img: GrayImage, scale = 1): Buffer {
  checkImage(img, "encodeGrayPng");
  if (!(Number.isInteger(scale) && scale >= 1)) {
    throw new RingtrainError("INTERNAL", `encodeGrayPng: scale is ${scale}; expected a positive integer`);
  }
  const w = img.width * scale;
  const h = img.height * scale;
  const png = new PNG({ width: w, height: h });
  const out = png.data;
  for (let y = 0; y < h; y++) {
    const srcRow = Math.floor(y / scale) * img.width;
    for (let x = 0; x < w; x++) {
      const v = img.pixels[srcRow + Math.floor(x / scale)] as number;
      const o = (y * w + x) * 4;
      out[o] = v;
      out[o + 1] = v;
      out[o + 2] = v;
      out[o + 3] = 255;
    }
  }
  return PNG.sync.write(png, { colorType: 0 });
}

/**
 * Decodes PNG bytes to RGBA (any PNG colour type). Synchronous.
 *
 * @throws RingtrainError DATA_INVALID when `bytes` are not a valid PNG.
 */
export function decodePng(bytes: Uint8Array): RgbaImage {
  try {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { width: png.width, height: png.height, data: png.data };
  } catch (e) {
    throw new RingtrainError("DATA_INVALID", `not a valid PNG (${errorMessage(e)})`, { cause: e });
  }
}
