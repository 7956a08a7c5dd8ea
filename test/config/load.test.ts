import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../../src/config/load.js";
import { parseSetting, setOptimizerField, type ConfigOverride } from "../../src/config/overrides.js";
import { MAX_RUN_NAME_LENGTH } from "../../src/config/schema.js";
import { RingtrainError } from "../../src/core/errors.js";

async function configFile(content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "rt-config-"));
  const path = join(dir, "config.json");
  await writeFile(path, content);
  return path;
}

function parseError(parse: () => unknown): RingtrainError {
  try {
    parse();
  } catch (e) {
    if (e instanceof RingtrainError) return e;
    throw e;
  }
  throw new Error("expected a RingtrainError");
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

/** What `--optimizer <name>` and `--lr <rate>` carry (their entries in src/commands/run-options.ts). */
const optimizerFlag = (name: string): ConfigOverride => ({ path: "optimizer.name", value: name, source: "--optimizer", apply: setOptimizerField });
const lrFlag = (rate: number): ConfigOverride => ({ path: "optimizer.learningRate", value: rate, source: "--lr", apply: setOptimizerField });

describe("config", () => {
  it("fills defaults: the reference MLP run", () => {
    const c = parseConfig({}, "test");
    expect(c).toMatchObject({ batchSize: 128, epochs: 20, workers: 2, model: { name: "mlp", hidden: [128, 64] } });
    expect(c.optimizer).toMatchObject({ name: "sgd", learningRate: 0.1 });
  });

  it("applies CLI overrides, and a new optimizer starts from its own defaults", async () => {
    const path = await configFile(JSON.stringify({ optimizer: { name: "sgd", learningRate: 0.1, momentum: 0.9 } }));
    const c = await loadConfig(path, [
      optimizerFlag("adam"),
      lrFlag(0.01),
      { path: "batchSize", value: "full", source: "--batch-size" },
      { path: "workers", value: 3, source: "--workers" },
    ]);
    expect(c.optimizer).toMatchObject({ name: "adam", learningRate: 0.01, beta1: 0.9 });
    expect(c.batchSize).toBe("full");
    expect(c.workers).toBe(3);
    const sameOptimizer = await loadConfig(path, [lrFlag(0.5)]);
    expect(sameOptimizer.optimizer).toMatchObject({ name: "sgd", learningRate: 0.5, momentum: 0.9 });
    const sameNamed = await loadConfig(path, [optimizerFlag("sgd"), lrFlag(0.5)]);
    expect(sameNamed.optimizer).toMatchObject({ name: "sgd", learningRate: 0.5, momentum: 0.9 });
    // a config without an optimizer: --lr sets sgd's rate
    expect((await loadConfig(undefined, [lrFlag(0.3)])).optimizer).toEqual({ name: "sgd", learningRate: 0.3, momentum: 0, nesterov: false });
    const unknown = await errorOf(loadConfig(path, [optimizerFlag("lbfgs")]));
    expect(unknown.code).toBe("CONFIG_INVALID");
    expect(unknown.message).toMatch(/lbfgs.*sgd, adam, rmsprop, adagrad/);
  });

  it("applies --set settings: JSON values, else strings, at nested paths, after the named flags", async () => {
    const path = await configFile(JSON.stringify({ optimizer: { name: "sgd", learningRate: 0.1 } }));
    const c = await loadConfig(path, [
      optimizerFlag("adam"),
      ...["optimizer.beta1=0.8", "model.hidden=[32,16]", "dataset=fashion-mnist", "batchSize=\"full\"", "divergence.maxLoss=50"].map(parseSetting),
    ]);
    expect(c.optimizer).toMatchObject({ name: "adam", learningRate: 0.001, beta1: 0.8 });
    expect(c.model).toMatchObject({ name: "mlp", hidden: [32, 16] });
    expect(c).toMatchObject({ dataset: "fashion-mnist", batchSize: "full", divergence: { maxLoss: 50 } });
    // applied in order: a later override wins
    expect((await loadConfig(path, [lrFlag(0.2), parseSetting("optimizer.learningRate=0.05")])).optimizer.learningRate).toBe(0.05);
    // as it stands: --set optimizer.name keeps the other fields (unlike --optimizer)
    expect((await loadConfig(path, [parseSetting("optimizer.name=adam")])).optimizer).toMatchObject({ name: "adam", learningRate: 0.1, beta1: 0.9 });
  });

  it("a bad --set names the setting or the field", async () => {
    const path = await configFile(JSON.stringify({ batchSize: 128, optimizer: { name: "sgd", learningRate: 0.1 } }));
    for (const bad of ["trainLimit", "=5", "optimizer..momentum=1", "9lives=1"]) {
      let e: unknown;
      try {
        parseSetting(bad);
      } catch (thrown) {
        e = thrown;
      }
      expect(e).toBeInstanceOf(RingtrainError);
      expect((e as RingtrainError).code).toBe("USAGE");
      expect((e as RingtrainError).message).toContain(`--set ${bad}: expected <path>=<value>`);
    }
    const notObject = await errorOf(loadConfig(path, [parseSetting("batchSize.x=1")]));
    expect(notObject.code).toBe("USAGE");
    expect(notObject.message).toBe("--set batchSize.x=1: batchSize is 128, not an object, so batchSize.x cannot be set");
    // where the config leaves the field out, the schema names it
    const notObjectDefault = await errorOf(loadConfig(undefined, [parseSetting("batchSize.x=1")]));
    expect(notObjectDefault.code).toBe("CONFIG_INVALID");
    expect(notObjectDefault.message).toMatch(/batchSize/);
    const badValue = await errorOf(loadConfig(path, [parseSetting("optimizer.momentum=2")]));
    expect(badValue.code).toBe("CONFIG_INVALID");
    expect(badValue.message).toMatch(/optimizer\.momentum: momentum must be in \[0, 1\)/);
    const unknownField = await errorOf(loadConfig(undefined, [parseSetting("epoch=3")]));
    expect(unknownField.message).toMatch(/unknown field\(s\) "epoch"/);
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
    const neg = await errorOf(loadConfig(undefined, [lrFlag(-1)]));
    expect(neg.message).toMatch(/optimizer\.learningRate/);
    const unknownField = await errorOf(loadConfig(await configFile(JSON.stringify({ batchsize: 5 }))));
    expect(unknownField.message).toMatch(/batchsize/);
    const badBatch = await errorOf(loadConfig(await configFile(JSON.stringify({ batchSize: "half" }))));
    expect(badBatch.message).toMatch(/batchSize/);
  });

  it("names the flag that gave a bad value, and the file for a bad value of its own", async () => {
    const path = await configFile(JSON.stringify({ epochs: 2, optimizer: { name: "sgd", learningRate: 0.1 } }));
    const fromFlag = await errorOf(loadConfig(path, [{ ...lrFlag(-1), source: "--lr -1" }]));
    expect(fromFlag.code).toBe("CONFIG_INVALID");
    expect(fromFlag.message).toMatch(/^--lr -1: optimizer\.learningRate: /);
    expect(fromFlag.message).not.toContain(path);
    const fromSet = await errorOf(loadConfig(path, [parseSetting("optimizer.momentum=2")]));
    expect(fromSet.message).toMatch(/^--set optimizer\.momentum=2: optimizer\.momentum: /);
    // a flag that sets an object is named for the fields inside it
    const fromObject = await errorOf(loadConfig(path, [parseSetting('optimizer={"name":"sgd","learningRate":-2}')]));
    expect(fromObject.message).toMatch(/^--set optimizer=.*: optimizer\.learningRate: /);
    const inFile = await errorOf(loadConfig(await configFile(JSON.stringify({ optimizer: { name: "sgd", learningRate: -1 } })), [{ path: "epochs", value: 3, source: "--epochs 3" }]));
    expect(inFile.message).toMatch(/config\.json: optimizer\.learningRate: /);
    expect(inFile.message).not.toContain("--epochs");
    // both at once: each issue under its own source
    const both = await errorOf(loadConfig(await configFile(JSON.stringify({ epochs: 0 })), [{ ...lrFlag(-1), source: "--lr -1" }]));
    expect(both.message).toMatch(/config\.json: epochs: .*; --lr -1: optimizer\.learningRate: |--lr -1: optimizer\.learningRate: .*; .*config\.json: epochs: /);
  });

  it("accepts a config that starts with a UTF-8 byte-order mark", async () => {
    const c = await loadConfig(await configFile(`\uFEFF${JSON.stringify({ epochs: 3 })}`));
    expect(c.epochs).toBe(3);
  });

  it("bounds the run name so that the run id fits a directory name", () => {
    const long = parseError(() => parseConfig({ name: "x".repeat(300) }, "c.json"));
    expect(long.code).toBe("CONFIG_INVALID");
    expect(long.message).toMatch(/^c\.json: name: name may be at most 234 characters: the run id adds 21/);
    expect(parseConfig({ name: "x".repeat(MAX_RUN_NAME_LENGTH) }, "c.json").name).toHaveLength(MAX_RUN_NAME_LENGTH);
  });

  it("rejects a missing file with its path", async () => {
    const e = await errorOf(loadConfig("/nonexistent/ringtrain.json"));
    expect(e.message).toContain("/nonexistent/ringtrain.json");
  });
});
