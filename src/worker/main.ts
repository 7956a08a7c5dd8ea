import { hostname } from "node:os";
import * as tf from "@tensorflow/tfjs";
import { RingAllreduce } from "../distributed/collective/ring-allreduce.js";
import { bindRingReceiver } from "../distributed/collective/ring-sockets.js";
import type { BackendName } from "../compute/backend-names.js";
import { selectBackend } from "../compute/backend.js";
import { parseConfig } from "../config/load.js";
import type { Dataset } from "../data/dataset.js";
import { evaluatedValidation, loadRunDatasets } from "../data/run-datasets.js";
import { fetchDataset } from "../data/shipping/fetch.js";
import { matchesManifest, type DatasetManifest, type ShippedSplit } from "../data/shipping/manifest.js";
import type { RunConfig } from "../config/schema.js";
import type { CoordinatorMessage } from "../distributed/protocol/messages.js";
import { errorMessage, isRingtrainError, RingtrainError } from "../core/errors.js";
import { endpointHost } from "../distributed/endpoint.js";
import { buildModel } from "../model/models.js";
import { bytesToFloats, floatsToBytes } from "../distributed/protocol/codec.js";
import { codeVersion } from "../distributed/protocol/compatibility.js";
import type { RunCredentials } from "../distributed/security/credentials.js";
import { clientSecurity, serverSecurity } from "../distributed/security/socket-security.js";
import { startZapHandler, type ZapHandler } from "../distributed/security/zap-handler.js";
import { formatDuration, withTimeout } from "../core/timeout.js";
import { ControlChannel } from "../distributed/control/control-channel.js";
import { train } from "./trainer.js";

/** How a worker process is started (by the launcher, or by hand on another node). */
export interface WorkerOptions {
  /** the coordinator's control endpoint, e.g. ipc:///tmp/ringtrain-x/control.sock or tcp://10.0.0.1:29500 */
  coordinator: string;
  /** the rank this worker was launched as, or null: the coordinator assigns one */
  rank: number | null;
  /** the world size the launcher expects, or null: the coordinator decides */
  worldSize: number | null;
  /** rank among this host's workers, when known */
  localRank?: number | null;
  /** where to bind the data-plane receive socket */
  dataBind: string;
  /** host to advertise in place of the bound one (a wildcard bind, or a name/NAT address peers reach) */
  advertiseHost?: string;
  backend: BackendName;
  /** bound on waiting for the plan and the initial weights */
  rendezvousMs: number;
  /** bound on each allreduce phase */
  allreduceMs: number;
  /** the run's credentials (non-loopback runs): authenticate, and with CURVE encrypt, every socket */
  credentials?: RunCredentials;
  /** hash of the config this worker was started with (`--config`); the coordinator refuses a different one */
  configHash?: string | null;
  /** how `host` is reported (default: the host name) */
  hostLabel?: string;
  /** lines for the operator (refused connections, coordinator silence) */
  log?: (line: string) => void;
  /** print a failure's stack trace (`--verbose`) */
  verbose?: boolean;
}

/** How {@link runWorker} ended. */
export interface WorkerExit {
  /** the process's exit code: 0 when the run completed */
  code: number;
  /**
   * The worker left with its work still in flight: the coordinator ended the
   * run mid-step, or went silent. A step may still be waiting on peers that are
   * leaving, or a wait for the coordinator on its bound, so the process should
   * end now instead of letting them drain.
   */
  leaveNow: boolean;
}

const HEARTBEAT_INTERVAL_MS = 1000;

/**
 * Runs one worker to completion and returns its exit code. Any failure is
 * reported to the coordinator (code, message, phase) before exiting non-zero.
 * When the coordinator ends the run or goes silent before this worker
 * finished, it returns at once (closing its sockets) with `leaveNow`: the
 * caller ends the process, since the work it left may still hold the event loop.
 */
