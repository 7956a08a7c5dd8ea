import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { parseKaggleCsv, readKaggleCsv } from "../../src/data/csv-read.js";
import { isRingtrainError } from "../../src/core/errors.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ringtrain-csv-read-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A header for `n` pixels, labelled or not. */
function header(n: number, labelled: boolean): string {
  const cols = Array.from({ length: n }, (_, i) => `pixel${i}`);
  return (labelled ? ["label", ...cols] : cols).join(",");
}

/** 2×2 images: row k has label k%10 and pixels k, k+1, 254, 255. */
function labelledCsv(rows: number, eol = "\n"): string {
  const lines = [header(4, true)];
  for (let k = 0; k < rows; k++) lines.push([k % 10, k, k + 1, 254, 255].join(","));
  return lines.join(eol) + eol;
}

function parse(text: string, opts: Parameters<typeof parseKaggleCsv>[2] = {}): ReturnType<typeof parseKaggleCsv> {
  return parseKaggleCsv(Buffer.from(text, "utf8"), "x/train.csv", opts);
}

function parseError(text: string, opts: Parameters<typeof parseKaggleCsv>[2] = {}): Error {
  try {
    parse(text, opts);
  } catch (e) {
    expect(isRingtrainError(e, "DATA_INVALID")).toBe(true);
    return e as Error;
  }
  throw new Error("expected a DATA_INVALID error");
}

