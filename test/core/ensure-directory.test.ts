import { mkdir, mkdtemp, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureDirectory } from "../../src/core/ensure-directory.js";
import { isRingtrainError } from "../../src/core/errors.js";
import { mountTmpfs } from "../helpers/tmpfs.js";

const role = { what: "the run directory", chosenBy: "--runs-dir" };

/** The FILE_SYSTEM error `ensureDirectory(path)` fails with, within `boundMs`. */
async function failure(path: string, boundMs = 5000): Promise<string> {
  const started = performance.now();
  const e = await Promise.race([
    ensureDirectory(path, role).then(
      () => new Error(`${path} was created`),
      (err: unknown) => err,
    ),
    new Promise((resolve) => setTimeout(() => resolve(new Error(`ensureDirectory(${path}) still running after ${boundMs} ms`)), boundMs).unref()),
  ]);
  expect(isRingtrainError(e, "FILE_SYSTEM"), String(e)).toBe(true);
  expect(performance.now() - started).toBeLessThan(boundMs);
  const message = (e as Error).message;
  expect(message).toContain(`cannot create the run directory ${path}: `);
  expect(message).toMatch(/choose another --runs-dir/);
  return message;
}

const isRoot = process.getuid?.() === 0;
const readOnly = await mountTmpfs("ro,size=64k");
afterAll(async () => {
  if ("dir" in readOnly) await readOnly.unmount();
});

describe("ensureDirectory", () => {
  it("creates missing parents one by one and accepts an existing directory or a link to one", async () => {
    const root = await mkdtemp(join(tmpdir(), "rt-ensure-"));
    const deep = join(root, "a", "b", "c");
    await ensureDirectory(deep, role);
    expect((await stat(deep)).isDirectory()).toBe(true);
    await ensureDirectory(deep, role);
    await symlink(join(root, "a"), join(root, "link"));
    await ensureDirectory(join(root, "link", "b", "d"), role);
    expect((await stat(join(root, "a", "b", "d"))).isDirectory()).toBe(true);
    // a relative path, as --runs-dir runs is
    await ensureDirectory(relative(process.cwd(), join(root, "rel", "x")), role);
    expect((await stat(join(root, "rel", "x"))).isDirectory()).toBe(true);
  });

  it("fails at once on /proc, where recursive mkdir loops for ever", async () => {
    expect(await failure("/proc/ringtrain-runs/x")).toMatch(/\/proc is on the kernel's proc file system, where no files can be made/);
  });

  it("says /sys is a kernel file system", async () => {
    expect(await failure("/sys/ringtrain-runs")).toMatch(/\/sys is on the kernel's sysfs file system/);
  });

  it("names a file in the way, whether it is the directory itself or above it", async () => {
    const root = await mkdtemp(join(tmpdir(), "rt-ensure-"));
    const file = join(root, "runs");
    await writeFile(file, "");
    expect(await failure(file)).toContain(`${file} is a file, not a directory; move it away or choose another --runs-dir`);
    expect(await failure(join(file, "x", "y"))).toContain(`${file} is a file, not a directory`);
  });

  it("names a dangling link and its target", async () => {
    const root = await mkdtemp(join(tmpdir(), "rt-ensure-"));
    await symlink(join(root, "gone"), join(root, "runs"));
    expect(await failure(join(root, "runs"))).toContain(`${join(root, "runs")} is a symbolic link to ${join(root, "gone")}, which does not exist`);
    expect(await failure(join(root, "runs", "x"))).toContain(`is a symbolic link to ${join(root, "gone")}`);
  });

  it.skipIf("skip" in readOnly)(`says read-only for a read-only mount${"skip" in readOnly ? ` (skipped: ${readOnly.skip})` : ""}`, async () => {
    const dir = "dir" in readOnly ? readOnly.dir : "";
    expect(await failure(join(dir, "runs", "x"))).toContain(`${dir} is on a read-only file system; choose another --runs-dir on a writable one`);
  });

  it.skipIf(isRoot)(`says permission denied where the user cannot write${isRoot ? " (skipped: root may write anywhere)" : ""}`, async () => {
    const root = await mkdtemp(join(tmpdir(), "rt-ensure-"));
    await mkdir(join(root, "locked"), { mode: 0o555 });
    expect(await failure(join(root, "locked", "runs"))).toMatch(/permission denied/);
  });
});
