import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunConfig } from "../config/schema.js";
import { countNvidiaGpus } from "../compute/gpu-assignment.js";
import { evaluatedValidation } from "../data/run-datasets.js";
import { stepsPerEpoch, workerShare } from "../data/sampler.js";
import { readChunk } from "../data/shipping/chunk-source.js";
import { makeManifest, type DatasetManifest } from "../data/shipping/manifest.js";
import { assertNever, describePeer, errorMessage, RingtrainError, type PeerIdentity } from "../core/errors.js";
import { formatLoss, formatPercent } from "../core/format.js";
import type { Logger } from "../core/log.js";
import { planModel } from "../model/models.js";
import { bytesToFloats } from "../distributed/protocol/codec.js";
import { codeVersion, configHash } from "../distributed/protocol/compatibility.js";
import type { WorkerMessage } from "../distributed/protocol/messages.js";
import type { RunCredentials } from "../distributed/security/credentials.js";
import { serverSecurity } from "../distributed/security/socket-security.js";
import { startZapHandler, type ZapHandler } from "../distributed/security/zap-handler.js";
import { withTimeout } from "../core/timeout.js";
import { ControlServer, type IncomingMessage } from "../distributed/control/control-server.js";
import { assignRanks, hostKeyOf } from "./rank-assignment.js";
import { loadCheckedRunData } from "./run-data.js";
import { EpochAggregator } from "./epoch-aggregator.js";
import { InterruptGuard } from "../core/interrupt-guard.js";
import { launchLocalWorkers, terminateWorkers, type LocalWorker } from "../distributed/launch/local-launcher.js";
import { ProgressDisplay } from "./progress.js";
import type { DivergenceRecord, EpochRecord, RunSummary } from "../runs/records.js";
import { RunDirectory } from "../runs/run-directory.js";
import { makeRunId } from "../runs/run-id.js";

/** A multi-node run: workers started elsewhere (by hand, srun, mpirun, Kubernetes) join over the network. */
export interface RemoteWorkers {
  /** control endpoint to bind, e.g. tcp://0.0.0.0:29500 */
  listen: string;
  /** workers to wait for; they get ranks 0..worldSize-1 */
  worldSize: number;
  /** the run's credentials; required unless `listen` is loopback */
  credentials?: RunCredentials;
  /** send every worker its data even where the dataset exists locally (`--ship-data`); workers that lack it always get it */
  shipData?: boolean;
}

export interface RunOptions {
  config: RunConfig;
  /** listen for remote workers instead of forking local ones */
  remote?: RemoteWorkers;
  /** local runs on a GPU host: allow more workers than GPUs (`--allow-gpu-sharing`) */
  allowGpuSharing?: boolean;
  logger: Logger;
  /** show a progress bar (on a TTY) */
  progress: boolean;
  verbose: boolean;
  /** called once the run directory exists (before any worker starts), so a caller learns where a failed run left its files */
  onRunDir?: (path: string) => void;
}

export interface TrainingResult {
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
  /** it holds its datasets (said dataReady): its weights may go out */
  dataReady: boolean;
}

/**
 * Runs one training job on local workers: plans it, launches and rendezvouses
 * the workers, relays the initial weights, aggregates their asynchronous
 * reports, watches them (exit, silence, failure, desync), and writes the run
 * directory. It is never on a step's critical path: gradients go peer to peer.
 *
 * Resolves with the summary of a completed run, or of a diverged one (status
 * `diverged`: the loss became non-finite or passed `divergence.maxLoss`, and
 * every rank stopped at that step); rejects with a RingtrainError naming the
 * failed worker. Either way, no worker process is left running.
 */
export async function runTraining(options: RunOptions): Promise<TrainingResult> {
  const interrupts = new InterruptGuard();
  try {
    return await runGuarded(options, interrupts);
  } finally {
    interrupts.dispose();
  }
}

