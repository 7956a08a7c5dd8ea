/**
 * Losses a run can minimise (the config's `loss`); {@link perSampleLoss} in
 * loss.ts computes them. Apart from loss.ts so that the config schema names
 * them without loading tfjs.
 */
export const LOSS_NAMES = ["crossEntropy", "meanSquaredError"] as const;
export type LossName = (typeof LOSS_NAMES)[number];
