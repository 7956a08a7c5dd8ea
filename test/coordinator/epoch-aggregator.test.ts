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
const evalResult = (epoch: number, correct: number, count: number) => ({ type: "evalResult" as const, epoch, lossSum: count * 0.25, correct, count });

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
