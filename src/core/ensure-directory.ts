/**
 * Creating a directory and its parents in bounded time. Every directory
 * ringtrain creates is made here, not with `mkdir(path, { recursive: true })`:
 * Node's recursive mkdir loops for ever, at full CPU and deaf to Ctrl-C, where
 * mkdir answers ENOENT although the parent exists (procfs does:
 * `--runs-dir /proc/runs` hung). Here each component is made with one plain
 * mkdir, at most {@link ATTEMPTS} times when another process races us, so the
 * number of system calls is bounded by the path's depth.
 */
import { mkdir, stat } from "node:fs/promises";
import { RingtrainError } from "./errors.js";
import { errnoError, errnoOf, fileSystemError, pathPrefixes, type FileRole } from "./file-errors.js";

/** Tries per component: a directory made and removed again by someone else between our stat and mkdir. */
const ATTEMPTS = 3;

/**
 * Makes `path` a directory, creating its missing parents one at a time. An
 * existing directory (or a link to one) is left as it is.
 *
 * @param role what the directory is and the flag that chose it, for messages.
 * @throws RingtrainError FILE_SYSTEM naming the path, the component at fault
 *   and the cause (a file in the way, a dangling link, a read-only or kernel
 *   file system, permission denied, no space).
 */
export async function ensureDirectory(path: string, role: FileRole): Promise<void> {
  if ((await stat(path).catch(() => null))?.isDirectory() === true) return;
  for (const dir of pathPrefixes(path)) await ensureComponent(dir, path, role);
}

/** Makes the one directory `dir`, whose parent exists. */
async function ensureComponent(dir: string, path: string, role: FileRole): Promise<void> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    let isDirectory: boolean | null;
    try {
      isDirectory = (await stat(dir)).isDirectory();
    } catch (e) {
      if (errnoOf(e) !== "ENOENT") throw await fileSystemError(e, "create", path, role);
      isDirectory = null;
    }
    if (isDirectory === true) return;
    if (isDirectory === false) throw await fileSystemError(errnoError("ENOTDIR", "mkdir", dir), "create", path, role);
    try {
      await mkdir(dir);
      return;
    } catch (e) {
      // EEXIST: made by someone else since our stat (look again), or a dangling link (the diagnosis names it)
      if (errnoOf(e) !== "EEXIST" || attempt === ATTEMPTS - 1) throw await fileSystemError(e, "create", path, role);
    }
  }
  throw new RingtrainError("INTERNAL", `ensureDirectory(${path}): gave up on ${dir} without an error`);
}
