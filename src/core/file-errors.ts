/**
 * File-system failures as the user's to fix: an errno error of Node's `fs`
 * becomes a FILE_SYSTEM {@link RingtrainError} that names the path, says the
 * cause in words and what to do:
 *
 *     cannot write the run's weights runs/x/weights.bin: no space left on device; free space there or choose another --runs-dir
 *     cannot create the run directory /proc/runs/x: /proc is on the kernel's proc file system, where no files can be made; choose another --runs-dir
 *
 * The errno alone often misleads (a read-only mount answers a recursive mkdir
 * with ENOENT, procfs answers mkdir with ENOENT, sysfs with EPERM), so after a
 * failure the path is examined: which component is a file or a dangling link,
 * which directory is missing, and what the nearest existing directory is on
 * (a kernel file system, a read-only mount). Each look is one system call per
 * path component, so a diagnosis takes bounded time.
 */
import { access, constants, lstat, readlink, stat, statfs } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import { errorMessage, RingtrainError } from "./errors.js";

/**
 * What a file or directory is, for messages: `"the report"`, or with the flag
 * that chose where it goes, named in the remedy: `{ what: "the run's weights", chosenBy: "--runs-dir" }`.
 */
export type FileRole = string | { what: string; chosenBy: string };

/** What was being done to the path. */
export type FileAction = "create" | "write" | "append to" | "read";

/** Kernel file systems that hold no user files (`statfs` magic numbers, linux/magic.h). */
const KERNEL_FILE_SYSTEMS = new Map<number, string>([
  [0x9fa0, "proc"],
  [0x62656572, "sysfs"],
  [0x27e0eb, "cgroup"],
  [0x63677270, "cgroup2"],
  [0x64626720, "debugfs"],
  [0x74726163, "tracefs"],
  [0x73636673, "securityfs"],
  [0x1cd1, "devpts"],
  [0x62656570, "configfs"],
  [0xcafe4a11, "bpf"],
]);

/** The errno code of a Node file-system error, else undefined. */
export function errnoOf(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return e instanceof Error && typeof code === "string" && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/** An errno error as Node's `fs` throws one, for a condition found without a system call failing. */
export function errnoError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path });
}

/**
 * `e` as the user's error when it is a file-system error (it has an errno
 * code), else `e` unchanged: anything else is not the file system's doing.
 *
 * @param path the file or directory as the user knows it (not a temporary file beside it).
 */
export async function fileSystemError(e: unknown, action: FileAction, path: string, role: FileRole): Promise<unknown> {
  const code = errnoOf(e);
  if (code === undefined) return e;
  const { what, chosenBy } = typeof role === "string" ? { what: role, chosenBy: undefined } : role;
  const elsewhere = chosenBy === undefined ? "use another location" : `choose another ${chosenBy}`;
  const cause = await diagnose(code, action, path, elsewhere, e);
  return new RingtrainError("FILE_SYSTEM", `cannot ${action} ${what} ${path}: ${cause}`, { cause: e });
}

/** The directories leading to `path` and `path` itself: `/a/b` → `/`, `/a`, `/a/b`; `runs/x` → `runs`, `runs/x`. */
export function pathPrefixes(path: string): string[] {
  const normal = normalize(path);
  const parts = normal.split(sep).filter((p) => p !== "" && p !== ".");
  const out: string[] = isAbsolute(normal) ? [sep] : [];
  let current = isAbsolute(normal) ? sep : "";
  for (const part of parts) {
    current = current === "" ? part : join(current, part);
    out.push(current);
  }
  return out;
}

/** A structural problem on the way to `path`: a file or dangling link where a directory belongs, a missing directory. */
async function structuralProblem(path: string, action: FileAction, elsewhere: string): Promise<string | null> {
  const chain = pathPrefixes(path);
  for (const [i, p] of chain.entries()) {
    const last = i === chain.length - 1;
    const s = await stat(p).catch(() => null);
    if (s === null) {
      const link = await lstat(p).catch(() => null);
      if (link?.isSymbolicLink() === true) {
        const target = await readlink(p).catch(() => "?");
        return `${p} is a symbolic link to ${target}, which does not exist; create ${target} or ${elsewhere}`;
      }
      if (last) return null; // the path itself is what was being created
      if (action === "create") return null; // a directory that cannot be made: the causes below say why
      return `the directory ${p} does not exist; create it or ${elsewhere}`;
    }
    if (!last && !s.isDirectory()) return `${p} is ${s.isFile() ? "a file" : "not a directory"}, not a directory; move it away or ${elsewhere}`;
    if (last && action === "create" && !s.isDirectory()) return `${p} is ${s.isFile() ? "a file" : "something else"}, not a directory; move it away or ${elsewhere}`;
    if (last && action !== "create" && s.isDirectory()) return `${p} is a directory; ${elsewhere}`;
  }
  return null;
}

/** The nearest directory of `path` (or `path` itself) that exists. */
async function nearestExisting(path: string): Promise<string> {
  for (const p of pathPrefixes(path).reverse()) {
    if ((await stat(p).catch(() => null))?.isDirectory() === true) return p;
  }
  return ".";
}

/** Why files cannot be made in the existing directory `dir`, when it is a kernel or read-only file system or not writable; else null. */
async function placeProblem(dir: string, elsewhere: string): Promise<string | null> {
  const fs = await statfs(dir).then(
    (s) => KERNEL_FILE_SYSTEMS.get(Number(s.type)),
    () => undefined,
  );
  if (fs !== undefined) return `${dir} is on the kernel's ${fs} file system, where no files can be made; ${elsewhere}`;
  const writable = await access(dir, constants.W_OK).then(
    () => null,
    (e: unknown) => errnoOf(e),
  );
  if (writable === "EROFS") return `${dir} is on a read-only file system; ${elsewhere} on a writable one`;
  if (writable === "EACCES" || writable === "EPERM") return `permission denied: you cannot write in ${dir}; ${elsewhere}, or change its permissions`;
  return null;
}

async function diagnose(code: string, action: FileAction, path: string, elsewhere: string, e: unknown): Promise<string> {
  switch (code) {
    case "ENOSPC":
      return `no space left on device; free space there or ${elsewhere}`;
    case "EDQUOT":
      return `disk quota exceeded; free space there or ${elsewhere}`;
    case "EMFILE":
    case "ENFILE":
      return "too many open files; raise the limit (ulimit -n) or run fewer processes";
    case "EIO":
      return `input/output error (a failing disk or a lost network mount); check the device or ${elsewhere}`;
    case "ENAMETOOLONG":
      return `the name is too long; ${elsewhere}`;
    case "ELOOP":
      return `too many levels of symbolic links (a link loop?); ${elsewhere}`;
  }
  const structure = await structuralProblem(path, action, elsewhere);
  if (structure !== null) return structure;
  if (action !== "read") {
    const place = await placeProblem(await nearestExisting(action === "create" ? path : dirname(path)), elsewhere);
    if (place !== null) return place;
  }
  switch (code) {
    case "EROFS":
      return `read-only file system; ${elsewhere} on a writable one`;
    case "EACCES":
      return `permission denied; ${elsewhere}, or change its permissions`;
    case "EPERM":
      return `operation not permitted; ${elsewhere}`;
    case "ENOENT":
      return action === "read" ? "no such file" : `the file system refuses to make it (ENOENT); ${elsewhere}`;
    default:
      return `${errorMessage(e)}; ${elsewhere}`;
  }
}
