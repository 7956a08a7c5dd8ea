/**
 * ZeroMQ sockets of the data plane, created with the options every data-plane
 * socket must have.
 *
 * Each worker binds one PULL for its left neighbour and connects one PUSH to its
 * right neighbour. PUSH/PULL is one-way and FIFO over one connection, which is
 * all a ring needs, and unlike PAIR it survives a reconnect.
 *
 * Invariant 4 of docs/design.md (no unbounded queues): both ends get high-water marks (counted in
 * messages; each message is at most `maxMessageBytes`, so a queue holds at most
 * `hwm × maxMessageBytes` bytes) and the receiver a maximum message size (a
 * larger frame drops the connection instead of allocating it). `linger: 0`
 * makes close() discard unsent data, so a failed run never blocks on exit.
 */
import * as zmq from "zeromq";
import { RingtrainError } from "../../core/errors.js";
import { isIpv6Endpoint } from "../endpoint.js";
import type { SecurityOptions } from "../security/socket-security.js";

export interface DataSocketOptions {
  /** Socket context; required for `inproc://` (all ranks in one process share it). */
  context?: zmq.Context;
  /** Largest frame the receiver accepts, in bytes. */
  maxMessageBytes: number;
  /** High-water mark, in messages, for the sender's and the receiver's queue. */
  highWaterMark: number;
  /**
   * Bound on one receive (receiver: use {@link receiveWithin}) or on handing
   * one message to ZeroMQ (sender), ms. Enforced by ZeroMQ itself (an EAGAIN
   * rejection), so the hot path arms no JavaScript timer per frame.
   */
  timeoutMs: number;
  /**
   * Authentication / encryption options (serverSecurity() for the receiver,
   * clientSecurity() for the sender); none for loopback-only runs.
   */
  security?: SecurityOptions;
}

const ENDPOINT = /^(tcp|ipc|inproc):\/\/.+/;

/** Throws USAGE unless `endpoint` is a tcp://, ipc:// or inproc:// address. */
export function checkEndpoint(endpoint: string, what: string): void {
  if (!ENDPOINT.test(endpoint)) {
    throw new RingtrainError(
      "USAGE",
      `${what} "${endpoint}" is not a ZeroMQ endpoint: expected tcp://host:port (port may be *), ipc:///path or inproc://name`,
    );
  }
}

/**
 * With PLAIN/CURVE security a connection that completes its ZAP handshake
 * while this process's event loop is blocked (loading data, compiling wasm)
 * can leave its first frames unnoticed by zeromq.js until the socket is read
 * again (seen with 6 processes on 2 cores: a ring step stalled until its
 * timeout). So a secured receiver's own timeout is this slice, and
 * {@link receiveWithin} reads again after each one until the whole bound passed.
 */
const SECURED_RECEIVE_SLICE_MS = 500;

/**
 * Binds a PULL socket at `endpoint` and returns it with the resolved address
 * (a `tcp://...:*` wildcard port filled in) to advertise to the sender.
 * Rejects with USAGE for a malformed endpoint and WORKER_FAILED when the bind
 * itself fails (address in use, directory missing).
 */
export async function bindReceiver(endpoint: string, opts: DataSocketOptions): Promise<{ socket: zmq.Pull; address: string }> {
  checkEndpoint(endpoint, "data-plane bind endpoint");
  const socket = new zmq.Pull({
    ...(opts.context ? { context: opts.context } : {}),
    ipv6: isIpv6Endpoint(endpoint),
    linger: 0,
    receiveHighWaterMark: opts.highWaterMark,
    maxMessageSize: opts.maxMessageBytes,
    // secured receivers wait in slices (see receiveWithin); the bound stays timeoutMs
    receiveTimeout: opts.security ? Math.min(opts.timeoutMs, SECURED_RECEIVE_SLICE_MS) : opts.timeoutMs,
    ...opts.security,
  });
  try {
    await socket.bind(endpoint);
  } catch (e) {
    socket.close();
    throw new RingtrainError("WORKER_FAILED", `cannot bind the data-plane socket at ${endpoint}: ${String(e)}`, { cause: e });
  }
  const address = socket.lastEndpoint ?? endpoint;
  return { socket, address };
}

/** Connects a PUSH socket to `address` (a peer's resolved receiver address). */
export function connectSender(address: string, opts: DataSocketOptions): zmq.Push {
  checkEndpoint(address, "data-plane peer address");
  const socket = new zmq.Push({
    ...(opts.context ? { context: opts.context } : {}),
    ipv6: isIpv6Endpoint(address),
    linger: 0,
    sendHighWaterMark: opts.highWaterMark,
    sendTimeout: opts.timeoutMs,
    ...opts.security,
  });
  try {
    socket.connect(address);
  } catch (e) {
    socket.close();
    throw new RingtrainError("WORKER_FAILED", `cannot connect the data-plane socket to ${address}: ${String(e)}`, { cause: e });
  }
  return socket;
}

/** True for the rejection ZeroMQ gives when a send or receive timeout elapses. */
export function isZmqTimeout(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === "EAGAIN";
}

/**
 * The next message on a receiver from {@link bindReceiver}, or undefined when
 * none came within `timeoutMs` (the `timeoutMs` it was bound with). A secured
 * receiver is read again after each slice of its wait (see
 * SECURED_RECEIVE_SLICE_MS); the overall bound stays `timeoutMs`. Rejects with
 * whatever else ZeroMQ rejects with (e.g. the socket was closed).
 */
export async function receiveWithin(socket: zmq.Pull, timeoutMs: number): Promise<Buffer[] | undefined> {
  let slices = 0;
  for (let slice = 1; ; slice++) {
    try {
      return await socket.receive();
    } catch (e) {
      if (!isZmqTimeout(e)) throw e;
      // only read after a timeout: the hot path makes no extra call into the socket
      if (slices === 0) slices = Math.max(1, Math.ceil(timeoutMs / socket.receiveTimeout));
      if (slice >= slices) return undefined;
    }
  }
}
