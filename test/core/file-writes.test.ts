import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isRingtrainError } from "../../src/core/errors.js";
import { appendToFile, writeFileAtomic, writeFileAtomicWith } from "../../src/core/file-writes.js";
import { mountTmpfs } from "../helpers/tmpfs.js";

/** The FILE_SYSTEM message `promise` rejects with. */
async function failure(promise: Promise<unknown>): Promise<string> {
  const e = await promise.then(
    () => new Error("it succeeded"),
    (err: unknown) => err,
  );
  expect(isRingtrainError(e, "FILE_SYSTEM"), String(e)).toBe(true);
  return (e as Error).message;
}

// 16 KiB: four pages, a full disk for a write of 64 KiB
const small = await mountTmpfs("size=16k");
const skipSmall = "skip" in small ? ` (skipped: ${small.skip})` : "";
const smallDir = (): string => ("dir" in small ? small.dir : "");
afterAll(async () => {
  if ("dir" in small) await small.unmount();
});

describe("writeFileAtomic", () => {
  it("replaces a file and leaves no temporary file beside it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rt-atomic-"));
    const path = join(dir, "summary.json");
    await writeFileAtomic(path, "old\n", "the run summary");
    await writeFileAtomic(path, new Uint8Array([110, 101, 119]), "the run summary");
    expect(await readFile(path, "utf8")).toBe("new");
    expect(await readdir(dir)).toEqual(["summary.json"]);
  });

  it("never leaves a partial target: a write that fails half-way leaves the old file, and no temporary one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rt-atomic-"));
    const path = join(dir, "weights.bin");
    await writeFile(path, "the old weights");
    const failed = writeFileAtomicWith(path, "the run's weights", async (file) => {
      await file.writeFile("the first half of the new weigh");
      throw new Error("the writer died");
    });
    await expect(failed).rejects.toThrow("the writer died");
    expect(await readFile(path, "utf8")).toBe("the old weights");
    expect(await readdir(dir)).toEqual(["weights.bin"]);
  });

  it("names the file and the missing directory", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rt-atomic-"));
    const path = join(dir, "missing", "submission.csv");
    expect(await failure(writeFileAtomic(path, "x", { what: "the submission", chosenBy: "--out" }))).toBe(
      `cannot write the submission ${path}: the directory ${join(dir, "missing")} does not exist; create it or choose another --out`,
    );
  });

  it.skipIf("skip" in small)(`on a full disk names the file, says what to do, and leaves the old file whole${skipSmall}`, async () => {
    const path = join(smallDir(), "weights.bin");
    await writeFile(path, "the old weights");
    const message = await failure(writeFileAtomic(path, new Uint8Array(64 << 10).fill(7), { what: "the run's weights", chosenBy: "--runs-dir" }));
    expect(message).toBe(`cannot write the run's weights ${path}: no space left on device; free space there or choose another --runs-dir`);
    expect(await readFile(path, "utf8")).toBe("the old weights");
    expect(await readdir(smallDir())).toEqual(["weights.bin"]);
  });
});

describe("appendToFile", () => {
  it("appends whole lines, creating the file", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "rt-append-")), "metrics.jsonl");
    await appendToFile(path, '{"epoch":1}\n', "the epoch metrics");
    await appendToFile(path, '{"epoch":2}\n', "the epoch metrics");
    expect(await readFile(path, "utf8")).toBe('{"epoch":1}\n{"epoch":2}\n');
  });

  it.skipIf("skip" in small)(`on a full disk names the file and cuts a torn append back to the last whole line${skipSmall}`, async () => {
    const path = join(smallDir(), "steps.jsonl");
    await appendToFile(path, '{"step":1}\n', "the step losses");
    const message = await failure(appendToFile(path, `{"pad":"${"x".repeat(64 << 10)}"}\n`, "the step losses"));
    expect(message).toMatch(new RegExp(`^cannot append to the step losses ${path}: no space left on device; free space there or use another location$`));
    expect(await readFile(path, "utf8")).toBe('{"step":1}\n');
  });
});
