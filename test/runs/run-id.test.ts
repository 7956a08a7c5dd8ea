import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_RUN_NAME_LENGTH, RUN_ID_SUFFIX_LENGTH } from "../../src/config/schema.js";
import { makeRunId } from "../../src/runs/run-id.js";

describe("makeRunId", () => {
  it("appends exactly the suffix the config schema leaves room for", () => {
    expect(makeRunId("mlp", new Date("2026-11-23T05:50:12Z"))).toMatch(/^mlp-20261123-055012-[0-9a-f]{4}$/);
    expect(makeRunId("mlp").length - "mlp".length).toBe(RUN_ID_SUFFIX_LENGTH);
  });

  it("makes the longest valid name, whatever its characters, a directory that can be created", async () => {
    const parent = await mkdtemp(join(tmpdir(), "rt-runid-"));
    for (const name of ["x".repeat(MAX_RUN_NAME_LENGTH), "é/".repeat(MAX_RUN_NAME_LENGTH / 2), "../a b\u0000c"]) {
      const id = makeRunId(name);
      expect(Buffer.byteLength(id)).toBeLessThanOrEqual(255);
      expect(id).toMatch(/^[A-Za-z0-9_.-]+$/);
      await mkdir(join(parent, id));
    }
  });
});
