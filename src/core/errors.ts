/**
 * The one error class of ringtrain, with a closed set of codes.
 *
 * Messages say what was received, what was expected and what to do, and name
 * who failed (rank, host, pid, phase) wherever a peer is involved. The CLI prints
 * `error [code]: message` and a stack trace only with `--verbose`.
 */
export const ERROR_CODES = [
  /** A config file or CLI flag is invalid. */
  "CONFIG_INVALID",
  /** A data file is missing, truncated or malformed. */
  "DATA_INVALID",
  /**
   * A file or directory cannot be created, written or read for a reason the user
   * fixes, not ringtrain: no space left, read-only or kernel file system,
   * permission denied, a file where a directory belongs, a dangling link. The
   * message names the path, the cause in words (not the errno) and what to do
   * (`src/core/file-errors.ts`).
   */
  "FILE_SYSTEM",
  /** A command-line usage error. */
  "USAGE",
  /** A bounded wait ran out (rendezvous, allreduce phase, control exchange). */
  "TIMEOUT",
  /** A worker process exited, crashed or went silent. */
  "WORKER_FAILED",
  /** A peer sent a message that does not match the protocol. */
  "PROTOCOL",
  /** Ranks diverged: weight checksums differ. */
  "DESYNC",
  /** A requested compute backend cannot load. */
  "BACKEND_UNAVAILABLE",
  /** The run was interrupted by a signal (Ctrl-C, SIGTERM). */
  "INTERRUPTED",
  /** A bug: an invariant of ringtrain itself broke. */
  "INTERNAL",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The error every ringtrain component throws for an expected failure. */
export class RingtrainError extends Error {
  override readonly name = "RingtrainError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when `e` is a {@link RingtrainError}, optionally of one code. */
export function isRingtrainError(e: unknown, code?: ErrorCode): e is RingtrainError {
  return e instanceof RingtrainError && (code === undefined || e.code === code);
}

/** Who a message concerns: used to make failure messages name the peer. */
export interface PeerIdentity {
  rank: number;
  host: string;
  pid: number;
}

/** `worker 3 (host b, pid 812)`: the standard way to name a peer in messages. */
export function describePeer(p: PeerIdentity): string {
  return `worker ${p.rank} (host ${p.host}, pid ${p.pid})`;
}

/** A readable message for anything thrown, for logs and error frames. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/**
 * The `default` of a switch that handles every member of a union: it compiles
 * only while no member is left unhandled (`value` is then `never`), so a new
 * member fails the build instead of being dropped silently. Reached anyway at
 * run time (a value that bypassed its type), it throws INTERNAL naming it.
 */
export function assertNever(value: never, what: string): never {
  const v: unknown = value;
  // a tagged object is named by its tag, not dumped (a message may carry megabytes of weights)
  const shown = typeof v === "object" && v !== null && "type" in v ? `of type ${JSON.stringify(v.type)}` : JSON.stringify(v);
  throw new RingtrainError("INTERNAL", `unhandled ${what} ${shown}`);
}
