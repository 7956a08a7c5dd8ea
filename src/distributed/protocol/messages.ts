import { z } from "zod";
import type { DatasetManifest } from "../../data/shipping/manifest.js";

/**
 * The catalogue of control-plane messages between the coordinator (ROUTER) and
 * the workers (DEALER). Every message is a msgpack map with a `type` tag; this
 * file is the only place a message shape is defined. Received data is
 * `unknown` until {@link parseWorkerMessage} / {@link parseCoordinatorMessage}
 * has checked it.
 *
 * Tensors travel as raw bytes (`Uint8Array` views of a Float32Array), never
 * as msgpack-encoded typed arrays (see docs/design.md, "Measured facts").
 *
 * Handshake:
 *  1. worker → hello (its data-plane address, host, pid, backend, launch rank if any,
 *     code version and config hash); a worker the coordinator will not take gets `refused`
 *  2. coordinator → plan (rank, world size, member table, resolved config) once all said hello;
 *     from then on the coordinator also sends a heartbeat every second
 *  3. every rank loads its data and says dataReady; a rank that lacks the data (or is told to
 *     by `plan.data.ship`) first pulls it: dataRequest (split, chunk) → dataChunk, a bounded
 *     window of chunks in flight, each well below maxMessageSize (src/data/shipping/)
 *  4. rank 0 → initialWeights; coordinator → weights to every rank once all are dataReady
 *     (so no weights message interleaves a transfer, and slow transfers do not eat the
 *     first allreduce's time bound)
 *  5. workers train; they report progress, checksums, epochMetrics, evalResult (test split, then
 *     validation split when the run has both) asynchronously
 *  5a. a step whose allreduced global loss is non-finite or above the bound ends training on every
 *     rank at that same step: each sends its partial epoch's epochMetrics (with stoppedAtStep) and
 *     evalResults (unless the epoch had no finished step), then diverged
 *  6. rank 0 → finalWeights; every rank → done; coordinator → shutdown (also on failure, with failed: true)
 */
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: "expected binary data" });
const count = z.number().int().nonnegative();

const backendInfo = z.object({ name: z.string(), device: z.string() });
const shippedSplit = z.enum(["train", "test", "validation"]);
const evaluatedSplit = z.enum(["test", "validation"]);

/** See DatasetManifest (src/data/shipping/manifest.ts). */
const datasetManifest = z.object({
  name: z.string(),
  split: shippedSplit,
  count,
  height: count,
  width: count,
  channels: count,
  numClasses: count,
  first: count,
  records: count,
  recordsPerChunk: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
// the wire shape and the shipping code's type must not drift apart
const manifestFits: (m: z.infer<typeof datasetManifest>) => DatasetManifest = (m) => m;
void manifestFits;

export const workerMessageSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("hello"),
    host: z.string(),
    pid: count,
    /** the global rank this worker was launched as (flag or launcher environment), or null: the coordinator assigns one */
    rank: count.nullable(),
    /** its rank among the workers of its host, when known (placement, ring order) */
    localRank: count.nullable(),
    dataAddress: z.string().min(1),
    backend: backendInfo,
    /** ringtrain version and wire-protocol version (see compatibility.ts): peers must agree */
    codeVersion: z.string(),
    /** hash of the config the worker was started with (`--config`), or null: it takes the coordinator's */
    configHash: z.string().nullable(),
  }),
  z.object({ type: z.literal("heartbeat"), phase: z.string() }),
  /** chunk `chunk` of this rank's manifest of `split`, please (see plan.data) */
  z.object({ type: z.literal("dataRequest"), split: shippedSplit, chunk: count }),
  /** this rank holds its data: its own copy (`local`, hash-checked when the plan has manifests) or shipped (`coordinator`) */
  z.object({ type: z.literal("dataReady"), source: z.enum(["local", "coordinator"]), bytes: count, ms: z.number() }),
  z.object({ type: z.literal("initialWeights"), weights: bytes }),
  /** rank 0, throttled: `loss` is the mean of the global-batch losses of the optimizer steps since the previous report, up to `optimizerStep` (1-based, whole run) */
  z.object({ type: z.literal("progress"), epoch: count, step: count, stepsPerEpoch: count, optimizerStep: count, loss: z.number() }),
  z.object({ type: z.literal("checksum"), step: count, checksum: z.string() }),
  z.object({
    type: z.literal("epochMetrics"),
    epoch: count,
    optimizerSteps: count,
    trainLossSum: z.number(),
    trainCorrect: count,
    trainCount: count,
    /** means per optimizer step over the epoch, ms */
    stepMs: z.number(),
    computeMs: z.number(),
    allreduceMs: z.number(),
    wallMs: z.number(),
    checksum: z.string(),
    numTensors: count,
    /** set on the partial last epoch of a diverged run: the optimizer step (1-based, whole run) that diverged */
    stoppedAtStep: count.optional(),
  }),
  z.object({ type: z.literal("evalResult"), epoch: count, split: evaluatedSplit, lossSum: z.number(), correct: count, count: count }),
  /** the global-batch loss of `optimizerStep` was not finite or above `maxLoss`: this rank stopped training (step 5a) */
  z.object({ type: z.literal("diverged"), epoch: count, optimizerStep: count, loss: z.number().nullable(), maxLoss: z.number() }),
  z.object({ type: z.literal("finalWeights"), weights: bytes }),
  z.object({ type: z.literal("done"), numTensors: count }),
  z.object({
    type: z.literal("failure"),
    code: z.string(),
    message: z.string(),
    phase: z.string(),
    /** who failed: a worker may fail before its hello (e.g. choosing its backend) */
    rank: count,
    host: z.string(),
    pid: count,
  }),
]);

const ringMember = z.object({ rank: count, host: z.string(), pid: count, dataAddress: z.string() });

export const coordinatorMessageSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("plan"),
    rank: count,
    worldSize: count,
    runId: z.string(),
    /** the resolved run config, validated again by the worker with the same schema */
    config: z.unknown(),
    members: z.array(ringMember),
    /**
     * Multi-node runs: this rank's manifests of the run's splits (what it trains on, and its
     * share of the evaluated split), and `ship`: take them from the coordinator even where
     * the dataset exists locally (`--ship-data`). Null for local runs: every worker loads.
     */
    data: z.object({ ship: z.boolean(), train: datasetManifest, test: datasetManifest, validation: datasetManifest.optional() }).nullable().default(null),
  }),
  /** records of a manifest's chunk, raw bytes: pixels (records × sample size) and labels */
  z.object({ type: z.literal("dataChunk"), split: shippedSplit, chunk: count, pixels: bytes, labels: bytes }),
  z.object({ type: z.literal("weights"), weights: bytes }),
  /** liveness: sent every second to joined workers, so remote workers notice a vanished coordinator */
  z.object({ type: z.literal("heartbeat") }),
  /** the coordinator will not take this worker (wrong version or config, rank taken, run full); it should exit */
  z.object({ type: z.literal("refused"), reason: z.string() }),
  /** `failed`: the run ended with an error elsewhere, so the worker exits non-zero */
  z.object({ type: z.literal("shutdown"), reason: z.string(), failed: z.boolean().default(false) }),
]);

export type WorkerMessage = z.infer<typeof workerMessageSchema>;
export type CoordinatorMessage = z.infer<typeof coordinatorMessageSchema>;
export type WorkerMessageType = WorkerMessage["type"];
