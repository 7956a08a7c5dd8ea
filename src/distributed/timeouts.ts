import { z } from "zod";

const positiveInt = z.number().int().positive();

/**
 * The default bounds, in milliseconds: of the config's `timeouts`, and of
 * `ringtrain worker`'s `--allreduce-timeout` (see also
 * {@link STANDALONE_WORKER_RENDEZVOUS_MS}).
 */
export const DEFAULT_TIMEOUTS = {
  rendezvousMs: 60_000,
  allreduceMs: 30_000,
  heartbeatMs: 15_000,
  shutdownMs: 5_000,
} as const;

/**
 * The default of `ringtrain worker --rendezvous-timeout`: how long a worker
 * started on its own (by hand, srun, torchrun) waits for the coordinator
 * before its plan — to hear anything at all (its silence watchdog), for the
 * plan itself — and then for its initial weights and each shipped data chunk.
 *
 * Twice the coordinator's window, because the two clocks start at different
 * times. The coordinator's `timeouts.rendezvousMs` runs from its own start,
 * loading its data included, and it listens only after that; a worker started
 * at the same time or earlier (srun starts all tasks at once, an operator may
 * start the workers first) hears nothing until then, and gets its plan only
 * once the last worker has joined inside that window. Waiting exactly the
 * coordinator's window would make such a worker give up just before the plan
 * comes. Workers forked by `ringtrain train` start after their coordinator
 * listens and get the config's `rendezvousMs` instead.
 */
export const STANDALONE_WORKER_RENDEZVOUS_MS = 2 * DEFAULT_TIMEOUTS.rendezvousMs;

/** Every wait of the control and data planes is bounded by one of these (the config's `timeouts`). */
export const timeoutsSchema = z
  .object({
    /** all workers must say hello within this */
    rendezvousMs: positiveInt.default(DEFAULT_TIMEOUTS.rendezvousMs),
    /** bound on each allreduce phase */
    allreduceMs: positiveInt.default(DEFAULT_TIMEOUTS.allreduceMs),
    /** a worker that sends nothing for this long is declared silent */
    heartbeatMs: positiveInt.default(DEFAULT_TIMEOUTS.heartbeatMs),
    /** how long a worker may take to exit after shutdown before it is killed */
    shutdownMs: positiveInt.default(DEFAULT_TIMEOUTS.shutdownMs),
  })
  .strict();

/** The resolved timeouts. */
export type Timeouts = z.infer<typeof timeoutsSchema>;
