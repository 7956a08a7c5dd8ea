import type { z } from "zod";
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

/**
 * Parses `input` with `schema`.
 *
 * @param where names the source in errors, e.g. `configs/x.json: optimizer`.
 * @throws RingtrainError CONFIG_INVALID listing every problem with its field.
 */
export function parseWith<S extends z.ZodTypeAny>(schema: S, input: unknown, where: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new RingtrainError("CONFIG_INVALID", `${where}: ${formatIssues(result.error)}`);
  return result.data as z.output<S>;
}
