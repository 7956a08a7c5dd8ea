import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunConfig } from "../common/config/schema.js";
import { loadRunDatasets } from "../common/data/run-datasets.js";
import { stepsPerEpoch, workerShare } from "../common/data/sampler.js";
import { describePeer, errorMessage, RingtrainError, type PeerIdentity } from "../common/errors.js";
import type { Logger } from "../common/log.js";
import { modelLayout } from "../common/model/models.js";
import { bytesToFloats } from "../common/protocol/codec.js";
import type { WorkerMessage } from "../common/protocol/messages.js";
import { withTimeout } from "../common/timeout.js";
import { ControlServer, type IncomingMessage } from "./control-server.js";
import { EpochAggregator } from "./epoch-aggregator.js";
import { launchLocalWorkers, terminateWorkers, type LocalWorker } from "./launcher.js";
import { ProgressDisplay } from "./progress.js";
import { makeRunId, RunDirectory, type EpochRecord, type RunSummary } from "./results.js";

export interface RunOptions {
  config: RunConfig;
  logger: Logger;
  /** show a progress bar (on a TTY) */
  progress: boolean;
  verbose: boolean;
}

export interface RunResult {
  summary: RunSummary;
  runDir: string;
  epochs: EpochRecord[];
}

/** Grace between a failing run's SIGTERM and SIGKILL to its workers. */
const KILL_GRACE_MS = 2000;
/** A worker's last words (a failure message) may arrive just after its exit event. */
const EXIT_REPORT_DELAY_MS = 300;

interface WorkerState extends PeerIdentity {
  peer: Buffer | undefined;
  backend: { name: string; device: string } | undefined;
  dataAddress: string;
  phase: string;
  lastSeen: number;
  done: boolean;
}

/**
 * Runs one training job on local workers: plans it, launches and rendezvouses
 * the workers, relays the initial weights, aggregates their asynchronous
 * reports, watches them (exit, silence, failure, desync), and writes the run
 * directory. It is never on a step's critical path: gradients go peer to peer.
 *
 * Resolves with the summary of a completed run; rejects with a RingtrainError
 * naming the failed worker. Either way, no worker process is left running.
 */
