import { hostname } from "node:os";
import * as tf from "@tensorflow/tfjs";
import { RingAllreduce } from "../common/collective/ring-allreduce.js";
import { selectBackend, type BackendName } from "../common/compute/backend.js";
import { parseConfig } from "../common/config/load.js";
import { loadRunDatasets } from "../common/data/run-datasets.js";
import { errorMessage, isRingtrainError, RingtrainError } from "../common/errors.js";
import { buildModel } from "../common/model/models.js";
import { bytesToFloats, floatsToBytes } from "../common/protocol/codec.js";
import { withTimeout } from "../common/timeout.js";
import { ControlChannel } from "./control-channel.js";
import { train } from "./trainer.js";

/** How a worker process is started (by the launcher, or by hand on another node). */
export interface WorkerOptions {
  /** the coordinator's control endpoint, e.g. ipc:///tmp/ringtrain-x/control.sock or tcp://10.0.0.1:29500 */
  coordinator: string;
  /** the rank this worker was launched as */
  rank: number;
  worldSize: number;
  /** where to bind the data-plane receive socket */
  dataBind: string;
  backend: BackendName;
  /** bound on waiting for the plan and the initial weights */
  rendezvousMs: number;
  /** bound on each allreduce phase */
  allreduceMs: number;
}

const HEARTBEAT_INTERVAL_MS = 1000;

/**
 * Runs one worker to completion and returns its exit code. Any failure is
 * reported to the coordinator (code, message, phase) before exiting non-zero.
 */
export async function runWorker(options: WorkerOptions): Promise<number> {
  let phase = "starting";
  const control = new ControlChannel(options.coordinator);
  let stop = false;
  let finished = false;
  let releaseShutdown: () => void = () => undefined;
  const shutdown = new Promise<void>((resolve) => (releaseShutdown = resolve));
  control.onShutdown(() => {
    stop = true;
    releaseShutdown();
    // the coordinator ends the run: a worker mid-step must not wait for peers that are leaving
    if (!finished) process.exit(0);
  });
  const heartbeat = setInterval(() => void control.send({ type: "heartbeat", phase }).catch(() => undefined), HEARTBEAT_INTERVAL_MS);
  let ring: RingAllreduce | undefined;
  try {
    phase = "selecting backend";
    const backend = await selectBackend(options.backend);
    phase = "binding data plane";
    ring = await RingAllreduce.bind({ rank: options.rank, worldSize: options.worldSize, bindEndpoint: options.dataBind, timeoutMs: options.allreduceMs });
    await control.send({ type: "hello", host: hostname(), pid: process.pid, localRank: options.rank, dataAddress: ring.address, backend });

    phase = "waiting for the plan";
    const plan = await control.next("plan", options.rendezvousMs, phase);
    const config = parseConfig(plan.config, "the plan's config");
    if (plan.rank !== options.rank || plan.worldSize !== options.worldSize) {
      // the data-plane socket advertised in hello was bound for the launch rank
      throw new RingtrainError(
        "PROTOCOL",
        `the coordinator assigned rank ${plan.rank} of ${plan.worldSize}, but this worker was launched as rank ${options.rank} of ${options.worldSize}`,
      );
    }
    phase = "loading data";
    const { train: trainSet, test: testSet } = await loadRunDatasets(config);
    const model = buildModel(config.model, trainSet.height * trainSet.width * trainSet.channels, trainSet.numClasses);

    phase = "connecting the ring";
    await ring.connect(plan.members);
    phase = "receiving initial weights";
    if (plan.rank === 0) await control.send({ type: "initialWeights", weights: floatsToBytes(model.initialWeights(config.seed)) });
    const weights = await control.next("weights", options.rendezvousMs, phase);
    const params = bytesToFloats(weights.weights, "initial weights");
    if (params.length !== model.layout.totalSize) {
      throw new RingtrainError("PROTOCOL", `initial weights hold ${params.length} values, the model has ${model.layout.totalSize}`);
    }
    model.setWeights(params);

    await train({
      config,
      rank: plan.rank,
      worldSize: plan.worldSize,
      model,
      params,
      train: trainSet,
      test: testSet,
      ring,
      report: (m) => void control.send(m).catch(() => undefined),
      stopRequested: () => stop,
      setPhase: (p) => (phase = p),
    });
    finished = true;
    phase = "finishing";
    if (plan.rank === 0) await control.send({ type: "finalWeights", weights: floatsToBytes(params) });
    model.dispose();
    await control.send({ type: "done", numTensors: tf.memory().numTensors });
    // the coordinator's shutdown proves it received everything; do not wait forever for it
    await withTimeout(shutdown, config.timeouts.shutdownMs, () => "no shutdown from the coordinator").catch(() => undefined);
    return 0;
  } catch (e) {
    finished = true;
    const code = isRingtrainError(e) ? e.code : "INTERNAL";
    await control.send({ type: "failure", code, message: errorMessage(e), phase, rank: options.rank, host: hostname(), pid: process.pid }).catch(() => undefined);
    if (process.env.RINGTRAIN_VERBOSE === "1") console.error(e);
    return 1;
  } finally {
    clearInterval(heartbeat);
    ring?.close();
    await control.close();
  }
}
