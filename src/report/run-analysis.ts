/**
 * What the report shows about one trained model beyond its metrics: the
 * confusion matrix and per-class accuracy on the run's evaluation split, and
 * the most confidently wrong images. Computed by inference in this process
 * (wasm, else cpu backend) and saved as `analysis.json` beside the report, with
 * the gallery's pixels, so a rebuild needs neither inference nor the dataset.
 */
import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { selectBackend, type BackendInfo } from "../compute/backend.js";
import type { RunConfig } from "../config/schema.js";
import { loadRunDatasets } from "../data/run-datasets.js";
import { datasetClassNames, loadDataset, resolveDatasetSpec } from "../data/datasets.js";
import type { Dataset } from "../data/dataset.js";
import { errorMessage, isRingtrainError } from "../core/errors.js";
import { writeFileAtomic } from "../core/file-writes.js";
import { datasetImage } from "../image/png.js";
import type { Logger } from "../core/log.js";
import { predict, restoreModel, type Predictions } from "../inference/predict.js";
import { loadTrainedRun } from "../inference/trained-run.js";

/** A wrongly classified evaluation image, with its pixels (grayscale, row-major, base64). */
export interface GalleryItem {
  /** index in the evaluation split */
  index: number;
  label: number;
  predicted: number;
  /** softmax probability of the predicted class */
  confidence: number;
  width: number;
  height: number;
  pixelsBase64: string;
}

export interface ClassAccuracy {
  label: number;
  name: string;
  count: number;
  correct: number;
  /** null for a class with no samples in the split */
  accuracy: number | null;
}

/** `analysis.json`. */
export interface RunAnalysis {
  version: 1;
  /** the analysed run directory, relative to the report directory */
  runDir: string;
  runId: string;
  /** modification time of its weights.bin: a retrained run makes the analysis stale */
  weightsMtimeMs: number;
  dataset: string;
  /** which split was scored: the run's labelled test split, or its validation split where the dataset has none */
  split: "test" | "validation";
  samples: number;
  accuracy: number;
  classNames: string[];
  /** `confusion[true][predicted]` = count */
  confusion: number[][];
  perClass: ClassAccuracy[];
  /** the most confidently wrong images, most confident first */
  gallery: GalleryItem[];
  backend: string;
}

export const ANALYSIS_FILE = "analysis.json";
const GALLERY_SIZE = 24;

/** The run to analyse, as readRun read it: a run with weights. */
export interface WeightedRun {
  /** absolute path */
  dir: string;
  runId: string;
  /** modification time of its weights.bin */
  weightsMtimeMs: number;
}

/** The saved analysis, when it describes `run`'s current weights; else null. */
async function readSavedAnalysis(reportDir: string, run: WeightedRun): Promise<RunAnalysis | null> {
  let saved: RunAnalysis;
  try {
    saved = JSON.parse(await readFile(join(reportDir, ANALYSIS_FILE), "utf8")) as RunAnalysis;
  } catch {
    return null;
  }
  if (saved.version !== 1 || saved.runDir !== relative(reportDir, run.dir) || !Array.isArray(saved.confusion)) return null;
  return saved.weightsMtimeMs === run.weightsMtimeMs ? saved : null;
}

/** The backend inference runs on here: wasm (fast, everywhere), else the pure-JS cpu backend. */
async function inferenceBackend(): Promise<BackendInfo> {
  try {
    return await selectBackend("wasm");
  } catch {
    return selectBackend("cpu");
  }
}

