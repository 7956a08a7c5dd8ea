import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** Every benchmark entry point (src/bench/*.ts with a main) and the flags its --help must name. */
const BENCHES: Record<string, string[]> = {
  allreduce: ["--ranks", "--sizes", "--transport", "--quick", "--no-torch"],
  "allreduce-hosts": ["--hosts", "--rate", "--sizes", "--reps", "--burst"],
  augment: ["--images", "--runs", "--batch"],
  compute: ["--models", "--backends", "--e2e", "--no-torch", "--quick"],
  "compute-step": ["--backend", "--model", "--batch", "--steps", "--warmup"],
  "kernel-profile": ["--backend", "--model", "--unpatched", "--steps", "--warmup", "--batch", "--by-shape"],
  "ring-rank": [],
};

function bench(name: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const script = join(process.cwd(), "dist", "bench", `${name}.js`);
  expect(existsSync(script), "run `npm run build` first").toBe(true);
  return spawnSync(process.execPath, [script, ...args], { encoding: "utf8", timeout: 60_000 });
}

describe("every benchmark answers --help (bench-args.ts parseBenchArgs)", () => {
  it("the list above holds every entry point of src/bench", () => {
    const dir = join(process.cwd(), "src", "bench");
    const entryPoints = readdirSync(dir).filter((f) => f.endsWith(".ts") && /^\s*(await )?main\(\)/m.test(readFileSync(join(dir, f), "utf8")));
    expect(entryPoints.map((f) => f.replace(/\.ts$/, "")).sort()).toEqual(Object.keys(BENCHES).sort());
  });

  for (const [name, flags] of Object.entries(BENCHES)) {
    it(`${name} --help prints its usage and flags and exits 0; an unknown flag exits 2 listing the known ones`, () => {
      const help = bench(name, ["--help"]);
      expect(help.stderr).toBe("");
      expect(help.status).toBe(0);
      expect(help.stdout).toContain(`Usage: node dist/bench/${name}.js`);
      for (const flag of [...flags, "--help"]) expect(help.stdout).toContain(flag);
      expect(bench(name, ["-h"]).stdout).toBe(help.stdout);

      const unknown = bench(name, ["--no-such-flag"]);
      expect(unknown.status).toBe(2);
      expect(unknown.stderr).toContain(`${name}.js: Unknown option '--no-such-flag'`);
      expect(unknown.stderr).toContain(`known flags: ${[...flags, "--help"].join(", ")}`);
    });
  }
});
