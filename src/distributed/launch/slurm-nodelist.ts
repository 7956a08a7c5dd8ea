import { RingtrainError } from "../../core/errors.js";

/**
 * The first host of a Slurm node list (`SLURM_NODELIST`, `SLURM_JOB_NODELIST`),
 * where the batch script and so the coordinator run: `node[03-05,9],gpu1` →
 * `node03`. Zero padding of a range is kept, as Slurm writes it. Only the first
 * host is expanded, so this stays cheap for lists of thousands of nodes.
 *
 * @throws RingtrainError USAGE for an empty or malformed list, quoting it.
 */
export function firstSlurmHost(nodelist: string): string {
  const list = nodelist.trim();
  // the first entry ends at the first comma outside brackets
  let depth = 0;
  let end = list.length;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === "[") depth++;
    else if (c === "]") depth--;
    else if (c === "," && depth === 0) {
      end = i;
      break;
    }
  }
  const entry = list.slice(0, end);
  const m = /^([^[\]]+)(?:\[([^\]]+)\])?([^[\]]*)$/.exec(entry);
  if (entry === "" || m === null || depth < 0) {
    throw new RingtrainError("USAGE", `SLURM_NODELIST "${nodelist}" is not a Slurm node list (expected e.g. node[01-04],gpu7)`);
  }
  const [, prefix, range, suffix] = m as unknown as [string, string, string | undefined, string];
  if (range === undefined) return prefix + suffix;
  const first = range.split(",")[0]?.split("-")[0] ?? "";
  if (!/^\d+$/.test(first)) throw new RingtrainError("USAGE", `SLURM_NODELIST "${nodelist}": range "[${range}]" does not start with a number`);
  return prefix + first + suffix;
}
