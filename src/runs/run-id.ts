/**
 * A new run id, the name of its directory: `mlp-128-64-20261123-055012-ab12`
 * (the config's name made path-safe, the UTC time, a random suffix), sortable
 * and unique enough for one host. Sweeps name their directories the same way.
 */
export function makeRunId(name: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const suffix = Math.floor(Math.random() * 0xffff).toString(16).padStart(4, "0");
  return `${name.replace(/[^A-Za-z0-9_.-]+/g, "_")}-${stamp}-${suffix}`;
}
