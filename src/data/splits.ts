/**
 * Validation splits: a seeded holdout and k-fold (stratified by class, or plain), as index arrays
 * into a dataset (make the split datasets with {@link subsetDataset}).
 *
 * Every split is a pure function of (sample count or labels, options, seed):
 * the same on every worker and every run, so a worker can compute the split
 * itself instead of receiving it. Index arrays are sorted ascending (sequential
 * reads when copying; the sampler shuffles anyway), disjoint, and cover every
 * sample exactly once.
 */
import { RingtrainError } from "../core/errors.js";
import { createRng } from "../core/random.js";

/** First seed part of split streams, so they never share a stream with the permutation or augmentation ("spl1"). */
const SPLIT_STREAM = 0x73706c31;

/** Sample indices of one split: the training part and the held-out validation part. */
export interface SplitIndices {
  train: Uint32Array;
  validation: Uint32Array;
}

export interface HoldoutOptions {
  /** Share of samples held out for validation, in (0, 1); rounded to a count in [1, count−1]. */
  fraction: number;
  seed: number;
  /**
   * Labels (one per sample, length = count) to stratify by: each class then
   * contributes round(fraction·its count) samples, give or take one, so the
   * validation set has the class proportions of the whole. Omit for a plain
   * random holdout.
   */
  labels?: Uint8Array;
}

function ascending(indices: number[] | Uint32Array): Uint32Array {
  return Uint32Array.from(indices).sort();
}

function checkSeed(seed: number, what: string): void {
  if (!Number.isSafeInteger(seed)) {
    throw new RingtrainError("CONFIG_INVALID", `${what}: seed is ${seed}; expected an integer`);
  }
}

/** Indices 0..count-1 grouped by label, each group shuffled by `rng`, concatenated in class order. */
function shuffledByClass(labels: Uint8Array, seed: number): Uint32Array {
  const rng = createRng(SPLIT_STREAM, seed);
  const counts = new Uint32Array(257);
  for (let i = 0; i < labels.length; i++) counts[(labels[i] as number) + 1]!++;
  for (let c = 1; c < 257; c++) counts[c]! += counts[c - 1] as number;
  const starts = counts.slice(0, 256);
  const out = new Uint32Array(labels.length);
  const fill = starts.slice();
  for (let i = 0; i < labels.length; i++) out[fill[labels[i] as number]!++] = i;
  for (let c = 0; c < 256; c++) {
    const from = starts[c] as number;
    const to = counts[c + 1] as number;
    if (to - from > 1) rng.shuffleInPlace(out.subarray(from, to));
  }
  return out;
}

/**
 * A seeded holdout: `fraction` of the `count` samples for validation, the rest
 * for training. Synchronous; O(count).
 *
 * @throws RingtrainError CONFIG_INVALID when `fraction` is not in (0, 1),
 *   `count` < 2, the seed is not an integer, or `labels` has the wrong length.
 */
export function holdoutSplit(count: number, opts: HoldoutOptions): SplitIndices {
  const { fraction, seed, labels } = opts;
  if (!(fraction > 0 && fraction < 1)) {
    throw new RingtrainError("CONFIG_INVALID", `validation fraction is ${fraction}; expected a number strictly between 0 and 1 (e.g. 0.1)`);
  }
  if (!(Number.isInteger(count) && count >= 2)) {
    throw new RingtrainError("CONFIG_INVALID", `cannot hold out a validation split from ${count} samples; need at least 2`);
  }
  checkSeed(seed, "holdout split");
  const target = Math.min(count - 1, Math.max(1, Math.round(fraction * count)));
  if (labels === undefined) {
    const order = new Uint32Array(count);
    for (let i = 0; i < count; i++) order[i] = i;
    createRng(SPLIT_STREAM, seed).shuffleInPlace(order);
    return { validation: ascending(order.subarray(0, target)), train: ascending(order.subarray(target)) };
  }
  if (labels.length !== count) {
    throw new RingtrainError("CONFIG_INVALID", `holdout split: ${labels.length} labels for ${count} samples; expected one label per sample`);
  }
  // Pick evenly spaced positions of the class-grouped, shuffled order: position
  // j is held out when floor((j+1)·f) > floor(j·f), exactly `target` in all;
  // a class occupying n_c consecutive positions gets floor or ceil of n_c·f.
  const order = shuffledByClass(labels, seed);
  const validation: number[] = [];
  const train: number[] = [];
  const f = target / count;
  for (let j = 0; j < count; j++) {
    if (Math.floor((j + 1) * f + 1e-9) > Math.floor(j * f + 1e-9)) validation.push(order[j] as number);
    else train.push(order[j] as number);
  }
  return { validation: ascending(validation), train: ascending(train) };
}

