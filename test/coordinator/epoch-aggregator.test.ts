import { describe, expect, it } from "vitest";
import { EpochAggregator } from "../../src/coordinator/epoch-aggregator.js";

const metrics = (epoch: number, checksum: string, trainCount: number) => ({
  type: "epochMetrics" as const,
  epoch,
  optimizerSteps: 10 * (epoch + 1),
  trainLossSum: trainCount * 0.5,
  trainCorrect: trainCount / 2,
  trainCount,
  stepMs: 2,
  computeMs: 1.5,
  allreduceMs: 0.5,
  wallMs: 20,
  checksum,
  numTensors: 12,
});
const evalResult = (epoch: number, correct: number, count: number) => ({ type: "evalResult" as const, epoch, split: "test" as const, lossSum: count * 0.25, correct, count });

describe("EpochAggregator", () => {
  it("emits an epoch once every rank reported, summing the parts", () => {
    const agg = new EpochAggregator(2, (r) => `worker ${r}`);
    expect(agg.add(0, metrics(0, "aa", 60))).toEqual([]);
    expect(agg.add(1, evalResult(0, 40, 50))).toEqual([]);
    expect(agg.add(1, metrics(0, "aa", 40))).toEqual([]);
    const [record] = agg.add(0, evalResult(0, 50, 50));
    expect(record).toMatchObject({ epoch: 1, trainAccuracy: 0.5, trainLoss: 0.5, testAccuracy: 0.9, testLoss: 0.25, optimizerSteps: 10 });
    expect(record!.samplesPerSecond).toBeCloseTo(100 / 0.02);
  });

  it("fails loudly when ranks hold different weights", () => {
    const agg = new EpochAggregator(2, (r) => `worker ${r} (host h, pid ${100 + r})`);
    agg.addChecksum(0, 100, "abc");
    expect(() => agg.addChecksum(1, 100, "abd")).toThrow(/worker 1 \(host h, pid 101\).*step 100/);
    agg.add(0, metrics(0, "x", 1));
    agg.add(0, evalResult(0, 1, 1));
    agg.add(1, evalResult(0, 1, 1));
    expect(() => agg.add(1, metrics(0, "y", 1))).toThrow(/different weights/);
  });
});

describe("EpochAggregator with a validation split", () => {
  it("waits for every rank's validation part and reports it apart from the test split", () => {
    const agg = new EpochAggregator(2, (r) => `rank ${r}`, true);
    const part = (split: "test" | "validation", correct: number, count: number, lossSum: number) => ({ type: "evalResult" as const, epoch: 0, split, lossSum, correct, count });
    agg.add(0, metrics(0, "a", 10));
    agg.add(1, metrics(0, "a", 10));
    agg.add(0, part("test", 45, 50, 10));
    expect(agg.add(1, part("test", 40, 50, 10))).toEqual([]);
    expect(agg.add(0, part("validation", 20, 25, 5))).toEqual([]);
    const [record] = agg.add(1, part("validation", 15, 25, 15));
    expect(record).toMatchObject({ testAccuracy: 0.85, testLoss: 0.2, validationAccuracy: 0.7, validationLoss: 0.4 });
  });

  it("reports null validation figures when the run evaluates none", () => {
    const agg = new EpochAggregator(1, (r) => `rank ${r}`);
    agg.add(0, metrics(0, "a", 10));
    const [record] = agg.add(0, evalResult(0, 1, 2));
    expect(record).toMatchObject({ validationAccuracy: null, validationLoss: null });
  });
});
