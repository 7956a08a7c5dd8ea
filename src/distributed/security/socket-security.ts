import type { RunCredentials } from "./credentials.js";

/** The ZAP domain of every ringtrain socket that authenticates peers. */
export const ZAP_DOMAIN = "ringtrain";

/** ZeroMQ socket options that turn on authentication (and CURVE encryption); spread into a socket's constructor options. */
export interface SecurityOptions {
  zapDomain?: string;
  plainServer?: boolean;
  plainUsername?: string;
  plainPassword?: string;
  curveServer?: boolean;
  curvePublicKey?: string;
  curveSecretKey?: string;
  curveServerKey?: string;
}

/**
 * Options for a socket that binds and accepts peers (coordinator ROUTER, data-plane
 * PULL). Every connection is then checked by the process's ZAP handler (see
 * zap-handler.ts), which must be started before the first peer arrives.
 * `undefined` credentials (a loopback-only run) give no options.
 */
export function serverSecurity(credentials: RunCredentials | undefined): SecurityOptions {
  if (credentials === undefined) return {};
  if (credentials.mechanism === "plain") return { zapDomain: ZAP_DOMAIN, plainServer: true };
  return { zapDomain: ZAP_DOMAIN, curveServer: true, curveSecretKey: credentials.server.secretKey };
}

/** Options for a socket that connects (worker DEALER, data-plane PUSH). */
export function clientSecurity(credentials: RunCredentials | undefined): SecurityOptions {
  if (credentials === undefined) return {};
  if (credentials.mechanism === "plain") return { plainUsername: credentials.plainUsername, plainPassword: credentials.plainPassword };
  return { curveServerKey: credentials.server.publicKey, curvePublicKey: credentials.client.publicKey, curveSecretKey: credentials.client.secretKey };
}