export interface KFoldOptions {
  /** Number of folds, 2..count. */
  k: number;
  seed: number;
}

/**
 * Plain (unstratified) k-fold over `count` samples: the same guarantees as
 * {@link stratifiedKFold} except the class balance — disjoint validation parts
 * covering every sample once, fold sizes within one of each other, seeded.
 * It is stratified k-fold with every sample in one class.
 *
 * @throws RingtrainError CONFIG_INVALID as {@link stratifiedKFold}.
 */
export function kFold(count: number, opts: KFoldOptions): SplitIndices[] {
  return stratifiedKFold(new Uint8Array(count), opts);
}

/**
 * Stratified k-fold: k splits whose validation parts are disjoint and together
 * cover every sample once. In each fold, every class has floor(n_c/k) or
 * ceil(n_c/k) validation samples (n_c: its count in `labels`) — the class
 * proportions of the whole within one sample per class — and fold sizes differ
 * by at most one. Fold i's training part is every sample not in its validation
 * part. Synchronous; O(k·count) memory for the returned arrays.
 *
 * @throws RingtrainError CONFIG_INVALID when `k` is not an integer in
 *   [2, labels.length] or the seed is not an integer.
 */
export function stratifiedKFold(labels: Uint8Array, opts: KFoldOptions): SplitIndices[] {
  const foldOf = assignFolds(labels, opts);
  return Array.from({ length: opts.k }, (_, f) => foldSplit(foldOf, f));
}

/**
 * Fold `fold` of a k-fold partition — the same split as `stratifiedKFold(labels)[fold]`
 * (or `kFold(count)[fold]` without labels) — without building the other k−1.
 *
 * @throws RingtrainError CONFIG_INVALID as {@link stratifiedKFold}, or when `fold` is not in [0, k).
 */
export function kFoldSplit(count: number, opts: KFoldOptions & { labels?: Uint8Array }, fold: number): SplitIndices {
  if (!(Number.isInteger(fold) && fold >= 0 && fold < opts.k)) {
    throw new RingtrainError("CONFIG_INVALID", `k-fold: fold is ${fold}; expected an integer from 0 to ${opts.k - 1}`);
  }
  return foldSplit(assignFolds(opts.labels ?? new Uint8Array(count), opts), fold);
}

/** The fold (0..k-1) of every sample. */
function assignFolds(labels: Uint8Array, opts: KFoldOptions): Uint32Array {
  const { k, seed } = opts;
  const count = labels.length;
  if (!(Number.isInteger(k) && k >= 2 && k <= count)) {
    throw new RingtrainError("CONFIG_INVALID", `k-fold: k is ${k}; expected an integer from 2 to the sample count ${count}`);
  }
  checkSeed(seed, "k-fold split");
  // Dealing the class-grouped order round-robin continues across classes, so
  // each class is spread evenly and the folds stay within one of each other.
  const order = shuffledByClass(labels, seed);
  const foldOf = new Uint32Array(count);
  for (let j = 0; j < count; j++) foldOf[order[j] as number] = j % k;
  return foldOf;
}

/** Fold `f`'s split: its samples for validation, every other one for training. */
function foldSplit(foldOf: Uint32Array, f: number): SplitIndices {
  let size = 0;
  for (let i = 0; i < foldOf.length; i++) if (foldOf[i] === f) size++;
  const validation = new Uint32Array(size);
  const train = new Uint32Array(foldOf.length - size);
  let v = 0;
  let t = 0;
  for (let i = 0; i < foldOf.length; i++) {
    if (foldOf[i] === f) validation[v++] = i;
    else train[t++] = i;
  }
  return { train, validation };
}
