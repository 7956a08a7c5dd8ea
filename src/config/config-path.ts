/**
 * Reading and writing run-config fields by dotted path (`optimizer.learningRate`),
 * and merging partial configs: how experiment parameters and the command line's
 * overrides (overrides.ts) reach a run config. Pure functions on JSON-like
 * values; inputs are never modified.
 */

type JsonObject = Record<string, unknown>;

/** A dotted run-config path: `batchSize`, `optimizer.learningRate`, `model.hidden` (what experiments and `--set` accept). */
export const CONFIG_PATH_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Whether `v` is a JSON object (not null, not an array). */
export function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The value at `path` in `obj`, or undefined where any segment is missing. */
export function getPath(obj: unknown, path: string): unknown {
  let at: unknown = obj;
  for (const key of path.split(".")) {
    if (!isPlainObject(at)) return undefined;
    at = at[key];
  }
  return at;
}

/**
 * A copy of `obj` with `value` at `path`; missing intermediate objects are
 * created. Setting a whole object (`optimizer`) replaces it, so a different
 * optimizer starts from its own defaults.
 *
 * @throws Error when a segment on the way is not an object (e.g. `batchSize.x`);
 *   the caller names the trial.
 */
export function setPath(obj: JsonObject, path: string, value: unknown): JsonObject {
  const [head, ...rest] = path.split(".") as [string, ...string[]];
  if (rest.length === 0) return { ...obj, [head]: value };
  const child = obj[head];
  if (child !== undefined && !isPlainObject(child)) throw new Error(`${head} is ${JSON.stringify(child)}, not an object, so ${path} cannot be set`);
  return { ...obj, [head]: setPath(child ?? {}, rest.join("."), value) };
}

/**
 * `base` with `patch` merged in: objects merge key by key, arrays and other
 * values replace. An object whose `name` differs from the base's (another
 * optimizer, model or schedule) replaces it whole: the fields of the old one
 * would not fit the new one.
 */
export function deepMerge(base: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    const sameKind = isPlainObject(current) && isPlainObject(value) && (value.name === undefined || value.name === current.name);
    out[key] = sameKind ? deepMerge(current, value) : value;
  }
  return out;
}
