import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { addConfigFlags, configOverrides } from "../../src/commands/config-flags.js";
import { LOCAL_RUN_FLAGS, RUN_CONFIG_FLAGS } from "../../src/commands/run-options.js";
import { DEFAULT_CONFIG } from "../../src/commands/train.js";
import { loadConfig } from "../../src/config/load.js";
import { runCli, summaryOf } from "../helpers/cli.js";

const TABLE = [...LOCAL_RUN_FLAGS, ...RUN_CONFIG_FLAGS];

/** The run config `train [flags]` would run, through the same table, without training. */
async function configFor(argv: string[]) {
  const command = addConfigFlags(new Command().exitOverride(), TABLE);
  command.parse(argv, { from: "user" });
  return loadConfig(DEFAULT_CONFIG, configOverrides(command, TABLE));
}

describe("run-config flags: one table gives the options and the overrides", () => {
  it("each flag sets its config path", async () => {
    const c = await configFor([
      "-w", "3", "--transport", "tcp", "-d", "fashion-mnist", "-b", "full", "--lr", "0.5", "-e", "4",
      "--seed", "7", "--backend", "cpu", "--train-limit", "900", "--test-limit", "90", "--runs-dir", "elsewhere",
    ]);
    expect(c).toMatchObject({
      workers: 3, transport: "tcp", dataset: "fashion-mnist", batchSize: "full", epochs: 4,
      seed: 7, backend: "cpu", trainLimit: 900, testLimit: 90, runsDir: "elsewhere",
    });
    expect(c.optimizer).toEqual({ name: "sgd", learningRate: 0.5, momentum: 0, nesterov: false });
    // flags not given keep the file's values
    expect(await configFor([])).toMatchObject({ batchSize: 128, epochs: 20, optimizer: { name: "sgd", learningRate: 0.1 } });
  });

  it("--optimizer applies before --lr whatever their order: a different optimizer starts from its defaults at the given rate", async () => {
    for (const argv of [["--lr", "0.01", "--optimizer", "adam"], ["--optimizer", "adam", "--lr", "0.01"]]) {
      expect((await configFor(argv)).optimizer).toEqual({ name: "adam", learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    }
    expect((await configFor(["--optimizer", "rmsprop"])).optimizer).toMatchObject({ name: "rmsprop", learningRate: 0.001 });
  });

  it("a flag's parser and choices reject a bad value naming the flag", () => {
    const command = addConfigFlags(new Command().exitOverride().configureOutput({ writeErr: () => undefined }), TABLE);
    expect(() => command.parse(["--epochs", "0"], { from: "user" })).toThrow(/--epochs expects a positive integer, got '0'/);
    expect(() => command.parse(["--backend", "gpu"], { from: "user" })).toThrow(/Allowed choices are auto, tensorflow, webgpu, wasm, cpu/);
  });
});

describe("ringtrain train and coordinator --set", () => {
  it("train: --set sets nested fields after the named flags, and the run records them", async () => {
    const runsDir = await mkdtemp(join(tmpdir(), "rt-set-"));
    const r = await runCli([
      "train", "--workers", "1", "--epochs", "1", "--train-limit", "500", "--test-limit", "100", "--runs-dir", runsDir, "--transport", "tcp",
      "--lr", "0.05", "--set", "optimizer.momentum=0.9", "--set", "model.hidden=[32]", "--set", "name=set-test",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const { runDir } = summaryOf(r.stdout);
    const config = JSON.parse(await readFile(join(runDir, "config.json"), "utf8")) as Record<string, unknown>;
    expect(config).toMatchObject({ name: "set-test", optimizer: { name: "sgd", learningRate: 0.05, momentum: 0.9 }, model: { name: "mlp", hidden: [32] } });
  });

  it("a --set that is not path=value, or whose path cannot be set, is a usage error naming it", async () => {
    const malformed = await runCli(["train", "--set", "trainLimit"]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/^ringtrain: error \[USAGE\]: --set trainLimit: expected <path>=<value>/);
    const notObject = await runCli(["train", "--set", "batchSize.x=1"]);
    expect(notObject.code).toBe(2);
    expect(notObject.stderr).toContain("ringtrain: error [USAGE]: --set batchSize.x=1: batchSize is 128, not an object, so batchSize.x cannot be set");
    const coordinator = await runCli(["coordinator", "--listen", "127.0.0.1:29555", "--world-size", "1", "--set", "=5"]);
    expect(coordinator.code).toBe(2);
    expect(coordinator.stderr).toMatch(/^ringtrain: error \[USAGE\]: --set =5: expected <path>=<value>/);
  });

  it("a bad --set value is a config error naming the field", async () => {
    const r = await runCli(["coordinator", "--listen", "127.0.0.1:29555", "--world-size", "1", "--set", "optimizer.momentum=2"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ringtrain: error \[CONFIG_INVALID\]: .*optimizer\.momentum: momentum must be in \[0, 1\)/);
    const unknown = await runCli(["train", "--set", "epoch=2"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown field\(s\) "epoch"/);
  });
});

describe("--verbose, one program-level option", () => {
  it("works before and after the command's name", async () => {
    for (const args of [["--verbose", "train", "--lr", "-0.5"], ["train", "--verbose", "--lr", "-0.5"]]) {
      const r = await runCli(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/\n\s+at /);
    }
    const quiet = await runCli(["train", "--lr", "-0.5"]);
    expect(quiet.stderr).not.toMatch(/\n\s+at /);
  });

  it("every command's --help lists it", async () => {
    for (const command of ["train", "coordinator", "sweep", "report", "worker"]) {
      const r = await runCli([command, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Global Options:\n\s+--verbose/);
    }
  });
});
