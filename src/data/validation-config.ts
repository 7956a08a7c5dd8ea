import { z } from "zod";

/** How many folds a k-fold partition may have (run configs and a sweep's cv). */
export const foldCountSchema = z.number().int().min(2).max(100);

/**
 * A validation split held out of the training set, seeded: a holdout
 * fraction, or fold `fold` of a k-fold partition; both stratified by class
 * unless `stratified: false`.
 */
export const validationSchema = z
  .object({
    /** hold out this fraction of the training samples */
    holdout: z.number().gt(0).lt(1).optional(),
    /** partition the training samples into this many folds */
    folds: foldCountSchema.optional(),
    /**
     * keep each class's share in the validation split (default); false draws it
     * without regard to labels (scikit-learn's KFold rather than StratifiedKFold)
     */
    stratified: z.boolean().optional(),
    /** which fold (0-based) is the validation set */
    fold: z.number().int().nonnegative().default(0),
    /** the split's seed; defaults to the run seed */
    seed: z.number().int().nonnegative().optional(),
  })
  .strict()
  .refine((v) => (v.holdout === undefined) !== (v.folds === undefined), { message: "give exactly one of holdout (a fraction) or folds (k)" })
  .refine((v) => v.folds === undefined || v.fold < v.folds, { message: "fold must be below folds", path: ["fold"] });

/** A resolved validation split config. */
export type ValidationConfig = z.infer<typeof validationSchema>;
