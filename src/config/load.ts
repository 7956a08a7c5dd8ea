import { readFile } from "node:fs/promises";
import { withoutByteOrderMark } from "../core/byte-order-mark.js";
import { errorMessage, isRingtrainError, RingtrainError } from "../core/errors.js";
import { parseWith } from "../core/zod-issues.js";
import { applyOverrides, type ConfigOverride } from "./overrides.js";
import { runConfigSchema, type RunConfig } from "./schema.js";

/**
 * Reads a JSON config file (or none: the embedded defaults), applies the CLI
 * overrides in order (overrides.ts) and validates the result once.
 *
 * @throws RingtrainError CONFIG_INVALID naming the file, the field and what was expected;
 *   USAGE for an override whose path cannot be set.
 */
export async function loadConfig(path: string | undefined, overrides: readonly ConfigOverride[] = []): Promise<RunConfig> {
  const raw = path === undefined ? {} : await readJsonObjectFile(path, "config file");
  return parseWith(runConfigSchema, applyOverrides(raw, overrides), path ?? "the default config", (issuePath) => overrideSource(issuePath, overrides));
}

/**
 * The source (`--lr`, `--set x=y`) of the last override that set the field at
 * `issuePath` or an object enclosing it, so an error names the flag that gave
 * the bad value; undefined when the value came from the file.
 */
function overrideSource(issuePath: readonly (string | number)[], overrides: readonly ConfigOverride[]): string | undefined {
  const field = issuePath.join(".");
  const setter = overrides.findLast((o) => field === o.path || field.startsWith(`${o.path}.`));
  return setter?.source;
}

/**
 * Reads a JSON file that must hold an object: a config, an experiment, a sweep
 * record. `what` names the file in errors ("config file" → `cannot read config
 * file <path>: ENOENT`).
 *
 * @throws RingtrainError CONFIG_INVALID when the file cannot be read, is not
 *   JSON, or holds something other than an object. The read's or the parse's
 *   error is its `cause`; {@link fileReadErrorCode} tells a failed read apart.
 */
export async function readJsonObjectFile(path: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new RingtrainError("CONFIG_INVALID", `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? errorMessage(e)}`, { cause: e });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(withoutByteOrderMark(text));
  } catch (e) {
    throw new RingtrainError("CONFIG_INVALID", `${what} ${path} is not valid JSON: ${errorMessage(e)}`, { cause: e });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new RingtrainError("CONFIG_INVALID", `${what} ${path} must hold a JSON object, got ${Array.isArray(raw) ? "an array" : typeof raw}`);
  }
  return raw as Record<string, unknown>;
}

/**
 * The errno code (`ENOENT`, `EACCES`, ...) when `e` is {@link readJsonObjectFile}'s
 * error for a file it could not read; undefined for any other error (the file
 * was read but is not a JSON object), so a caller can say "not there" differently.
 */
export function fileReadErrorCode(e: unknown): string | undefined {
  if (!isRingtrainError(e, "CONFIG_INVALID")) return undefined;
  const code = (e.cause as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Validates an already-parsed config object; `source` names it in errors. */
export function parseConfig(raw: unknown, source: string): RunConfig {
  return parseWith(runConfigSchema, raw, source);
}
