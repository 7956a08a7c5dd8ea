import { ZodError, type z } from "zod";
import { RingtrainError } from "./errors.js";

/**
 * Zod issues as one line for an error message: `optimizer.learningRate:
 * learningRate must be > 0; augment.kinds.0: unknown field(s) "rotate"`.
 * Zod's generic wording (enum values, unknown keys, union discriminators) is
 * replaced by what was expected; messages a schema wrote itself are kept.
 * Imports nothing from the schemas, so any schema module may use it.
 */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      let detail = issue.message;
      if (issue.code === "invalid_enum_value") detail = `expected one of ${issue.options.map((v) => JSON.stringify(v)).join(", ")}, got ${JSON.stringify(issue.received)}`;
      if (issue.code === "unrecognized_keys") detail = `unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
      if (issue.code === "invalid_union_discriminator" && issue.message.startsWith("Invalid discriminator value")) {
        detail = `expected one of ${issue.options.map((v) => JSON.stringify(v)).join(", ")}`;
      }
      return issue.path.length > 0 ? `${issue.path.join(".")}: ${detail}` : detail;
    })
    .join("; ");
}

/** Names where the value at an issue's path came from (a flag), or undefined for the input's own source. */
export type IssueSource = (path: readonly (string | number)[]) => string | undefined;

/**
 * Parses `input` with `schema`.
 *
 * @param where names the source in errors, e.g. `configs/x.json: optimizer`.
 * @param sourceOf names another source for some fields (`--lr` for
 *   `optimizer.learningRate`): their issues are listed under it instead of `where`.
 * @throws RingtrainError CONFIG_INVALID listing every problem with its field.
 */
export function parseWith<S extends z.ZodTypeAny>(schema: S, input: unknown, where: string, sourceOf?: IssueSource): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data as z.output<S>;
  const bySource = new Map<string, z.ZodIssue[]>();
  for (const issue of result.error.issues) {
    const source = sourceOf?.(issue.path) ?? where;
    bySource.set(source, [...(bySource.get(source) ?? []), issue]);
  }
  const parts = [...bySource].map(([source, issues]) => `${source}: ${formatIssues(new ZodError(issues))}`);
  throw new RingtrainError("CONFIG_INVALID", parts.join("; "));
}