export async function runWorker(options: WorkerOptions): Promise<WorkerExit> {
  let phase = "starting";
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const host = options.hostLabel ?? hostname();
  let zap: ZapHandler | undefined;
  if (options.credentials !== undefined) {
    // the data-plane receiver authenticates its left neighbour through this process's ZAP handler
    zap = await startZapHandler(options.credentials, (e) => {
      if (!e.accepted) log(`ringtrain worker ${options.rank ?? "(unassigned)"} (pid ${process.pid}): refused a data-plane connection from ${e.address}: ${e.reason}`);
    });
  }
  const control = new ControlChannel(options.coordinator, clientSecurity(options.credentials));
  let stop = false;
  let finished = false;
  let releaseShutdown: () => void = () => undefined;
  const shutdown = new Promise<void>((resolve) => (releaseShutdown = resolve));
  /** the exit code once the worker leaves before its work ends */
  let leftWith: number | undefined;
  let releaseLeave: (code: number) => void = () => undefined;
  const leaving = new Promise<number>((resolve) => (releaseLeave = resolve));
  const leave = (code: number): void => {
    leftWith ??= code;
    releaseLeave(leftWith);
  };
  control.onShutdown((_reason, failed) => {
    stop = true;
    releaseShutdown();
    // the coordinator ends the run: a worker mid-step must not wait for peers that are leaving
    if (!finished) leave(failed ? 1 : 0);
  });
  const heartbeat = setInterval(() => void control.send({ type: "heartbeat", phase }).catch(() => undefined), HEARTBEAT_INTERVAL_MS);
  // A coordinator that vanishes (its host died, its link dropped) sends no
  // more heartbeats: leave within the bound instead of training on alone.
  let coordinatorSilenceMs = options.rendezvousMs;
  const watchdog = setInterval(() => {
    const silent = performance.now() - control.lastReceived;
    if (helloSent && !finished && silent > coordinatorSilenceMs) {
      log(`ringtrain worker (host ${host}, pid ${process.pid}): the coordinator at ${options.coordinator} sent nothing for ${formatDuration(coordinatorSilenceMs)} during ${phase}; exiting`);
      leave(1);
    }
  }, 500);
  let helloSent = false;
  let ring: RingAllreduce | undefined;
  let assignedRank: number | null = options.rank;
  // the work runs until it ends, or until the worker leaves without it (see leave)
  const work = (async (): Promise<number> => {
    try {
      phase = "selecting backend";
      const backend = await selectBackend(options.backend);
      phase = "binding data plane";
      const security = options.credentials === undefined ? undefined : { receiver: serverSecurity(options.credentials), sender: clientSecurity(options.credentials) };
      const receiver = await bindRingReceiver(options.dataBind, { timeoutMs: options.allreduceMs, ...(security ? { security } : {}) });
      const dataAddress = options.advertiseHost === undefined ? receiver.address : receiver.address.replace(/^tcp:\/\/(\[[^\]]+\]|[^:[\]]+):/, `tcp://${endpointHost(options.advertiseHost)}:`);
      control.lastReceived = performance.now();
      helloSent = true;
      await control.send({
        type: "hello",
        host,
        pid: process.pid,
        rank: options.rank,
        localRank: options.localRank ?? null,
        dataAddress,
        backend,
        codeVersion: codeVersion(),
        configHash: options.configHash ?? null,
      });

      phase = "waiting for the plan";
      const plan = await control.next("plan", options.rendezvousMs, phase);
      const config = parseConfig(plan.config, "the plan's config");
      if ((options.rank !== null && plan.rank !== options.rank) || (options.worldSize !== null && plan.worldSize !== options.worldSize)) {
        throw new RingtrainError(
          "PROTOCOL",
          `the coordinator assigned rank ${plan.rank} of ${plan.worldSize}, but this worker was launched as rank ${options.rank ?? "(any)"} of ${options.worldSize ?? "(any)"}`,
        );
      }
      assignedRank = plan.rank;
      coordinatorSilenceMs = config.timeouts.heartbeatMs;
      ring = await RingAllreduce.bind({ rank: plan.rank, worldSize: plan.worldSize, bindEndpoint: options.dataBind, timeoutMs: options.allreduceMs, receiver, ...(security ? { security } : {}) });
      phase = "loading data";
      const dataStarted = performance.now();
      const data = await runData(config, plan.data, control, options.rendezvousMs, (p) => (phase = p), (line) => log(`ringtrain worker ${plan.rank} (host ${host}, pid ${process.pid}): ${line}`));
      const { train: trainSet, test: testSet, validation: validationSet } = data;
      await control.send({ type: "dataReady", source: data.source, bytes: data.bytes, ms: performance.now() - dataStarted });
      const model = buildModel(config.model, trainSet, trainSet.numClasses);

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

      const outcome = await train({
        config,
        rank: plan.rank,
        worldSize: plan.worldSize,
        model,
        params,
        train: trainSet,
        test: testSet,
        validation: validationSet,
        ring,
        report: (m) => void control.send(m).catch(() => undefined),
        stopRequested: () => stop,
        setPhase: (p) => (phase = p),
      });
      finished = true;
      // stopped: the coordinator ended the run mid-training, which only a failed run does
      // (a completed run's shutdown follows every done): no final weights, no done
      if (outcome === "stopped") return 1;
      phase = "finishing";
      if (plan.rank === 0) await control.send({ type: "finalWeights", weights: floatsToBytes(params) });
      model.dispose();
      await control.send({ type: "done", numTensors: tf.memory().numTensors });
      // the coordinator's shutdown proves it received everything; do not wait forever for it
      await withTimeout(shutdown, config.timeouts.shutdownMs, () => "no shutdown from the coordinator").catch(() => undefined);
      return 0;
    } catch (e) {
      finished = true;
      // it left already: what fails now is the work it abandoned, not the run
      if (leftWith !== undefined) return leftWith;
      const code = isRingtrainError(e) ? e.code : "INTERNAL";
      await control.send({ type: "failure", code, message: errorMessage(e), phase, rank: assignedRank ?? 0, host, pid: process.pid }).catch(() => undefined);
      if (options.verbose === true) console.error(e);
      else if (isRingtrainError(e, "PROTOCOL") || options.credentials !== undefined) log(`ringtrain worker (host ${host}, pid ${process.pid}): [${code}] ${errorMessage(e)}`);
      return 1;
    }
  })();
  try {
    const code = await Promise.race([work, leaving]);
    return { code, leaveNow: leftWith !== undefined };
  } finally {
    clearInterval(heartbeat);
    clearInterval(watchdog);
    ring?.close();
    await control.close();
    zap?.stop();
  }
}

