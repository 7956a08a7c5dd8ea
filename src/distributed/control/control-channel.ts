import { randomBytes } from "node:crypto";
import * as zmq from "zeromq";
import { RingtrainError } from "../../core/errors.js";
import type { SecurityOptions } from "../security/socket-security.js";
import { encodeMessage, parseCoordinatorMessage } from "../protocol/codec.js";
import { isIpv6Endpoint } from "../endpoint.js";
import type { CoordinatorMessage, WorkerMessage } from "../protocol/messages.js";
import { withTimeout } from "../../core/timeout.js";

/** High-water marks bound the control-plane queues (docs/design.md, invariant 4). */
const CONTROL_HWM = 1000;
/** Bound on handing one control message to ZeroMQ when the queue is full. */
const CONTROL_SEND_TIMEOUT_MS = 30_000;
/** Largest control message accepted: weights of big models fit, garbage does not. */
export const MAX_CONTROL_MESSAGE_BYTES = 1 << 30;

/**
 * The worker's end of the control plane: a DEALER connected to the
 * coordinator's ROUTER. A background loop receives messages into a mailbox;
 * {@link next} waits for one with a bound, and `shutdown` is surfaced through
 * {@link onShutdown} at any time.
 */
export class ControlChannel {
  private readonly socket: zmq.Dealer;
  private readonly inbox: CoordinatorMessage[] = [];
  private waiter: ((m: CoordinatorMessage) => void) | undefined;
  private closed = false;
  private shutdownHandler: ((reason: string, failed: boolean) => void) | undefined;
  private sendChain: Promise<void> = Promise.resolve();
  /** performance.now() of the last message from the coordinator (heartbeats included) */
  lastReceived = performance.now();

  /**
   * @param security clientSecurity() of the run's credentials; none for a loopback coordinator.
   */
  constructor(
    readonly coordinatorAddress: string,
    security: SecurityOptions = {},
  ) {
    this.socket = new zmq.Dealer({
      // a fixed identity survives a reconnect (a link that flaps), so the
      // coordinator keeps recognising this worker's messages
      routingId: `rt-${process.pid}-${randomBytes(6).toString("hex")}`,
      ...security,
      ipv6: isIpv6Endpoint(coordinatorAddress),
      linger: 2000,
      sendHighWaterMark: CONTROL_HWM,
      receiveHighWaterMark: CONTROL_HWM,
      maxMessageSize: MAX_CONTROL_MESSAGE_BYTES,
      // a coordinator that stops reading must not block a worker forever (docs/design.md, invariant 3)
      sendTimeout: CONTROL_SEND_TIMEOUT_MS,
    });
    this.socket.connect(coordinatorAddress);
    void this.receiveLoop();
  }

  /** Called when the coordinator says shutdown (`failed`: the run ended with an error), or the channel breaks. */
  onShutdown(handler: (reason: string, failed: boolean) => void): void {
    this.shutdownHandler = handler;
  }

  private async receiveLoop(): Promise<void> {
    try {
      for await (const [frame] of this.socket) {
        if (frame === undefined) continue;
        const message = parseCoordinatorMessage(frame, `coordinator ${this.coordinatorAddress}`);
        this.lastReceived = performance.now();
        if (message.type === "heartbeat") continue;
        if (message.type === "shutdown") {
          this.shutdownHandler?.(message.reason, message.failed);
          continue;
        }
        if (this.waiter !== undefined) {
          const w = this.waiter;
          this.waiter = undefined;
          w(message);
        } else {
          this.inbox.push(message);
        }
      }
    } catch (e) {
      if (!this.closed) this.shutdownHandler?.(`control channel failed: ${(e as Error).message}`, true);
    }
  }

  /**
   * Sends a message; messages are sent in order, and the returned promise
   * resolves when ZeroMQ has queued it (awaiting applies backpressure).
   */
  send(message: WorkerMessage): Promise<void> {
    const frame = encodeMessage(message);
    this.sendChain = this.sendChain.then(() => this.socket.send(frame)).catch((e: unknown) => {
      if (!this.closed) throw e;
    });
    return this.sendChain;
  }

  /** Waits for the next non-shutdown message of `type`, at most `timeoutMs`. */
  async next<T extends CoordinatorMessage["type"]>(
    type: T,
    timeoutMs: number,
    phase: string,
  ): Promise<Extract<CoordinatorMessage, { type: T }>> {
    const queued = this.inbox.shift();
    const message =
      queued ??
      (await withTimeout(
        new Promise<CoordinatorMessage>((resolve) => (this.waiter = resolve)),
        timeoutMs,
        () => `no '${type}' message from the coordinator at ${this.coordinatorAddress} during ${phase}`,
        () => (this.waiter = undefined),
      ));
    if (message.type === "refused") {
      throw new RingtrainError("PROTOCOL", `the coordinator at ${this.coordinatorAddress} refused this worker during ${phase}: ${message.reason}`);
    }
    if (message.type !== type) {
      throw new RingtrainError("PROTOCOL", `expected '${type}' from the coordinator during ${phase}, got '${message.type}'`);
    }
    return message as Extract<CoordinatorMessage, { type: T }>;
  }

  /** Waits until queued messages are handed to ZeroMQ, then closes (linger lets them leave). */
  async close(): Promise<void> {
    await this.sendChain.catch(() => undefined);
    this.closed = true;
    this.socket.close();
  }
}
