import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readJsonLines, readJsonObject } from "../../src/runs/json-files.js";

describe("run files with a UTF-8 byte-order mark", () => {
  it("read as without it: a JSON object and JSON lines", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rt-bom-"));
    await writeFile(join(dir, "summary.json"), '\uFEFF{"status":"completed"}');
    await writeFile(join(dir, "metrics.jsonl"), '\uFEFF{"epoch":1}\n{"epoch":2}\n');
    expect(await readJsonObject(join(dir, "summary.json"))).toEqual({ status: "completed" });
    expect((await readJsonLines(join(dir, "metrics.jsonl"))).lines.map((l) => l.value)).toEqual([{ epoch: 1 }, { epoch: 2 }]);
  });
});
