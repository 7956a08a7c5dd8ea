import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** Bumped whenever a message or frame changes shape: peers of different versions refuse each other. */
export const PROTOCOL_VERSION = 4;

let cachedVersion: string | undefined;

/** `ringtrain 0.1.0, protocol 4` (package version, {@link PROTOCOL_VERSION}): what a worker and its coordinator must agree on (the model code ships with it). */
export function codeVersion(): string {
  if (cachedVersion === undefined) {
    let version = "unknown";
    try {
      // src/distributed/protocol/ and dist/distributed/protocol/ are both three levels below the package root
      const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version?: unknown };
      if (typeof pkg.version === "string") version = pkg.version;
    } catch {
      // an unusual install without package.json: the protocol version still guards the wire
    }
    cachedVersion = `ringtrain ${version}, protocol ${PROTOCOL_VERSION}`;
  }
  return cachedVersion;
}

/**
 * Fields that may differ between a worker's config file and the coordinator's
 * without changing the math: where files go, how local workers talk, the
 * local worker count (the coordinator's --world-size decides), the backend
 * (each host picks its own), the label and the timeouts.
 */
const LOCAL_FIELDS = new Set(["name", "runsDir", "transport", "workers", "backend", "timeouts"]);

/** JSON with object keys sorted at every level, so equal configs hash equally. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 (first 16 hex digits) of a resolved config without its {@link LOCAL_FIELDS}. */
export function configHash(config: object): string {
  const kept = Object.fromEntries(Object.entries(config).filter(([k]) => !LOCAL_FIELDS.has(k)));
  return createHash("sha256").update(canonical(kept)).digest("hex").slice(0, 16);
}
