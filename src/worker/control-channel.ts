import * as zmq from "zeromq";
import { RingtrainError } from "../common/errors.js";
import { encodeMessage, parseCoordinatorMessage } from "../common/protocol/codec.js";
import type { CoordinatorMessage, WorkerMessage } from "../common/protocol/messages.js";
import { withTimeout } from "../common/timeout.js";

/** High-water marks bound the control-plane queues (invariant 4). */
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
  private shutdownHandler: ((reason: string) => void) | undefined;
  private sendChain: Promise<void> = Promise.resolve();

  constructor(readonly coordinatorAddress: string) {
    this.socket = new zmq.Dealer({
      linger: 2000,
      sendHighWaterMark: CONTROL_HWM,
      receiveHighWaterMark: CONTROL_HWM,
      maxMessageSize: MAX_CONTROL_MESSAGE_BYTES,
      // a coordinator that stops reading must not block a worker forever (invariant 3)
      sendTimeout: CONTROL_SEND_TIMEOUT_MS,
    });
    this.socket.connect(coordinatorAddress);
    void this.receiveLoop();
  }

  /** Called once when the coordinator says shutdown. */
  onShutdown(handler: (reason: string) => void): void {
    this.shutdownHandler = handler;
  }

  private async receiveLoop(): Promise<void> {
    try {
      for await (const [frame] of this.socket) {
        if (frame === undefined) continue;
        const message = parseCoordinatorMessage(frame, `coordinator ${this.coordinatorAddress}`);
        if (message.type === "shutdown") {
          this.shutdownHandler?.(message.reason);
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
      if (!this.closed) this.shutdownHandler?.(`control channel failed: ${(e as Error).message}`);
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
