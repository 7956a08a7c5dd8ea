/**
 * The ZAP handler (ZeroMQ RFC 27) of this process: libzmq asks it about every
 * incoming connection on a socket with PLAIN or CURVE security, over
 * `inproc://zeromq.zap.01` in the socket's context, before any message of
 * that connection is delivered. It accepts a connection only with the run's
 * derived credentials (the PLAIN password, or the derived CURVE client key),
 * and names the refused peer's address in a log line. A refused peer never
 * reaches the run logic, so the run goes on.
 *
 * One handler per ZeroMQ context (the default one here): start it once per
 * process with {@link startZapHandler} before binding a secured socket.
 */
import * as zmq from "zeromq";
import { RingtrainError } from "../../core/errors.js";
import { sameSecret, type RunCredentials } from "./credentials.js";
import { ZAP_DOMAIN } from "./socket-security.js";
import { z85Encode } from "./z85.js";

const ZAP_ENDPOINT = "inproc://zeromq.zap.01";

/** What the handler reports about each connection attempt. */
export interface ZapEvent {
  accepted: boolean;
  /** the peer's IP address as libzmq saw it */
  address: string;
  mechanism: string;
  reason: string;
}

/** The running handler; {@link stop} it when the process's secured sockets are closed. */
export interface ZapHandler {
  stop(): void;
}

let running: { handler: ZapHandler; credentials: RunCredentials } | undefined;

/** The verdict on one request: pure, so the policy is unit-testable. */
export function authorize(credentials: RunCredentials, domain: string, mechanism: string, parts: readonly Buffer[]): { ok: boolean; reason: string } {
  if (domain !== ZAP_DOMAIN) return { ok: false, reason: `unknown ZAP domain "${domain}"` };
  if (credentials.mechanism === "plain") {
    if (mechanism !== "PLAIN") return { ok: false, reason: `security mechanism ${mechanism}, expected PLAIN (is the peer started with --encrypt?)` };
    const [user, password] = parts;
    if (user?.toString() === credentials.plainUsername && password !== undefined && sameSecret(password.toString(), credentials.plainPassword)) return { ok: true, reason: "OK" };
    return { ok: false, reason: "wrong credentials (a different or missing shared secret)" };
  }
  if (mechanism !== "CURVE") return { ok: false, reason: `security mechanism ${mechanism}, expected CURVE (start every peer with --encrypt)` };
  const key = parts[0];
  if (key?.length === 32 && sameSecret(z85Encode(key), credentials.client.publicKey)) return { ok: true, reason: "OK" };
  return { ok: false, reason: "unknown CURVE client key (a different shared secret)" };
}

/**
 * Binds the process's ZAP handler. Idempotent for the same credentials;
 * starting it with different ones is an INTERNAL error (one run per process).
 * `onEvent` sees every accepted and refused connection.
 */
export async function startZapHandler(credentials: RunCredentials, onEvent: (e: ZapEvent) => void): Promise<ZapHandler> {
  if (running !== undefined) {
    if (running.credentials.plainPassword !== credentials.plainPassword || running.credentials.mechanism !== credentials.mechanism) {
      throw new RingtrainError("INTERNAL", "a ZAP handler with other credentials already runs in this process");
    }
    return running.handler;
  }
  const socket = new zmq.Router({ linger: 0 });
  await bindZapEndpoint(socket);
  let stopped = false;
  const handler: ZapHandler = {
    stop() {
      if (stopped) return;
      stopped = true;
      running = undefined;
      socket.close();
    },
  };
  running = { handler, credentials };
  void (async () => {
    try {
      for await (const frames of socket) {
        const [routing, delimiter, version, requestId, domain, address, , mechanism, ...parts] = frames;
        if (routing === undefined || delimiter === undefined || version === undefined || requestId === undefined) continue;
        const verdict =
          version.toString() !== "1.0"
            ? { ok: false, reason: `ZAP version ${version.toString()}` }
            : authorize(credentials, domain?.toString() ?? "", mechanism?.toString() ?? "", parts);
        await socket.send([routing, delimiter, "1.0", requestId, verdict.ok ? "200" : "400", verdict.ok ? "OK" : verdict.reason, verdict.ok ? "ringtrain" : "", ""]);
        onEvent({ accepted: verdict.ok, address: address?.toString() ?? "?", mechanism: mechanism?.toString() ?? "?", reason: verdict.reason });
      }
    } catch (e) {
      if (!stopped) onEvent({ accepted: false, address: "-", mechanism: "-", reason: `ZAP handler failed: ${String(e)}` });
    }
  })();
  return handler;
}

/** How long a new handler waits for a stopped one's endpoint to be released. */
const ZAP_REBIND_MS = 2_000;

/**
 * Binds the ZAP endpoint. `close()` of a stopped handler's socket returns at
 * once but releases its inproc endpoint in ZeroMQ's I/O thread a moment later,
 * so a handler started right after another in the same process (tests, a
 * sweep's trials) may find it still taken: retry for a bounded time.
 */
async function bindZapEndpoint(socket: zmq.Router): Promise<void> {
  const deadline = performance.now() + ZAP_REBIND_MS;
  for (;;) {
    try {
      await socket.bind(ZAP_ENDPOINT);
      return;
    } catch (e) {
      if ((e as { code?: unknown }).code !== "EADDRINUSE" || performance.now() > deadline) {
        socket.close();
        throw e;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