async function runGuarded(options: RunOptions, interrupts: InterruptGuard): Promise<TrainingResult> {
  const { logger, remote } = options;
  // a multi-node run's world size comes from --world-size; the config records it
  const config: RunConfig = remote === undefined ? options.config : { ...options.config, workers: remote.worldSize };
  const started = performance.now();

  // 1. Validate the data before starting anything: errors name the file.
  // with augment copies, an epoch is the virtual expanded set
  const { datasets, epochSamples } = await loadCheckedRunData(config);
  const { train, test } = datasets;
  // evaluated each epoch besides the test split (a run whose test split *is* the validation split evaluates it once)
  const validation = evaluatedValidation(datasets);
  const globalBatch = config.batchSize === "full" ? epochSamples : config.batchSize;
  const worldSize = config.workers;
  const steps = stepsPerEpoch(epochSamples, globalBatch);
  const perWorker = { min: workerShare(globalBatch, worldSize, worldSize - 1).count, max: workerShare(globalBatch, worldSize, 0).count };
  const { layout } = planModel(config.model, train, train.numClasses);

  if (interrupts.signal !== undefined) throw new RingtrainError("INTERRUPTED", `the coordinator received ${interrupts.signal} while loading the data: run not started`);
  const runId = makeRunId(config.name);
  const runDir = new RunDirectory(config.runsDir, runId);
  await runDir.create(config);
  options.onRunDir?.(runDir.path);
  logger.info(
    { runId, dir: runDir.path, workers: worldSize, globalBatch, perWorkerBatch: perWorker, stepsPerEpoch: steps, trainSamples: train.count, testSamples: test.count, parameters: layout.totalSize },
    `run ${runId}: ${worldSize} workers, global batch ${globalBatch} (${perWorker.min === perWorker.max ? perWorker.max : `${perWorker.min}-${perWorker.max}`} per worker), ${steps} steps per epoch`,
  );

  // 2. Endpoints: local runs listen only on loopback or ipc; a multi-node run
  // listens where it was told, authenticating every peer (ZAP) when given credentials.
  const socketDir = await mkdtemp(join(tmpdir(), "ringtrain-"));
  const ipc = config.transport === "ipc";
  let zap: ZapHandler | undefined;
  if (remote?.credentials !== undefined) {
    zap = await startZapHandler(remote.credentials, (e) => {
      if (e.accepted) logger.debug({ address: e.address, mechanism: e.mechanism }, `authenticated a connection from ${e.address}`);
      else logger.warn({ address: e.address, mechanism: e.mechanism }, `refused a connection from ${e.address}: ${e.reason}`);
    });
  }
  const server =
    remote === undefined
      ? await ControlServer.bind(ipc ? `ipc://${socketDir}/control.sock` : "tcp://127.0.0.1:*")
      : await ControlServer.bind(remote.listen, {
          security: serverSecurity(remote.credentials),
          // the largest legitimate message is the final weights
          maxMessageBytes: Math.max(4 << 20, layout.totalSize * 4 + (1 << 20)),
        }).catch((e: unknown) => {
          zap?.stop();
          throw new RingtrainError("USAGE", `cannot listen on ${remote.listen}: ${errorMessage(e)}`);
        });
  if (remote !== undefined) {
    logger.info(
      { listen: server.address, worldSize, security: remote.credentials?.mechanism ?? "none", fingerprint: remote.credentials?.fingerprint },
      `waiting for ${worldSize} workers on ${server.address} (${remote.credentials === undefined ? "loopback, no authentication" : remote.credentials.mechanism === "curve" ? "authenticated, CurveZMQ-encrypted" : "authenticated"})`,
    );
    server.watch(
      (endpoint) => logger.debug({ endpoint }, `a connection to ${endpoint} closed`),
      (endpoint, why) => logger.warn({ endpoint }, `a security handshake on ${endpoint} failed: ${why}`),
    );
  }
  const expectedConfigHash = configHash(config);

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
  const aggregator = new EpochAggregator(worldSize, describeRank, validation !== undefined);
  let divergence: DivergenceRecord | undefined;

  const gpuCount = remote !== undefined ? 0 : await countNvidiaGpus();
  const workers: LocalWorker[] = remote !== undefined ? [] : launchLocalWorkers({
    worldSize,
    gpuCount,
    allowGpuSharing: options.allowGpuSharing ?? false,
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
    states[w.rank] = { rank: w.rank, host: "localhost", pid: w.pid, peer: undefined, backend: undefined, dataAddress: "", phase: "start-up", lastSeen: performance.now(), done: false, dataReady: false };
  }

  const stateOf = (peer: Buffer): WorkerState | undefined => states.find((s) => s.peer?.equals(peer) === true);
  let helloCount = 0;
  let weightsSent = false;
  /** rank 0's initial weights, held until every rank holds its data */
  let initialWeights: Uint8Array | undefined;
  /** multi-node runs: what each rank may pull (the training split, its share of the evaluated split) */
  const manifests: { train: DatasetManifest; test: DatasetManifest; validation?: DatasetManifest }[] = [];
  /** remote workers that said hello, in join order, with what the plan ranks them by */
  const joined: (WorkerState & { requestedRank: number | null; localRank: number | null })[] = [];

  const refuse = async (peer: Buffer, who: string, reason: string): Promise<void> => {
    logger.warn({ worker: who }, `refused ${who}: ${reason}`);
    await withTimeout(server.send(peer, { type: "refused", reason }), 5000, () => `refusal to ${who}`).catch(() => undefined);
  };

  const sendPlans = async (): Promise<void> => {
    const members = states.map((m) => ({ rank: m.rank, host: m.host, pid: m.pid, dataAddress: m.dataAddress }));
    logger.info({ backends: states.map((m) => m.backend?.name), members }, `all ${worldSize} workers joined (backend ${states[0]?.backend?.device ?? "?"})`);
    if (remote !== undefined) {
      // hashed once here, so that workers can check their own copies or what they receive
      const trainManifest = makeManifest(train, "train", 0, train.count);
      for (let r = 0; r < worldSize; r++) {
        const share = workerShare(test.count, worldSize, r);
        manifests[r] = { train: trainManifest, test: makeManifest(test, "test", share.offset, share.count) };
        if (validation !== undefined) {
          const held = workerShare(validation.count, worldSize, r);
          manifests[r]!.validation = makeManifest(validation, "validation", held.offset, held.count);
        }
      }
    }
    for (const m of states) {
      const data = remote === undefined ? null : { ship: remote.shipData === true, ...manifests[m.rank]! };
      await server.send(m.peer!, { type: "plan", rank: m.rank, worldSize, runId, config, members, data });
    }
  };

  const remoteHello = async (peer: Buffer, message: Extract<WorkerMessage, { type: "hello" }>): Promise<void> => {
    const who = `worker on host ${message.host} (pid ${message.pid}, data address ${message.dataAddress})`;
    if (joined.some((s) => s.peer?.equals(peer) === true)) return;
    if (message.codeVersion !== codeVersion()) return refuse(peer, who, `it runs ${message.codeVersion}, the coordinator ${codeVersion()}: install the same ringtrain on every host`);
    if (message.configHash !== null && message.configHash !== expectedConfigHash) {
      return refuse(peer, who, `its config (hash ${message.configHash}) differs from the coordinator's (hash ${expectedConfigHash}): start it with the same config file, or without --config`);
    }
    if (joined.length >= worldSize) return refuse(peer, who, `the run already has its ${worldSize} workers`);
    if (message.rank !== null && message.rank >= worldSize) return refuse(peer, who, `it asks for rank ${message.rank}, but the world size is ${worldSize}`);
    if (message.rank !== null && joined.some((j) => j.requestedRank === message.rank)) return refuse(peer, who, `rank ${message.rank} is already taken by another worker`);
    joined.push({ rank: -1, peer, host: message.host, pid: message.pid, backend: message.backend, dataAddress: message.dataAddress, phase: "rendezvous", lastSeen: performance.now(), done: false, dataReady: false, requestedRank: message.rank, localRank: message.localRank });
    helloCount++;
    logger.info({ host: message.host, pid: message.pid, dataAddress: message.dataAddress, rank: message.rank }, `${who} joined (${helloCount}/${worldSize})`);
    if (helloCount < worldSize) return;
    const ranks = assignRanks(joined.map((s) => ({ requestedRank: s.requestedRank, hostKey: hostKeyOf(s.dataAddress), localRank: s.localRank, pid: s.pid })));
    joined.forEach((s, i) => (s.rank = ranks[i] as number));
    states.length = 0;
    states.push(...[...joined].sort((a, b) => a.rank - b.rank));
    await sendPlans();
  };

  const handle = async ({ peer, message }: IncomingMessage): Promise<void> => {
    if (message.type === "hello" && remote !== undefined) return remoteHello(peer, message);
    if (message.type === "hello") {
      const rank = message.rank;
      const s = rank === null ? undefined : states[rank];
      if (s === undefined || s.peer !== undefined) {
        logger.warn({ rank, pid: message.pid, host: message.host }, `refused a hello claiming rank ${String(rank)}: unknown or already taken`);
        return;
      }
      Object.assign(s, { peer, host: message.host, pid: message.pid, backend: message.backend, dataAddress: message.dataAddress, phase: "rendezvous", lastSeen: performance.now() });
      helloCount++;
      if (helloCount === worldSize) await sendPlans();
      return;
    }
    const s = stateOf(peer) ?? joined.find((j) => j.peer?.equals(peer) === true);
    if (s === undefined && message.type === "failure" && remote !== undefined) {
      // a remote peer that never joined (refused, or late) does not stop the run
      logger.warn({ host: message.host, pid: message.pid }, `a worker on host ${message.host} (pid ${message.pid}) that is not part of the run failed during ${message.phase}: ${message.message}`);
      return;
    }
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

  // the weights go out once rank 0 sent them and every rank holds its data, so
  // that no transfer is still running when training (and its allreduce bounds) starts
  const sendWeightsWhenReady = async (): Promise<void> => {
    if (weightsSent || initialWeights === undefined || states.length < worldSize || !states.every((m) => m.dataReady)) return;
    weightsSent = true;
    trainingStarted = performance.now();
    for (const m of states) await server.send(m.peer!, { type: "weights", weights: initialWeights });
  };

  const onWorkerMessage = async (s: WorkerState, message: WorkerMessage): Promise<void> => {
    switch (message.type) {
      case "hello":
        return;
      case "heartbeat":
        s.phase = message.phase;
        return;
      case "dataRequest": {
        const m = manifests[s.rank]?.[message.split];
        const split = { train, test, validation }[message.split];
        if (m === undefined || split === undefined) throw new RingtrainError("PROTOCOL", `${describePeer(s)} asked for the ${message.split} split, but this run ships none (only multi-node runs do, and only the splits they use)`);
        const chunk = readChunk(split, m, message.chunk, describePeer(s));
        if (message.chunk === 0) logger.info({ rank: s.rank, split: m.split, records: m.records }, `sending ${describePeer(s)} ${m.records} records of the ${m.split} split (${m.name})`);
        await server.send(s.peer!, { type: "dataChunk", split: message.split, chunk: message.chunk, ...chunk });
        return;
      }
      case "dataReady":
        s.dataReady = true;
        if (message.source === "coordinator") {
          logger.info({ rank: s.rank, bytes: message.bytes, ms: message.ms }, `${describePeer(s)} received its data from the coordinator (${(message.bytes / 2 ** 20).toFixed(1)} MiB in ${(message.ms / 1000).toFixed(1)} s)`);
        }
        return sendWeightsWhenReady();
      case "initialWeights":
        if (s.rank !== 0 || initialWeights !== undefined) return;
        initialWeights = message.weights;
        return sendWeightsWhenReady();
      case "progress":
        progress.update(message.epoch, message.step, message.stepsPerEpoch, message.loss);
        await runDir.appendSteps([{ optimizerStep: message.optimizerStep, epoch: message.epoch + 1, loss: message.loss }]);
        return;
      case "diverged":
        // every rank stops at the same step (they share the allreduced loss); the first report is the run's
        if (divergence === undefined) {
          divergence = { epoch: message.epoch + 1, optimizerStep: message.optimizerStep, loss: message.loss, maxLoss: message.maxLoss };
          progress.stop();
          logger.warn(
            { ...divergence },
            `diverged at optimizer step ${message.optimizerStep} (epoch ${message.epoch + 1}): global batch loss ${message.loss ?? "NaN"} ` +
              `(bound ${message.maxLoss}); training stopped on every rank, the weights are those before that step`,
          );
        }
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
            `epoch ${record.epoch}/${config.epochs}: train loss ${formatLoss(record.trainLoss)} acc ${formatPercent(record.trainAccuracy)} | ` +
              `test loss ${formatLoss(record.testLoss)} acc ${formatPercent(record.testAccuracy)} | ` +
              (record.validationAccuracy === null || record.validationLoss === null ? "" : `validation loss ${formatLoss(record.validationLoss)} acc ${formatPercent(record.validationAccuracy)} | `) +
              `${record.stepMs.toFixed(2)} ms/step, ${Math.round(record.samplesPerSecond)} samples/s` +
              (record.stoppedAtStep === undefined ? "" : ` (partial: stopped before step ${record.stoppedAtStep})`),
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
      default:
        // every message of the catalogue has its case: a new one does not compile until it has one
        assertNever(message, "worker message");
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

  // 4. Watchdog: rendezvous deadline and silent workers (docs/design.md, invariant 3).
  // Joined workers hear from the coordinator every second, so remote ones
  // notice within their heartbeat bound when it vanishes.
  const watchdog = setInterval(() => {
    const now = performance.now();
    for (const s of remote === undefined ? states : joined) {
      if (s.peer !== undefined && !s.done) server.send(s.peer, { type: "heartbeat" }).catch(() => undefined);
    }
    if (helloCount < worldSize && now - started > config.timeouts.rendezvousMs) {
      if (remote !== undefined) {
        const who = joined.map((s) => `${s.host} (pid ${s.pid})`).join(", ");
        fail(new RingtrainError("TIMEOUT", `rendezvous: ${joined.length} of ${worldSize} workers joined ${server.address} within ${config.timeouts.rendezvousMs / 1000} s${who === "" ? "" : ` (${who})`}; start the others, or lower --world-size`));
        return;
      }
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
  interrupts.onSignal(onSignal);

  const summarize = async (status: RunSummary["status"], error?: string): Promise<RunSummary> => {
    const last = epochs.at(-1);
    const epochSeconds = epochs.reduce((a, e) => a + e.epochSeconds, 0);
    const summary: RunSummary = {
      runId,
      status,
      ...(error === undefined ? {} : { error }),
      ...(divergence === undefined ? {} : { divergence }),
      dataset: config.dataset,
      trainSamples: train.count,
      testSamples: test.count,
      validationSamples: datasets.validation?.count ?? 0,
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
      // a run whose test split is its validation split (Kaggle data) reports it under both names
      validationLoss: last === undefined ? null : (last.validationLoss ?? (datasets.validation === test ? last.testLoss : null)),
      validationAccuracy: last === undefined ? null : (last.validationAccuracy ?? (datasets.validation === test ? last.testAccuracy : null)),
      wallSeconds: (performance.now() - started) / 1000,
      trainingSeconds: trainingStarted === 0 ? 0 : (performance.now() - trainingStarted) / 1000,
      samplesPerSecond: epochSeconds === 0 ? 0 : epochs.reduce((a, e) => a + e.samplesPerSecond * e.epochSeconds, 0) / epochSeconds,
      backends: states.map((s) => ({ rank: s.rank, host: s.host, pid: s.pid, backend: s.backend?.name ?? "?", device: s.backend?.device ?? "?" })),
      // a failed run's summary is written even where its weights cannot be (the disk is full: the error says so)
      weightsFile: finalWeights === undefined ? null : await runDir.writeWeights(finalWeights, layout.slots).catch((e: unknown) => {
        if (status === "failed") return null;
        throw e;
      }),
    };
    await runDir.writeSummary(summary);
    return summary;
  };

  try {
    await finished;
    const summary = await summarize(divergence === undefined ? "completed" : "diverged");
    for (const s of states) await withTimeout(server.send(s.peer!, { type: "shutdown", reason: "run completed", failed: false }), 5000, () => `shutdown to ${describePeer(s)}`).catch(() => undefined);
    await waitForExits(workers, config.timeouts.shutdownMs);
    return { summary, runDir: runDir.path, epochs };
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    // remote workers are not our children: tell them to leave (best effort, bounded)
    for (const s of remote === undefined ? [] : joined) {
      if (s.peer !== undefined) {
        await withTimeout(server.send(s.peer, { type: "shutdown", reason: `run failed: ${errorMessage(error)}`, failed: true }), 1000, () => `shutdown to ${describePeer(s)}`).catch(() => undefined);
      }
    }
    // a failed run still leaves what it learned: the epochs it finished, in metrics.jsonl and summary.json
    await summarize("failed", errorMessage(error)).catch(() => undefined);
    throw error;
  } finally {
    progress.stop();
    clearInterval(watchdog);
    await terminateWorkers(workers, KILL_GRACE_MS);
    server.close();
    zap?.stop();
    await serving.catch(() => undefined);
    await rm(socketDir, { recursive: true, force: true });
  }
}


async function waitForExits(workers: readonly LocalWorker[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (workers.some((w) => !w.exited) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
