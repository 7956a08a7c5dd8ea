import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { readKaggleSubmission, writeKaggleSubmission } from "../../src/data/csv-submission.js";
import { isRingtrainError } from "../../src/core/errors.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ringtrain-submission-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("Kaggle submission files", () => {
  it("writes the ImageId,Label header and ids counting from 1", async () => {
    const p = join(dir, "sub.csv");
    await writeKaggleSubmission(p, Uint8Array.of(2, 0, 9));
    expect(await readFile(p, "utf8")).toBe("ImageId,Label\n1,2\n2,0\n3,9\n");
    await writeKaggleSubmission(p, [7]);
    expect(await readFile(p, "utf8")).toBe("ImageId,Label\n1,7\n");
  });

  it("round-trips 28000 predictions", async () => {
    const preds = Uint8Array.from({ length: 28000 }, (_, i) => (i * 7) % 10);
    const p = join(dir, "big.csv");
    await writeKaggleSubmission(p, preds);
    expect(Buffer.from(await readKaggleSubmission(p)).equals(Buffer.from(preds))).toBe(true);
  });

  it("refuses predictions that are not class indices", async () => {
    for (const bad of [[1, -1], [0.5], [Number.NaN]]) {
      const e: unknown = await writeKaggleSubmission(join(dir, "bad.csv"), bad).catch((x: unknown) => x);
      expect(isRingtrainError(e, "INTERNAL")).toBe(true);
    }
  });

  it("reports a bad submission file by line", async () => {
    const p = join(dir, "wrong.csv");
    await writeFile(p, "ImageId,Label\n1,2\n3,4\n");
    await expect(readKaggleSubmission(p)).rejects.toThrow(/wrong\.csv: line 3 is "3,4"; expected "2,<label>"/);
    await writeFile(p, "id,label\n1,2\n");
    await expect(readKaggleSubmission(p)).rejects.toThrow(/line 1 is "id,label"; expected the header "ImageId,Label"/);
  });
});
