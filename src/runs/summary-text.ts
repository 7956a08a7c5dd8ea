import { formatLoss, formatPercent } from "../core/format.js";
import type { RunSummary } from "./records.js";

/** The human-readable end-of-run block printed on a TTY. */
export function formatSummary(s: RunSummary, runDir: string): string {
  const pct = (x: number | null): string => (x === null ? "n/a" : formatPercent(x));
  const loss = (x: number | null): string => (x === null ? "n/a" : formatLoss(x));
  const batch = s.perWorkerBatchSize.min === s.perWorkerBatchSize.max ? `${s.perWorkerBatchSize.max}` : `${s.perWorkerBatchSize.min}-${s.perWorkerBatchSize.max}`;
  const d = s.divergence;
  const rows: Array<[string, string]> = [
    ...(d === undefined
      ? []
      : ([["status", `DIVERGED at optimizer step ${d.optimizerStep} (epoch ${d.epoch}): loss ${d.loss ?? "NaN/Inf"} > bound ${d.maxLoss}; figures below are the last finite ones`]] as Array<[string, string]>)),
    ["test accuracy", pct(s.testAccuracy)],
    ["error rate", pct(s.errorRate)],
    ["test loss", loss(s.testLoss)],
    ...(s.validationAccuracy === null ? [] : ([["validation loss / accuracy", `${loss(s.validationLoss)} / ${pct(s.validationAccuracy)}`]] as Array<[string, string]>)),
    ["train loss / accuracy", `${loss(s.trainLoss)} / ${pct(s.trainAccuracy)}`],
    ["workers", `${s.workers} (${s.backends[0]?.device ?? "?"})`],
    ["batch", `${s.globalBatchSize} global, ${batch} per worker`],
    ["optimizer steps", `${s.optimizerSteps} (${s.epochs} epochs × ${s.stepsPerEpoch}${d === undefined ? "" : ", the last partial"})`],
    ["wall time", `${s.wallSeconds.toFixed(1)} s (training ${s.trainingSeconds.toFixed(1)} s)`],
    ["throughput", `${Math.round(s.samplesPerSecond)} samples/s`],
    ["run directory", runDir],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return "\n" + rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join("\n") + "\n\n";
}
