/**
 * How accuracies and losses are written for people: in log lines, the
 * end-of-run summary, sweep and predict messages, and (with its own handling
 * of missing and extreme values, report/format.ts) the report.
 */

/** `0.9876` → `98.76%`: an accuracy or a rate, a fraction of 1. */
export function formatPercent(fraction: number): string {
  return `${(100 * fraction).toFixed(2)}%`;
}

/** `0.123456` → `0.1235`: a loss, with four decimals. */
export function formatLoss(loss: number): string {
  return loss.toFixed(4);
}
