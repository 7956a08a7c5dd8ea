import { RingtrainError } from "./errors.js";

/**
 * Races `promise` against a timer. Every wait in ringtrain goes through here so
 * that none is unbounded (docs/design.md, invariant 3).
 *
 * @param describe builds the message lazily, so hot paths pay nothing for it;
 *   it should name who was waited on and in which phase.
 * @param onTimeout runs before the rejection, e.g. to cancel a pending receive.
 */
export async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  describe: () => string,
  onTimeout?: () => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new RingtrainError("TIMEOUT", `${describe()} within ${formatDuration(ms)}`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `30 s`, `1.5 s`, `200 ms`: how timeouts are written in messages. */
export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s` : `${ms} ms`;
}
