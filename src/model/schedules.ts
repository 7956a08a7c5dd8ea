import { z } from "zod";

/**
 * Learning-rate schedules, per epoch (Keras's LearningRateScheduler idiom): the
 * rate of epoch e (0-based) is `optimizer.learningRate` × factor(e). Every rank
 * computes the same factor, so updates stay identical.
 */
export const scheduleSchema = z.discriminatedUnion("name", [
  z.object({ name: z.literal("constant") }).strict(),
  /** multiply by `factor` every `every` epochs */
  z.object({ name: z.literal("step"), every: z.number().int().positive(), factor: z.number().gt(0).lte(1) }).strict(),
  /** multiply by `factor` each epoch */
  z.object({ name: z.literal("exponential"), factor: z.number().gt(0).lte(1) }).strict(),
  /** half a cosine from 1 down to `minFactor` over the run's epochs */
  z.object({ name: z.literal("cosine"), minFactor: z.number().gte(0).lt(1).default(0) }).strict(),
]);

export type ScheduleConfig = z.infer<typeof scheduleSchema>;

/** The factor applied to the base learning rate in `epoch` (0-based) of `epochs`. */
export function scheduleFactor(schedule: ScheduleConfig, epoch: number, epochs: number): number {
  switch (schedule.name) {
    case "constant":
      return 1;
    case "step":
      return schedule.factor ** Math.floor(epoch / schedule.every);
    case "exponential":
      return schedule.factor ** epoch;
    case "cosine": {
      const progress = epochs <= 1 ? 0 : epoch / (epochs - 1);
      return schedule.minFactor + (1 - schedule.minFactor) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
  }
}