export async function runTraining(options: RunOptions): Promise<RunResult> {
  const { config, logger } = options;
  const started = performance.now();

  // 1. Validate the data before starting anything: errors name the file.
  const { train, test } = await loadRunDatasets(config);
  if (config.batchSize !== "full" && config.batchSize > train.count) {
    throw new RingtrainError(
      "CONFIG_INVALID",
      `batchSize: ${config.batchSize} is larger than the training set (${train.count} samples of ${config.dataset}); use at most ${train.count}, or "full"`,
    );
  }
  const globalBatch = config.batchSize === "full" ? train.count : config.batchSize;
  const worldSize = config.workers;
  const steps = stepsPerEpoch(train.count, globalBatch);
  const perWorker = { min: workerShare(globalBatch, worldSize, worldSize - 1).count, max: workerShare(globalBatch, worldSize, 0).count };
  const layout = modelLayout(config.model, train.height * train.width * train.channels, train.numClasses);

  const runId = makeRunId(config.name);
  const runDir = new RunDirectory(config.runsDir, runId);
  await runDir.create(config);
  logger.info(
    { runId, dir: runDir.path, workers: worldSize, globalBatch, perWorkerBatch: perWorker, stepsPerEpoch: steps, trainSamples: train.count, testSamples: test.count, parameters: layout.totalSize },
    `run ${runId}: ${worldSize} workers, global batch ${globalBatch} (${perWorker.min === perWorker.max ? perWorker.max : `${perWorker.min}-${perWorker.max}`} per worker), ${steps} steps per epoch`,
  );

  // 2. Endpoints: local runs listen only on loopback or ipc.
  const socketDir = await mkdtemp(join(tmpdir(), "ringtrain-"));
  const ipc = config.transport === "ipc";
  const server = await ControlServer.bind(ipc ? `ipc://${socketDir}/control.sock` : "tcp://127.0.0.1:*");

  const states: WorkerState[] = [];
  const epochs: EpochRecord[] = [];
  let finalWeights: Float32Array | undefined;
  let trainingStarted = 0;
  const progress = new ProgressDisplay(options.progress, config.epochs);
  let settle: { resolve: () => void; reject: (e: Error) => void } | undefined;
  const finished = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  let failure: Error | undefined;
  const fail = (e: Error): void => {
    if (failure !== undefined) return;
    failure = e;
    settle?.reject(e);
  };
  const describeRank = (rank: number): string => {
    const s = states[rank];
    return s === undefined ? `worker ${rank}` : describePeer(s);
  };
  const aggregator = new EpochAggregator(worldSize, describeRank);

  const workers: LocalWorker[] = launchLocalWorkers({
    worldSize,
    coordinatorAddress: server.address,
    dataBind: (rank) => (ipc ? `ipc://${socketDir}/data-${rank}.sock` : "tcp://127.0.0.1:*"),
    backend: config.backend,
    rendezvousMs: config.timeouts.rendezvousMs,
    allreduceMs: config.timeouts.allreduceMs,
    verbose: options.verbose,
    onOutput: (rank, line) => logger.debug({ rank }, line),
    onExit: (w) => {
      const s = states[w.rank];
      if (s?.done === true && w.exitCode === 0) return;
      if (s?.done === true) logger.warn({ rank: w.rank, code: w.exitCode, signal: w.exitSignal }, `worker ${w.rank} finished its work but exited abnormally`);
      const how = w.exitSignal !== null ? `was killed by ${w.exitSignal}` : `exited with code ${String(w.exitCode)}`;
      const who = describePeer({ rank: w.rank, host: s?.host ?? "localhost", pid: w.pid });
      const tail = w.recentOutput.length > 0 ? `; its last output: ${w.recentOutput.slice(-5).join(" | ")}` : "";
      setTimeout(() => fail(new RingtrainError("WORKER_FAILED", `${who} ${how} during ${s?.phase ?? "start-up"}${tail}`)), w.exitCode === 0 || w.exitSignal !== null ? 0 : EXIT_REPORT_DELAY_MS);
    },
  });
  for (const w of workers) {
    states[w.rank] = { rank: w.rank, host: "localhost", pid: w.pid, peer: undefined, backend: undefined, dataAddress: "", phase: "start-up", lastSeen: performance.now(), done: false };
  }

  const stateOf = (peer: Buffer): WorkerState | undefined => states.find((s) => s.peer?.equals(peer) === true);
  let helloCount = 0;
  let weightsSent = false;

  const handle = async ({ peer, message }: IncomingMessage): Promise<void> => {
    if (message.type === "hello") {
      const rank = message.localRank;
      const s = rank === null ? undefined : states[rank];
      if (s === undefined || s.peer !== undefined) {
        logger.warn({ rank, pid: message.pid, host: message.host }, `refused a hello claiming rank ${String(rank)}: unknown or already taken`);
        return;
      }
      Object.assign(s, { peer, host: message.host, pid: message.pid, backend: message.backend, dataAddress: message.dataAddress, phase: "rendezvous", lastSeen: performance.now() });
      helloCount++;
      if (helloCount === worldSize) {
        const members = states.map((m) => ({ rank: m.rank, host: m.host, pid: m.pid, dataAddress: m.dataAddress }));
        logger.info({ backends: states.map((m) => m.backend?.name) }, `all ${worldSize} workers joined (backend ${states[0]?.backend?.device ?? "?"})`);
        for (const m of states) {
          await server.send(m.peer!, { type: "plan", rank: m.rank, worldSize, runId, config, members });
        }
      }
      return;
    }
    const s = stateOf(peer);
    if (s === undefined && message.type === "failure") {
      // a worker that failed before its hello still names itself
      fail(new RingtrainError("WORKER_FAILED", `${describePeer(message)} failed during ${message.phase}: [${message.code}] ${message.message}`));
      return;
    }
    if (s === undefined) {
      logger.warn({ peer: peer.toString("hex"), type: message.type }, "ignored a message from a peer that never said hello");
      return;
    }
    s.lastSeen = performance.now();
    await onWorkerMessage(s, message);
  };

  const onWorkerMessage = async (s: WorkerState, message: WorkerMessage): Promise<void> => {
    switch (message.type) {
      case "hello":
        return;
      case "heartbeat":
        s.phase = message.phase;
        return;
      case "initialWeights": {
        if (s.rank !== 0 || weightsSent) return;
        weightsSent = true;
        trainingStarted = performance.now();
        for (const m of states) await server.send(m.peer!, { type: "weights", weights: message.weights });
        return;
      }
      case "progress":
        progress.update(message.epoch, message.step, message.stepsPerEpoch, message.loss);
        return;
      case "checksum":
        aggregator.addChecksum(s.rank, message.step, message.checksum);
        return;
      case "epochMetrics":
      case "evalResult":
        // fresher than the last heartbeat's phase (messages from one worker arrive in order)
        s.phase =
          message.type === "epochMetrics"
            ? `evaluating epoch ${message.epoch + 1}`
            : message.epoch + 1 < config.epochs
              ? `training epoch ${message.epoch + 2}`
              : "finishing";
        for (const record of aggregator.add(s.rank, message)) {
          epochs.push(record);
          progress.stop();
          logger.info(
            { ...record },
            `epoch ${record.epoch}/${config.epochs}: train loss ${record.trainLoss.toFixed(4)} acc ${(record.trainAccuracy * 100).toFixed(2)}% | ` +
              `test loss ${record.testLoss.toFixed(4)} acc ${(record.testAccuracy * 100).toFixed(2)}% | ${record.stepMs.toFixed(2)} ms/step, ${Math.round(record.samplesPerSecond)} samples/s`,
          );
          await runDir.appendEpoch(record);
        }
        return;
      case "finalWeights":
        finalWeights = bytesToFloats(message.weights, `final weights from ${describePeer(s)}`);
        return;
      case "done":
        s.done = true;
        s.phase = "done";
        if (states.every((m) => m.done)) settle?.resolve();
        return;
      case "failure":
        fail(new RingtrainError("WORKER_FAILED", `${describePeer(s)} failed during ${message.phase}: [${message.code}] ${message.message}`));
        return;
    }
  };

  // 3. Serve control messages; a handler error (e.g. DESYNC) fails the run.
  // Messages are handled one at a time, in arrival order, so epoch records are
  // appended in order and a worker's reports are seen in the order it sent them.
  let handling: Promise<void> = Promise.resolve();
  const serving = server.serve(
    (m) => {
      handling = handling.then(() => handle(m)).catch((e: unknown) => fail(e instanceof Error ? e : new Error(String(e))));
    },
    (peer, error) => logger.warn({ peer: peer.toString("hex") }, `refused an invalid control message: ${error.message}`),
  );

  // 4. Watchdog: rendezvous deadline and silent workers (invariant 3).
  const watchdog = setInterval(() => {
    const now = performance.now();
    if (helloCount < worldSize && now - started > config.timeouts.rendezvousMs) {
      const missing = states.filter((s) => s.peer === undefined).map((s) => describePeer(s));
      fail(new RingtrainError("TIMEOUT", `rendezvous: ${missing.join(", ")} did not join within ${config.timeouts.rendezvousMs / 1000} s`));
      return;
    }
    for (const s of states) {
      if (s.peer !== undefined && !s.done && now - s.lastSeen > config.timeouts.heartbeatMs) {
        fail(new RingtrainError("WORKER_FAILED", `${describePeer(s)} went silent: nothing received for ${config.timeouts.heartbeatMs / 1000} s during ${s.phase}`));
        return;
      }
    }
  }, 500);

  const onSignal = (signal: NodeJS.Signals): void =>
    fail(new RingtrainError("INTERRUPTED", `the coordinator received ${signal}: run stopped; what it finished is in ${runDir.path}`));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const summarize = async (status: RunSummary["status"], error?: string): Promise<RunSummary> => {
    const last = epochs.at(-1);
    const epochSeconds = epochs.reduce((a, e) => a + e.epochSeconds, 0);
    const summary: RunSummary = {
      runId,
      status,
      ...(error === undefined ? {} : { error }),
      dataset: config.dataset,
      trainSamples: train.count,
      testSamples: test.count,
      workers: worldSize,
      globalBatchSize: globalBatch,
      perWorkerBatchSize: perWorker,
      stepsPerEpoch: steps,
      epochs: epochs.length,
      optimizerSteps: last?.optimizerSteps ?? 0,
      testAccuracy: last?.testAccuracy ?? null,
      errorRate: last === undefined ? null : 1 - last.testAccuracy,
      testLoss: last?.testLoss ?? null,
      trainLoss: last?.trainLoss ?? null,
      trainAccuracy: last?.trainAccuracy ?? null,
      wallSeconds: (performance.now() - started) / 1000,
      trainingSeconds: trainingStarted === 0 ? 0 : (performance.now() - trainingStarted) / 1000,
      samplesPerSecond: epochSeconds === 0 ? 0 : epochs.reduce((a, e) => a + e.samplesPerSecond * e.epochSeconds, 0) / epochSeconds,
      backends: states.map((s) => ({ rank: s.rank, host: s.host, pid: s.pid, backend: s.backend?.name ?? "?", device: s.backend?.device ?? "?" })),
      weightsFile: finalWeights === undefined ? null : await runDir.writeWeights(finalWeights, layout.slots),
    };
    await runDir.writeSummary(summary);
    return summary;
  };

  try {
    await finished;
    const summary = await summarize("completed");
    for (const s of states) await withTimeout(server.send(s.peer!, { type: "shutdown", reason: "run completed" }), 5000, () => `shutdown to ${describePeer(s)}`).catch(() => undefined);
    await waitForExits(workers, config.timeouts.shutdownMs);
    return { summary, runDir: runDir.path, epochs };
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    // a failed run still leaves what it learned: the epochs it finished, in metrics.jsonl and summary.json
    await summarize("failed", errorMessage(error)).catch(() => undefined);
    throw error;
  } finally {
    progress.stop();
    clearInterval(watchdog);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await terminateWorkers(workers, KILL_GRACE_MS);
    server.close();
    await serving.catch(() => undefined);
    await rm(socketDir, { recursive: true, force: true });
  }
}


async function waitForExits(workers: readonly LocalWorker[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (workers.some((w) => !w.exited) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
