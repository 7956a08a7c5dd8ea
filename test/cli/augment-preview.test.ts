import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodePng } from "../../src/image/png.js";
import { runCli } from "../helpers/cli.js";

describe("ringtrain augment-preview", () => {
  it("writes a decodable PNG grid of originals and their variants", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rt-preview-"));
    const out = join(dir, "grid.png");
    const r = await runCli(["augment-preview", "configs/mlp-augment-10x.json", "--out", out, "--rows", "10", "--variants", "4"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/10 originals × 4 variants/);
    const png = decodePng(await readFile(out));
    // 5 columns and 10 rows of 28-pixel images at least
    expect(png.width).toBeGreaterThan(5 * 28);
    expect(png.height).toBeGreaterThan(10 * 28);
    // not blank: some bright pixels and some dark ones
    let bright = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i]! > 200) bright++;
    expect(bright).toBeGreaterThan(1000);
  });

  it("refuses a config without an augment section", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rt-preview-"));
    const config = join(dir, "plain.json");
    await writeFile(config, "{}");
    const r = await runCli(["augment-preview", config, "--out", join(dir, "x.png")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no "augment" section/);
  });
});
