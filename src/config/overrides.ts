/**
 * Changes to a run config from the command line: the commands' named flags
 * (`--lr`, `--batch-size`: one table, src/commands/config-flags.ts) and
 * `--set path=value`. They are applied to the raw config, before it is
 * validated, so a bad value is reported by the field it set.
 */
import { errorMessage, isRingtrainError, RingtrainError } from "../core/errors.js";
import { defaultOptimizerConfig } from "../model/optimizers/optimizer-config.js";
import { CONFIG_PATH_PATTERN, isPlainObject, setPath } from "./config-path.js";
import type { RunConfig } from "./schema.js";

type RawConfig = Record<string, unknown>;

/**
 * The dotted paths of the run config's fields (`batchSize`, `optimizer.learningRate`,
 * `divergence.maxLoss`): what a named flag may set, checked when compiling.
 */
export type RunConfigPath = FieldPath<RunConfig>;

type FieldPath<T> = T extends readonly unknown[]
  ? never
  : T extends object
    ? { [K in keyof T & string]-?: K | `${K}.${FieldPath<NonNullable<T[K]>>}` }[keyof T & string]
    : never;

/** How an override changes the raw config; plain overrides use {@link setPath}. */
export type ApplyOverride = (raw: RawConfig, path: string, value: unknown) => RawConfig;

/** One change to a raw run config. */
export interface ConfigOverride {
  /** the dotted run-config path it sets, e.g. `optimizer.learningRate` */
  path: string;
  value: unknown;
  /** names it in errors, with the value as given: `--lr -1`, `--set batchSize.x=1` */
  source: string;
  /** how it is applied, where not by setting `path` alone (the optimizer's rule, {@link setOptimizerField}) */
  apply?: ApplyOverride;
}

/**
 * `raw` with the overrides applied in order (a later one wins); `raw` is not modified.
 *
 * @throws RingtrainError USAGE naming the override when its path cannot be set
 *   (`--set batchSize.x=1`: batchSize is not an object); CONFIG_INVALID from an
 *   override's own rule (an unknown optimizer).
 */
export function applyOverrides(raw: RawConfig, overrides: readonly ConfigOverride[]): RawConfig {
  let out = raw;
  for (const o of overrides) {
    try {
      out = (o.apply ?? setPath)(out, o.path, o.value);
    } catch (e) {
      if (isRingtrainError(e)) throw e;
      throw new RingtrainError("USAGE", `${o.source}: ${errorMessage(e)}`, { cause: e });
    }
  }
  return out;
}

/**
 * Sets a field of the optimizer (`--optimizer`, `--lr`). Naming another
 * optimizer than the config's starts from that optimizer's own defaults (the
 * config's fields, e.g. sgd's momentum, would not fit it), so `optimizer.name`
 * must be applied before the other optimizer fields: `--optimizer adam --lr
 * 0.01` is adam's defaults at rate 0.01. An optimizer the config leaves
 * unnamed is sgd.
 *
 * @throws RingtrainError CONFIG_INVALID listing the known optimizers for an unknown name.
 */
export const setOptimizerField: ApplyOverride = (raw, path, value) => {
  const current = isPlainObject(raw.optimizer) ? raw.optimizer : {};
  const switches = path === "optimizer.name" && value !== current.name;
  const optimizer: RawConfig = switches ? { ...defaultOptimizerConfig(typeof value === "string" ? value : JSON.stringify(value)) } : { name: "sgd", ...current };
  return setPath({ ...raw, optimizer }, path, value);
};

/**
 * A `--set <path>=<value>` setting: the value is JSON where it parses (`12000`,
 * `[64,32]`, `true`, `"full"`), else the text itself (`--set dataset=fashion-mnist`).
 * Applied as it stands: `--set optimizer.name=adam` keeps the config's other
 * optimizer fields (`--optimizer adam` starts from adam's defaults).
 *
 * @throws RingtrainError USAGE when it is not `<dotted path>=<value>`.
 */
export function parseSetting(setting: string): ConfigOverride {
  const at = setting.indexOf("=");
  const path = setting.slice(0, at);
  if (at <= 0 || !CONFIG_PATH_PATTERN.test(path)) {
    throw new RingtrainError("USAGE", `--set ${setting}: expected <path>=<value> with a dotted run-config path, e.g. --set trainLimit=12000 or --set optimizer.learningRate=0.05`);
  }
  const text = setting.slice(at + 1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  return { path, value, source: `--set ${setting}` };
}
