import { z } from "zod";

const positiveInt = z.number().int().positive();

/** Every wait of the control and data planes is bounded by one of these (the config's `timeouts`). */
export const timeoutsSchema = z
  .object({
    /** all workers must say hello within this */
    rendezvousMs: positiveInt.default(60_000),
    /** bound on each allreduce phase */
    allreduceMs: positiveInt.default(30_000),
    /** a worker that sends nothing for this long is declared silent */
    heartbeatMs: positiveInt.default(15_000),
    /** how long a worker may take to exit after shutdown before it is killed */
    shutdownMs: positiveInt.default(5_000),
  })
  .strict();

/** The resolved timeouts. */
export type Timeouts = z.infer<typeof timeoutsSchema>;
