import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importCycles, importGraph, layerViolations, readLayers, sourceFiles } from "./import-rule.js";

const ROOT = join(import.meta.dirname, "../..");
const layers = readLayers(readFileSync(join(ROOT, "docs/design.md"), "utf8"));
const graph = importGraph(ROOT, sourceFiles(ROOT));

describe("the import rule of docs/design.md", () => {
  it("lists every folder of src/ once, core first and commands last", () => {
    const folders = new Set([...graph.keys()].map((f) => f.split("/")[1]).filter((f) => f !== undefined && !f.endsWith(".ts")));
    expect(new Set(layers)).toEqual(new Set([...folders, "commands"]));
    expect(layers.length).toBe(new Set(layers).size);
    expect(layers[0]).toBe("core");
    expect(layers.at(-1)).toBe("commands");
  });

  it("holds: no module imports a folder listed below its own", () => {
    expect(layerViolations(graph, layers)).toEqual([]);
  });

  it("holds: no import cycle between files", () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it("catches a backward import and a cycle (the checker itself can fail)", () => {
    const fake = new Map([
      ["src/core/a.ts", ["src/config/b.ts"]],
      ["src/config/b.ts", ["src/core/a.ts"]],
      ["src/cli.ts", ["src/core/a.ts"]],
    ]);
    expect(layerViolations(fake, ["core", "config", "commands"])).toEqual([
      "src/core/a.ts imports src/config/b.ts: 'core' may not import 'config' (listed below it)",
    ]);
    expect(importCycles(fake)).toEqual([["src/config/b.ts", "src/core/a.ts"]]);
  });
});
