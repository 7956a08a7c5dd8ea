/**
 * Kaggle Digit Recognizer submission files: a header `ImageId,Label`, then one
 * row per test image, `ImageId` counting from 1 in test.csv row order.
 */
import { readFile } from "node:fs/promises";
import { RingtrainError, errorMessage } from "../core/errors.js";
import type { FileRole } from "../core/file-errors.js";
import { writeFileAtomic } from "../core/file-writes.js";

/** The header line of a submission file. */
const KAGGLE_SUBMISSION_HEADER = "ImageId,Label";

/**
 * Writes `predictions[i]` as the label of image i+1 to `path`, replacing it
 * atomically. `predictions` is only read. Asynchronous.
 *
 * @param role what the file is and the flag that chose it, for messages.
 * @throws RingtrainError INTERNAL when a prediction is not a non-negative
 *   integer (a bug in the caller: predictions are argmax indices); FILE_SYSTEM
 *   naming `path` when it cannot be written.
 */
export async function writeKaggleSubmission(path: string, predictions: Uint8Array | readonly number[], role: FileRole = "the submission"): Promise<void> {
  const lines: string[] = [KAGGLE_SUBMISSION_HEADER];
  for (let i = 0; i < predictions.length; i++) {
    const p = predictions[i] as number;
    if (!(Number.isInteger(p) && p >= 0)) {
      throw new RingtrainError("INTERNAL", `writeKaggleSubmission(${path}): prediction ${i} is ${p}; expected a class index`);
    }
    lines.push(`${i + 1},${p}`);
  }
  await writeFileAtomic(path, `${lines.join("\n")}\n`, role);
}

/**
 * Reads a submission file back: the label of image i+1 at index i. For tests,
 * and for checking a file before uploading it.
 *
 * @throws RingtrainError DATA_INVALID when the file is missing, has another
 *   header, an ImageId out of sequence, or a label that is not an integer 0..255
 *   (naming the file and line).
 */
export async function readKaggleSubmission(path: string): Promise<Uint8Array> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new RingtrainError("DATA_INVALID", `${path}: cannot read: ${errorMessage(e)}`, { cause: e });
  }
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (lines[0] !== KAGGLE_SUBMISSION_HEADER) {
    throw new RingtrainError("DATA_INVALID", `${path}: line 1 is "${lines[0] ?? ""}"; expected the header "${KAGGLE_SUBMISSION_HEADER}"`);
  }
  const out = new Uint8Array(lines.length - 1);
  for (let i = 1; i < lines.length; i++) {
    const m = /^([0-9]+),([0-9]+)$/.exec(lines[i] as string);
    if (m === null || Number(m[1]) !== i || Number(m[2]) > 255) {
      throw new RingtrainError(
        "DATA_INVALID",
        `${path}: line ${i + 1} is "${lines[i]}"; expected "${i},<label>" (ImageId counts from 1, label an integer 0..255)`,
      );
    }
    out[i - 1] = Number(m[2]);
  }
  return out;
}