/** Confusion matrix, per-class accuracy and gallery of predictions against the labels. */
export function summarisePredictions(data: Dataset, predictions: Predictions, classNames: readonly string[]): Pick<RunAnalysis, "accuracy" | "confusion" | "perClass" | "gallery"> {
  const k = data.numClasses;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const wrong: number[] = [];
  for (let i = 0; i < data.count; i++) {
    const label = data.labels[i]!;
    const predicted = predictions.classes[i]!;
    confusion[label]![predicted]!++;
    if (label !== predicted) wrong.push(i);
  }
  wrong.sort((a, b) => predictions.confidence[b]! - predictions.confidence[a]! || a - b);
  const perClass = confusion.map((row, label): ClassAccuracy => {
    const count = row.reduce((a, b) => a + b, 0);
    const correct = row[label]!;
    return { label, name: classNames[label] ?? String(label), count, correct, accuracy: count === 0 ? null : correct / count };
  });
  const correct = perClass.reduce((a, c) => a + c.correct, 0);
  // only single-channel images can be shown (every MNIST-family dataset is)
  const gallery = data.channels !== 1 ? [] : wrong.slice(0, GALLERY_SIZE).map((index): GalleryItem => {
    const img = datasetImage(data, index);
    return {
      index,
      label: data.labels[index]!,
      predicted: predictions.classes[index]!,
      confidence: predictions.confidence[index]!,
      width: img.width,
      height: img.height,
      pixelsBase64: Buffer.from(img.pixels).toString("base64"),
    };
  });
  return { accuracy: data.count === 0 ? 0 : correct / data.count, confusion, perClass, gallery };
}

/**
 * The split the run evaluated after every epoch (loadRunDatasets' `test`): its
 * labelled test split, read without the training set; for a dataset without one
 * (Kaggle), the validation split held out of the training set.
 */
async function evaluatedSplit(config: RunConfig): Promise<{ data: Dataset; split: RunAnalysis["split"] }> {
  if ((await resolveDatasetSpec(config.dataset)).hasTestSplit) {
    return { data: await loadDataset(config.dataset, "test", config.testLimit === undefined ? {} : { limit: config.testLimit }), split: "test" };
  }
  return { data: (await loadRunDatasets(config)).test, split: "validation" };
}

async function computeAnalysis(reportDir: string, target: WeightedRun, logger: Logger | undefined): Promise<RunAnalysis> {
  const started = performance.now();
  const runDir = target.dir;
  const run = await loadTrainedRun(runDir);
  const { data, split } = await evaluatedSplit(run.config);
  const backend = await inferenceBackend();
  const classNames = [...datasetClassNames(run.config.dataset)];
  const model = restoreModel(run, data, classNames.length);
  let predictions: Predictions;
  try {
    predictions = predict(model, data, classNames.length);
  } finally {
    model.dispose();
  }
  const summary = summarisePredictions(data, predictions, classNames);
  logger?.info({ runDir, samples: data.count, ms: Math.round(performance.now() - started) }, `report: scored ${data.count} samples of ${runDir} for the confusion matrix and gallery`);
  return {
    version: 1,
    runDir: relative(reportDir, runDir),
    runId: target.runId,
    weightsMtimeMs: target.weightsMtimeMs,
    dataset: run.config.dataset,
    split,
    samples: data.count,
    classNames,
    ...summary,
    backend: backend.name,
  };
}

/** Why a run could not be analysed, for the report to say instead of its sections. */
export interface AnalysisUnavailable {
  unavailable: string;
}

/**
 * The analysis of `run`'s final weights: read from `<reportDir>/analysis.json`
 * when it is current, else computed (loads the run's dataset and scores it)
 * and saved there. When the run cannot be scored (weights gone, dataset
 * missing or unreadable, a config this version cannot read) it says why, after
 * a warning: the report then goes without those sections.
 *
 * @throws Error for anything else (a bug, a report directory it cannot write):
 *   that is not a property of the run to explain in the report.
 */
export async function analyseRun(reportDir: string, run: WeightedRun, logger?: Logger): Promise<RunAnalysis | AnalysisUnavailable> {
  let analysis: RunAnalysis;
  try {
    const saved = await readSavedAnalysis(reportDir, run);
    if (saved !== null) return saved;
    analysis = await computeAnalysis(reportDir, run, logger);
  } catch (e) {
    if (!isRingtrainError(e) && (e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    const unavailable = `${run.dir} could not be scored: ${errorMessage(e)}`;
    logger?.warn({ runDir: run.dir }, `report: no confusion matrix or gallery: ${unavailable}`);
    return { unavailable };
  }
  await writeFileAtomic(join(reportDir, ANALYSIS_FILE), JSON.stringify(analysis) + "\n", "the report's analysis");
  return analysis;
}