interface WorkerData {
  train: Dataset;
  test: Dataset;
  /** the held-out validation split, evaluated after the test split each epoch, when the run has one besides its test split */
  validation: Dataset | undefined;
  source: "local" | "coordinator";
  /** bytes received from the coordinator (0 for local data) */
  bytes: number;
}

/**
 * This rank's datasets: its own copy when it has one (and, in a multi-node run,
 * its content hash matches the coordinator's manifest), else pulled from the
 * coordinator chunk by chunk and hash-checked. A missing dataset is a
 * DATA_INVALID or CONFIG_INVALID from resolving the spec; with `data.ship` the
 * local copy is not even tried.
 */
async function runData(
  config: RunConfig,
  data: Extract<CoordinatorMessage, { type: "plan" }>["data"],
  control: ControlChannel,
  chunkTimeoutMs: number,
  setPhase: (phase: string) => void,
  log: (line: string) => void,
): Promise<WorkerData> {
  let why = "the coordinator ships the data to every worker (--ship-data)";
  if (data === null || !data.ship) {
    try {
      const local = await loadRunDatasets(config);
      const validation = evaluatedValidation(local);
      const mine = { train: local.train, test: local.test, validation, source: "local" as const, bytes: 0 };
      if (data === null) return mine;
      const validationMatches = data.validation === undefined ? validation === undefined : validation !== undefined && matchesManifest(validation, data.validation);
      if (matchesManifest(local.train, data.train) && matchesManifest(local.test, data.test) && validationMatches) return mine;
      why = `its copy of dataset ${config.dataset} differs from the coordinator's (content hash)`;
    } catch (e) {
      if (data === null || !(isRingtrainError(e, "DATA_INVALID") || isRingtrainError(e, "CONFIG_INVALID"))) throw e;
      why = `dataset ${config.dataset} is not usable here (${errorMessage(e)})`;
    }
  }
  const source = `the coordinator at ${control.coordinatorAddress}`;
  log(`${why}; receiving it from ${source}`);
  const channel = {
    request: (split: ShippedSplit, chunk: number) => control.send({ type: "dataRequest", split, chunk }),
    next: () => control.next("dataChunk", chunkTimeoutMs, "receiving data"),
  };
  const fetch = (m: DatasetManifest): Promise<Dataset> =>
    fetchDataset(m, channel, source, (received, total) => setPhase(`receiving the ${m.split} split from the coordinator (chunk ${received} of ${total})`));
  const train = await fetch(data.train);
  const test = await fetch(data.test);
  const validation = data.validation === undefined ? undefined : await fetch(data.validation);
  const recordBytes = data.train.height * data.train.width * data.train.channels + 1;
  const bytes = (data.train.records + data.test.records + (data.validation?.records ?? 0)) * recordBytes;
  return { train, test, validation, source: "coordinator", bytes };
}
