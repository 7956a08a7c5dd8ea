import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadReportModel } from "../../src/report/load-results.js";
import { sampleEpoch, sampleSummary } from "../runs/fixtures.js";

describe("the report's model of a run directory", () => {
  it("is read through the validated reader: a run's figures, and an error naming the file, line and field of a corrupt one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rt-load-results-"));
    await writeFile(join(dir, "config.json"), JSON.stringify({ name: "mlp", batchSize: 60 }));
    await writeFile(join(dir, "summary.json"), JSON.stringify(sampleSummary({ status: "completed" })));
    await writeFile(join(dir, "metrics.jsonl"), [sampleEpoch(1), sampleEpoch(2)].map((r) => JSON.stringify(r)).join("\n") + "\n");
    const model = await loadReportModel(dir);
    expect(model.kind).toBe("run");
    expect(model.trials[0]!.runs[0]!.result).toMatchObject({ runId: sampleSummary().runId, epochs: [sampleEpoch(1), sampleEpoch(2)], steps: [] });
    expect(model.trials[0]!.params).toEqual({ batchSize: 60 });

    await writeFile(join(dir, "metrics.jsonl"), [sampleEpoch(1), { ...sampleEpoch(2), epoch: "2" }, sampleEpoch(3)].map((r) => JSON.stringify(r)).join("\n") + "\n");
    await expect(loadReportModel(dir)).rejects.toThrow(`${join(dir, "metrics.jsonl")} line 2: epoch: expected number, got "2" (not an epoch record as ringtrain writes it)`);
  });
});
