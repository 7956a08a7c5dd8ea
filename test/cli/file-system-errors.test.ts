import { mkdtemp, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";
import { mountTmpfs } from "../helpers/tmpfs.js";

/** A train that fails before it starts any worker: only the run directory matters. */
const QUICK = ["--train-limit", "500", "--test-limit", "100", "--epochs", "1", "--workers", "1"];
/** Every run directory ringtrain fails to make must fail within this; a recursive mkdir on procfs never ended. */
const BOUND_MS = 20_000;

/** A file-system error the user can act on: a FILE_SYSTEM error naming `path`, not "internal error". */
function expectFileSystemError(r: CliResult, path: string): void {
  expect(r.signal, `killed after ${Math.round(r.ms)} ms: ${r.stderr}`).toBeNull();
  expect(r.code).toBe(1);
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.stderr).toMatch(/^ringtrain: error \[FILE_SYSTEM\]: cannot /m);
  expect(r.stderr).toContain(path);
}

const root = await mkdtemp(join(tmpdir(), "rt-fs-errors-"));
await writeFile(join(root, "a-file"), "");
await symlink(join(root, "gone"), join(root, "dangling"));
const readOnly = await mountTmpfs("ro,size=64k");
// room for the config, metrics and summary, not for the MLP's 427 KiB of weights
const full = await mountTmpfs("size=256k");
afterAll(async () => {
  for (const m of [readOnly, full]) if ("dir" in m) await m.unmount();
});

describe("a runs directory that cannot be made fails at once, naming it", () => {
  it("train and sweep with --runs-dir on /proc exit within the bound (a recursive mkdir spun for ever there)", async () => {
    const [train, sweep] = await Promise.all([
      runCli(["train", ...QUICK, "--runs-dir", "/proc/ringtrain-runs"], BOUND_MS),
      runCli(["sweep", "configs/experiments/learning-rate.json", "--runs-dir", "/proc/ringtrain-runs"], BOUND_MS),
    ]);
    for (const r of [train, sweep]) {
      expectFileSystemError(r, "/proc/ringtrain-runs");
      expect(r.stderr).toMatch(/\/proc is on the kernel's proc file system.*; choose another --runs-dir/);
      expect(r.ms).toBeLessThan(BOUND_MS);
    }
  }, 30_000);

  it.each([
    ["a file", "a-file", /a-file is a file, not a directory/],
    ["under a file", "a-file/runs", /a-file is a file, not a directory/],
    ["a dangling link", "dangling", /dangling is a symbolic link to .*gone, which does not exist/],
  ])("--runs-dir that is %s", async (_, dir, cause) => {
    const r = await runCli(["train", ...QUICK, "--runs-dir", join(root, dir)], BOUND_MS);
    expectFileSystemError(r, join(root, dir));
    expect(r.stderr).toMatch(cause);
  });

  it("--runs-dir under /sys", async () => {
    const r = await runCli(["train", ...QUICK, "--runs-dir", "/sys/ringtrain-runs"], BOUND_MS);
    expectFileSystemError(r, "/sys/ringtrain-runs");
    expect(r.stderr).toMatch(/\/sys is on the kernel's sysfs file system/);
  });

  it.skipIf("skip" in readOnly)(`--runs-dir on a read-only file system${"skip" in readOnly ? ` (skipped: ${readOnly.skip})` : ""}`, async () => {
    const dir = "dir" in readOnly ? readOnly.dir : "";
    const r = await runCli(["train", ...QUICK, "--runs-dir", join(dir, "runs")], BOUND_MS);
    expectFileSystemError(r, join(dir, "runs"));
    expect(r.stderr).toContain(`${dir} is on a read-only file system`);
  });
});

describe("a full disk", () => {
  it.skipIf("skip" in full)(
    `fails the run naming weights.bin, leaves no truncated weights, and predict then says the run has none${"skip" in full ? ` (skipped: ${full.skip})` : ""}`,
    async () => {
      const runsDir = "dir" in full ? full.dir : "";
      const r = await runCli(["train", ...QUICK, "--runs-dir", runsDir], 60_000);
      expectFileSystemError(r, "weights.bin");
      expect(r.stderr).toMatch(/cannot write the run's weights .*\/weights\.bin: no space left on device; free space there or choose another --runs-dir/);
      const [runId] = await readdir(runsDir);
      const runDir = join(runsDir, runId!);
      const files = await readdir(runDir);
      // either whole weights or none, and no temporary file left behind
      if (files.includes("weights.bin")) expect((await stat(join(runDir, "weights.bin"))).size).toBe((784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10) * 4);
      expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([]);
      const summary = JSON.parse(await readFile(join(runDir, "summary.json"), "utf8")) as { status: string; error: string; weightsFile: string | null };
      expect(summary).toMatchObject({ status: "failed", weightsFile: null });
      expect(summary.error).toMatch(/weights\.bin: no space left on device/);

      const predicted = await runCli(["predict", runDir, "--out", join(root, "submission.csv")], 60_000);
      expect(predicted.code).toBe(2);
      expect(predicted.stderr).toMatch(/has no weights\.bin: the run did not finish/);
    },
    90_000,
  );
});
