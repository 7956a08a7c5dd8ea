import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A tmpfs mounted for a test, or why there is none. */
export type Tmpfs = { dir: string; unmount: () => Promise<void> } | { skip: string };

/**
 * Mounts a fresh tmpfs (`mount -t tmpfs -o <options>`) on a new temporary
 * directory: a small one is a full disk, a `ro` one a read-only file system.
 * Needs root (and a kernel that lets this container mount); otherwise it says
 * why, for the test to skip with.
 */
export async function mountTmpfs(options: string): Promise<Tmpfs> {
  if (process.getuid?.() !== 0) return { skip: "needs root to mount a tmpfs" };
  const dir = await mkdtemp(join(tmpdir(), "rt-tmpfs-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir], { stdio: "pipe" });
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    return { skip: `mount -t tmpfs failed: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}` };
  }
  return {
    dir,
    unmount: async () => {
      execFileSync("umount", [dir], { stdio: "pipe" });
      await rm(dir, { recursive: true, force: true });
    },
  };
}
