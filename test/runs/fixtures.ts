import type { EpochRecord, RunSummary } from "../../src/runs/records.js";

/** A summary as the run controller writes one (a diverged run: every optional field set). */
export function sampleSummary(fields: Partial<RunSummary> = {}): RunSummary {
  return {
    runId: "mlp-20261203-101500-ab12",
    status: "diverged",
    error: "diverged",
    divergence: { epoch: 2, optimizerStep: 17, loss: null, maxLoss: 1000 },
    dataset: "mnist",
    trainSamples: 600,
    testSamples: 100,
    validationSamples: 120,
    workers: 2,
    globalBatchSize: 60,
    perWorkerBatchSize: { min: 30, max: 30 },
    stepsPerEpoch: 10,
    epochs: 2,
    optimizerSteps: 16,
    testAccuracy: 0.82,
    errorRate: 0.18,
    testLoss: 0.61,
    trainLoss: 0.55,
    trainAccuracy: 0.84,
    validationLoss: 0.63,
    validationAccuracy: 0.8,
    wallSeconds: 12.5,
    trainingSeconds: 9.25,
    samplesPerSecond: 480,
    backends: [{ rank: 0, host: "a", pid: 11, backend: "cpu", device: "cpu" }, { rank: 1, host: "a", pid: 12, backend: "cpu", device: "cpu" }],
    weightsFile: "weights.bin",
    ...fields,
  };
}

/** One epoch's record as the epoch aggregator makes it. */
export function sampleEpoch(epoch: number, fields: Partial<EpochRecord> = {}): EpochRecord {
  return {
    epoch,
    optimizerSteps: epoch * 10,
    trainLoss: 1 / epoch,
    trainAccuracy: 0.5 + epoch / 10,
    testLoss: 1.1 / epoch,
    testAccuracy: 0.45 + epoch / 10,
    validationLoss: 1.2 / epoch,
    validationAccuracy: 0.4 + epoch / 10,
    stepMs: 12.5,
    computeMs: 10.25,
    allreduceMs: 2,
    samplesPerSecond: 4800,
    epochSeconds: 0.125,
    numTensors: 42,
    ...fields,
  };
}
