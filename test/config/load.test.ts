import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../../src/config/load.js";
import { RingtrainError } from "../../src/core/errors.js";

async function configFile(content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "rt-config-"));
  const path = join(dir, "config.json");
  await writeFile(path, content);
  return path;
}

async function errorOf(p: Promise<unknown>): Promise<RingtrainError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RingtrainError) return e;
    throw e;
  }
  throw new Error("expected a RingtrainError");
}

describe("config", () => {
  it("fills defaults: the reference MLP run", () => {
    const c = parseConfig({}, "test");
    expect(c).toMatchObject({ batchSize: 128, epochs: 20, workers: 2, model: { name: "mlp", hidden: [128, 64] } });
    expect(c.optimizer).toMatchObject({ name: "sgd", learningRate: 0.1 });
  });

  it("applies CLI overrides, and a new optimizer starts from its own defaults", async () => {
    const path = await configFile(JSON.stringify({ optimizer: { name: "sgd", learningRate: 0.1, momentum: 0.9 } }));
    const c = await loadConfig(path, { optimizer: "adam", learningRate: 0.01, batchSize: "full", workers: 3 });
    expect(c.optimizer).toMatchObject({ name: "adam", learningRate: 0.01, beta1: 0.9 });
    expect(c.batchSize).toBe("full");
    expect(c.workers).toBe(3);
    const sameOptimizer = await loadConfig(path, { learningRate: 0.5 });
    expect(sameOptimizer.optimizer).toMatchObject({ name: "sgd", learningRate: 0.5, momentum: 0.9 });
  });

  it("names the file of a malformed config", async () => {
    const path = await configFile("{ \"epochs\": 3,, }");
    const e = await errorOf(loadConfig(path));
    expect(e.code).toBe("CONFIG_INVALID");
    expect(e.message).toContain(path);
    expect(e.message).toContain("not valid JSON");
  });

  it("names the field and the allowed values", async () => {
    const path = await configFile(JSON.stringify({ optimizer: { name: "lbfgs" } }));
    const e = await errorOf(loadConfig(path));
    expect(e.message).toMatch(/optimizer/);
    expect(e.message).toMatch(/sgd/);
    expect(e.message).toMatch(/adam/);
    const neg = await errorOf(loadConfig(undefined, { learningRate: -1 }));
    expect(neg.message).toMatch(/optimizer\.learningRate/);
    const unknownField = await errorOf(loadConfig(await configFile(JSON.stringify({ batchsize: 5 }))));
    expect(unknownField.message).toMatch(/batchsize/);
    const badBatch = await errorOf(loadConfig(await configFile(JSON.stringify({ batchSize: "half" }))));
    expect(badBatch.message).toMatch(/batchSize/);
  });

  it("rejects a missing file with its path", async () => {
    const e = await errorOf(loadConfig("/nonexistent/ringtrain.json"));
    expect(e.message).toContain("/nonexistent/ringtrain.json");
  });
});
