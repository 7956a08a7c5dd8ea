import { isIP } from "node:net";
import { RingtrainError } from "../core/errors.js";

/** The port torchrun and most launchers use when MASTER_PORT is not set. */
export const DEFAULT_COORDINATOR_PORT = 29500;

/**
 * Turns what a user or launcher gives as the coordinator address into a
 * ZeroMQ endpoint: `host:port`, `host` (default port), `tcp://host:port`, or an
 * `ipc://` path (local runs). IPv6 literals go in brackets (`[fe80::1]:29500`).
 *
 * @throws RingtrainError USAGE naming `what` and the value received.
 */
export function toControlEndpoint(address: string, what: string, defaultPort = DEFAULT_COORDINATOR_PORT): string {
  const value = address.trim();
  if (value.startsWith("ipc://")) return value;
  const bare = value.startsWith("tcp://") ? value.slice("tcp://".length) : value;
  const m = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d+|\*))?$/.exec(bare);
  if (value === "" || m === null) {
    throw new RingtrainError("USAGE", `${what} "${address}" is not an address: expected host:port (e.g. 10.0.0.1:${defaultPort}), tcp://host:port or ipc:///path`);
  }
  const host = m[1] as string;
  const port = m[2] ?? String(defaultPort);
  if (port !== "*" && (Number(port) < 1 || Number(port) > 65535)) {
    throw new RingtrainError("USAGE", `${what} "${address}": port ${port} is outside 1-65535`);
  }
  return `tcp://${host}:${port}`;
}

/**
 * True for a `tcp://[v6-literal]:port` endpoint. ZeroMQ sockets need their
 * `ipv6` option for these; it is set only then, because with it an IPv4 bind
 * reports an IPv4-mapped address (`tcp://[::ffff:127.0.0.1]:…`).
 */
export function isIpv6Endpoint(endpoint: string): boolean {
  return /^tcp:\/\/\[[^\]]+\]:/.test(endpoint);
}

/** A host as written inside a `tcp://` endpoint: IPv6 literals in brackets, anything else as given. */
export function endpointHost(host: string): string {
  const bare = unbracketed(host);
  return isIP(bare) === 6 ? `[${bare}]` : bare;
}

/** A host without the brackets of an IPv6 literal (`[fd00::1]` → `fd00::1`). */
export function unbracketed(host: string): string {
  return host.replace(/^\[(.*)\]$/, "$1");
}

/** Host and port of a `tcp://host:port` endpoint (brackets stripped from IPv6); undefined for ipc/inproc. */
export function tcpHostPort(endpoint: string): { host: string; port: number } | undefined {
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:[\]]+):(\d+)$/.exec(endpoint);
  if (m === null) return undefined;
  return { host: (m[1] as string).replace(/^\[|\]$/g, ""), port: Number(m[2]) };
}

/**
 * True when traffic to or from `endpoint` cannot leave this machine: ipc and
 * inproc sockets, 127.0.0.0/8, ::1 and `localhost`. Everything else (a real
 * address, `*`, 0.0.0.0, a host name) needs the shared secret.
 */
export function isLoopbackEndpoint(endpoint: string): boolean {
  if (endpoint.startsWith("ipc://") || endpoint.startsWith("inproc://")) return true;
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:[\]]+):/.exec(endpoint);
  if (m === null) return false;
  const host = (m[1] as string).replace(/^\[|\]$/g, "");
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1";
  return false;
}