describe("parseKaggleCsv", () => {
  it("reads the labelled train.csv form, inferring square images from the pixel count", () => {
    const ds = parse(labelledCsv(3));
    expect(ds).toMatchObject({ name: "x/train.csv", split: "train", count: 3, height: 2, width: 2, channels: 1, numClasses: 10, labelled: true });
    expect(Array.from(ds.pixels)).toEqual([0, 1, 254, 255, 1, 2, 254, 255, 2, 3, 254, 255]);
    expect(Array.from(ds.labels)).toEqual([0, 1, 2]);
  });

  it("reads the unlabelled test.csv form with labelled: false and zero labels", () => {
    const ds = parse(`${header(9, false)}\n1,2,3,4,5,6,7,8,9\n9,8,7,6,5,4,3,2,1\n`);
    expect(ds).toMatchObject({ split: "test", count: 2, height: 3, width: 3, labelled: false });
    expect(Array.from(ds.pixels.subarray(9))).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(Array.from(ds.labels)).toEqual([0, 0]);
  });

  it("reads 28×28 rows (784 pixels)", () => {
    const row = Array.from({ length: 784 }, (_, i) => i % 256);
    const ds = parse(`${header(784, true)}\n7,${row.join(",")}\n`);
    expect(ds).toMatchObject({ count: 1, height: 28, width: 28 });
    expect(Array.from(ds.pixels)).toEqual(row);
    expect(ds.labels[0]).toBe(7);
  });

  it("accepts CRLF line ends, a UTF-8 BOM, no final newline, leading zeros and blank lines at the end", () => {
    for (const text of [labelledCsv(3, "\r\n"), `\uFEFF${labelledCsv(3)}`, labelledCsv(3).trimEnd(), `${labelledCsv(3)}\n\r\n\n`]) {
      const ds = parse(text);
      expect(ds.count).toBe(3);
      expect(Array.from(ds.pixels.subarray(8))).toEqual([2, 3, 254, 255]);
    }
    expect(Array.from(parse(`${header(1, true)}\n03,007\n`).pixels)).toEqual([7]);
  });

  it("keeps only the first `limit` rows", () => {
    const ds = parse(labelledCsv(5), { limit: 2 });
    expect(ds.count).toBe(2);
    expect(ds.pixels.length).toBe(8);
    expect(Array.from(ds.labels)).toEqual([0, 1]);
  });

  it("honours name, split and numClasses", () => {
    const ds = parse(`${header(1, true)}\n14,0\n`, { numClasses: 15, name: "kaggle", split: "test" });
    expect(ds).toMatchObject({ name: "kaggle", split: "test", numClasses: 15 });
    expect(ds.labels[0]).toBe(14);
  });

  it("rejects wrong column counts, naming the file, the line and both counts", () => {
    const base = labelledCsv(3).split("\n");
    const fewer = [...base.slice(0, 3), "2,2,3,254", ...base.slice(4)].join("\n");
    expect(parseError(fewer).message).toMatch(/^x\/train\.csv: line 4 has 4 columns, expected 5 \(label \+ 4 pixels, as in the header\)/);
    const more = [...base.slice(0, 2), "1,2,3,254,255,0", ...base.slice(3)].join("\n");
    expect(parseError(more).message).toMatch(/line 3 has 6 columns, expected 5/);
    expect(parseError(`${header(4, true)}\n1,2,3,4,5,\n`).message).toMatch(/line 2 has 6 columns/);
  });

  it("rejects non-integer and out-of-range pixels, naming line, column and value", () => {
    const cases: [string, RegExp][] = [
      ["1,2,abc,4,5", /line 2, column 3 \(pixel1\) is "abc"; expected an integer 0\.\.255/],
      ["1,2,3,256,5", /line 2, column 4 \(pixel2\) is "256"; expected an integer 0\.\.255/],
      ["1,-1,3,4,5", /line 2, column 2 \(pixel0\) is "-1"/],
      ["1,2,3,4,12.5", /line 2, column 5 \(pixel3\) is "12\.5"/],
      ["1,2, 3,4,5", /line 2, column 3 \(pixel1\) is " 3"/],
      ["1,2,,4,5", /line 2, column 3 \(pixel1\) is ""/],
      ["1,2,99999999999999999999,4,5", /column 3 \(pixel1\) is "99999999999999999999"/],
    ];
    for (const [row, pattern] of cases) expect(parseError(`${header(4, true)}\n${row}\n`).message).toMatch(pattern);
  });

  it("rejects labels outside the class count", () => {
    expect(parseError(`${header(1, true)}\n10,0\n`).message).toMatch(/line 2, column 1 \(label\) is "10"; expected an integer class 0\.\.9 \(10 classes\)/);
    expect(parseError(`${header(1, true)}\n3,0\n`, { numClasses: 3 }).message).toMatch(/\(label\) is "3"; expected an integer class 0\.\.2/);
    expect(parseError(`${header(1, true)}\nx,0\n`).message).toMatch(/\(label\) is "x"/);
  });

  it("rejects a blank line between rows instead of skipping it", () => {
    const text = labelledCsv(3).replace("\n1,1,", "\n\n1,1,");
    expect(parseError(text).message).toMatch(/line 3 is empty/);
  });

  it("rejects an empty file, a header without rows and bad headers", () => {
    expect(parseError("").message).toMatch(/^x\/train\.csv: empty file; expected a header line "label,pixel0,pixel1,\.\.\.,pixel783"/);
    expect(parseError("\n\n").message).toMatch(/line 1 is blank/);
    expect(parseError(`${header(4, true)}\n`).message).toMatch(/no data rows after the header/);
    expect(parseError("label,pixel0,pixl1,pixel2,pixel3\n1,2,3,4,5\n").message).toMatch(
      /line 1 \(header\), column 3 is "pixl1", expected "pixel1"/,
    );
    expect(parseError("lbl,pixel0\n1,2\n").message).toMatch(/column 1 is "lbl", expected "label" or "pixel0"/);
    // a train.csv without its header is told the train.csv header, not only test.csv's
    const headless = parseError("7,0,0,255\n1,2,3,4\n").message;
    expect(headless).toMatch(/^x\/train\.csv: line 1 is a row of numbers \("7,0,0,255"\), not a header; a labelled file \(for training\) must start with the header "label,pixel0,pixel1,\.\.\.,pixel783" \(Kaggle Digit Recognizer train\.csv\)/);
    expect(parseError(`${header(5, true)}\n1,2,3,4,5,6\n`).message).toMatch(/names 5 pixel columns, which is not a perfect square/);
    expect(parseError("label\n1\n").message).toMatch(/names 0 pixel columns/);
  });

  it("refuses a bad numClasses or limit as a config error", () => {
    for (const opts of [{ numClasses: 0 }, { numClasses: 300 }, { limit: 0 }, { limit: 1.5 }]) {
      expect(() => parse(labelledCsv(1), opts)).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }) as Error);
    }
  });
});

describe("readKaggleCsv", () => {
  it("reads plain and gzipped files", async () => {
    const plain = join(dir, "train.csv");
    const gz = join(dir, "train.csv.gz");
    await writeFile(plain, labelledCsv(4));
    await writeFile(gz, gzipSync(labelledCsv(4)));
    const a = await readKaggleCsv(plain);
    const b = await readKaggleCsv(gz);
    expect(a.count).toBe(4);
    expect(a.name).toBe(plain);
    expect(Array.from(b.pixels)).toEqual(Array.from(a.pixels));
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
  });

  it("names a bad file by its path", async () => {
    const p = join(dir, "bad.csv");
    await writeFile(p, `${header(4, true)}\n1,2,3\n`);
    await expect(readKaggleCsv(p)).rejects.toThrow(`${p}: line 2 has 3 columns, expected 5`);
    const missing = join(dir, "nope.csv");
    await expect(readKaggleCsv(missing)).rejects.toThrow(`${missing}: file not found`);
  });
});
