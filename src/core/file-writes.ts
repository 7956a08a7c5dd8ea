/**
 * How ringtrain writes a file, so that a crash or a full disk never leaves a
 * half-written one: whole files are **replaced atomically** (written to a
 * temporary file beside the target, fsynced, renamed over it, the directory
 * fsynced), so a reader sees the old file, the new one, or none — never part
 * of one; JSON-lines logs are **appended** one write per batch of lines, a
 * failed append is cut back to where it began, and their reader leaves out a
 * torn last line (`src/runs/json-files.ts`). Errors are FILE_SYSTEM errors that
 * name the target file, not the temporary one (`file-errors.ts`).
 *
 * Written here rather than with npm's `write-file-atomic`: that one fsyncs the
 * file but not the directory, cannot stream (the Kaggle CSV export writes
 * ~100 MB in chunks), and its errors would need the same translation anyway.
 */
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileSystemError, type FileRole } from "./file-errors.js";

/** Distinguishes the temporary files of concurrent writes within one process. */
let writes = 0;

/**
 * Replaces `path` with `data` atomically (see the file comment). The temporary
 * file, `.<name>.<pid>.<n>.tmp` in the same directory, is removed on failure.
 *
 * @param role what the file is, for messages.
 * @throws RingtrainError FILE_SYSTEM naming `path` and the cause; `path` is then as it was.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, role: FileRole): Promise<void> {
  await writeFileAtomicWith(path, role, (file) => file.writeFile(data));
}

/**
 * {@link writeFileAtomic} for content written piece by piece: `write` gets the
 * temporary file's handle and may write to it as it likes; an error it throws
 * (of any kind) leaves `path` as it was and is rethrown, translated when it
 * is a file-system error.
 */
export async function writeFileAtomicWith(path: string, role: FileRole, write: (file: FileHandle) => Promise<void>): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${writes++}.tmp`);
  let file: FileHandle | undefined;
  try {
    file = await open(temp, "wx");
    await write(file);
    await file.sync();
    await file.close();
    file = undefined;
    await rename(temp, path);
  } catch (e) {
    await file?.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw await fileSystemError(e, "write", path, role);
  }
  await syncDirectory(dir);
}

/**
 * Appends `text` (whole lines, each ending in a line feed) to `path`, creating
 * it when absent. On failure (a full disk mid-write) the file is cut back to
 * its length before, so no torn line stays behind to be followed by others.
 *
 * @throws RingtrainError FILE_SYSTEM naming `path` and the cause.
 */
export async function appendToFile(path: string, text: string, role: FileRole): Promise<void> {
  let file: FileHandle | undefined;
  let before: number | undefined;
  try {
    file = await open(path, "a");
    before = (await file.stat()).size;
    await file.writeFile(text);
  } catch (e) {
    if (file !== undefined && before !== undefined) await file.truncate(before).catch(() => undefined);
    throw await fileSystemError(e, "append to", path, role);
  } finally {
    await file?.close().catch(() => undefined);
  }
}

/**
 * Makes a rename in `dir` durable (fsync of the directory). Best effort: some
 * file systems refuse to fsync a directory, and the file's own data is synced
 * already.
 */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r").catch(() => undefined);
  if (handle === undefined) return;
  await handle.sync().catch(() => undefined);
  await handle.close().catch(() => undefined);
}
