import * as zmq from "zeromq";
import { encodeMessage, parseWorkerMessage } from "../common/protocol/codec.js";
import type { CoordinatorMessage, WorkerMessage } from "../common/protocol/messages.js";

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

  /** Binds on `endpoint` (`ipc://…` or `tcp://127.0.0.1:*`); `address` is the resolved endpoint. */
  static async bind(endpoint: string): Promise<ControlServer> {
    const socket = new zmq.Router({
      linger: 0,
      sendHighWaterMark: CONTROL_HWM,
      receiveHighWaterMark: CONTROL_HWM,
      maxMessageSize: MAX_MESSAGE_BYTES,
      mandatory: true,
      // a worker that stops reading must not block the coordinator forever (invariant 3)
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

  close(): void {
    this.closed = true;
    this.socket.close();
  }
}
