import * as zmq from "zeromq";
import { encodeMessage, parseWorkerMessage } from "../protocol/codec.js";
import { isIpv6Endpoint } from "../endpoint.js";
import type { CoordinatorMessage, WorkerMessage } from "../protocol/messages.js";
import type { SecurityOptions } from "../security/socket-security.js";

/** Largest control message accepted from a worker (final weights of large models fit). */
const MAX_MESSAGE_BYTES = 1 << 30;
const CONTROL_HWM = 10_000;

/** A validated message and the ZeroMQ routing id of the worker that sent it. */
export interface IncomingMessage {
  peer: Buffer;
  message: WorkerMessage;
}

/**
 * The coordinator's end of the control plane: one ROUTER that all workers'
 * DEALERs connect to. Messages are validated on receipt; an invalid one is
 * handed to `onInvalid` with its sender and never reaches the run logic.
 */
export class ControlServer {
  private readonly socket: zmq.Router;
  private closed = false;

  private constructor(readonly address: string, socket: zmq.Router) {
    this.socket = socket;
  }

  /**
   * Binds on `endpoint` (`ipc://…`, `tcp://127.0.0.1:*`, or for multi-node runs
   * `tcp://0.0.0.0:29500` with `security`); `address` is the resolved endpoint.
   * A message over `maxMessageBytes` drops its sender's connection in ZeroMQ
   * before any of it is allocated.
   */
  static async bind(endpoint: string, options: { security?: SecurityOptions; maxMessageBytes?: number } = {}): Promise<ControlServer> {
    const socket = new zmq.Router({
      ...options.security,
      ipv6: isIpv6Endpoint(endpoint),
      linger: 0,
      sendHighWaterMark: CONTROL_HWM,
      receiveHighWaterMark: CONTROL_HWM,
      maxMessageSize: options.maxMessageBytes ?? MAX_MESSAGE_BYTES,
      mandatory: true,
      // a worker that stops reading must not block the coordinator forever (docs/design.md, invariant 3)
      sendTimeout: 30_000,
    });
    await socket.bind(endpoint);
    return new ControlServer(socket.lastEndpoint ?? endpoint, socket);
  }

  /** Receives until closed, calling `onMessage` for each valid message. */
  async serve(onMessage: (m: IncomingMessage) => void, onInvalid: (peer: Buffer, error: Error) => void): Promise<void> {
    try {
      for await (const [peer, frame] of this.socket) {
        if (peer === undefined || frame === undefined) continue;
        let message: WorkerMessage;
        try {
          message = parseWorkerMessage(frame, `peer ${peer.toString("hex")}`);
        } catch (e) {
          onInvalid(peer, e as Error);
          continue;
        }
        onMessage({ peer, message });
      }
    } catch (e) {
      if (!this.closed) throw e;
    }
  }

  /** Sends to one worker; resolves when queued (backpressure by high-water mark). */
  async send(peer: Buffer, message: CoordinatorMessage): Promise<void> {
    await this.socket.send([peer, encodeMessage(message)]);
  }

  /**
   * Monitors connection events (multi-node runs): `onDrop` hears of every
   * dropped connection, e.g. one that sent a message over the size limit,
   * and `onHandshakeFailed` of every failed security handshake.
   */
  watch(onDrop: (endpoint: string) => void, onHandshakeFailed: (endpoint: string, why: string) => void): void {
    const events = this.socket.events;
    void (async () => {
      try {
        for await (const e of events) {
          if (e.type === "disconnect") onDrop(e.address);
          else if (e.type === "handshake:error:protocol" || e.type === "handshake:error:other") onHandshakeFailed(e.address, e.error.message);
        }
      } catch {
        // the socket closed
      }
    })();
  }

  close(): void {
    this.closed = true;
    this.socket.close();
  }
}
