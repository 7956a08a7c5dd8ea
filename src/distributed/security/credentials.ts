/**
 * Everything a peer needs to prove it belongs to the run, derived from the one
 * shared secret S, so that no key has to be distributed separately:
 *
 *  - PLAIN password (authentication without encryption):
 *    HKDF-SHA256(S, "ringtrain/v1/plain-password"). S itself never crosses the
 *    network; the derived password does, in clear, once per connection.
 *  - CURVE keys (`--encrypt`): a server key pair (coordinator's ROUTER, every
 *    worker's data-plane PULL) and a client key pair (every DEALER and PUSH),
 *    each an X25519 key whose secret half is HKDF-SHA256(S, "ringtrain/v1/curve-
 *    server" | "…client"). A client must know the server's public key to start
 *    the handshake and proves its own secret key inside it; the servers' ZAP
 *    handler accepts only the derived client public key. Knowing S is the only
 *    way to complete either side, and the handshake itself is replay-proof.
 */
import { createHash, createPrivateKey, createPublicKey, hkdfSync, timingSafeEqual } from "node:crypto";
import { z85Encode } from "./z85.js";

export interface CurveKeyPair {
  /** Z85, 40 characters */
  publicKey: string;
  secretKey: string;
}

/** Derived credentials of a run; create with {@link deriveCredentials}. */
export interface RunCredentials {
  /** "plain": authenticate only; "curve": authenticate and encrypt (CurveZMQ) */
  mechanism: "plain" | "curve";
  plainUsername: string;
  plainPassword: string;
  server: CurveKeyPair;
  client: CurveKeyPair;
  /** short public fingerprint of the secret (first 8 hex of SHA-256 of the client key), for logs */
  fingerprint: string;
}

const SALT = "ringtrain";

function derive(secret: Uint8Array, label: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, SALT, `ringtrain/v1/${label}`, 32));
}

/** The X25519 key pair whose secret scalar is `seed` (32 bytes), in Z85. */
export function x25519FromSeed(seed: Buffer): CurveKeyPair {
  // PKCS#8 wrapping of a raw X25519 private key (RFC 8410)
  const der = Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), seed]);
  const privateKey = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  const jwk = createPublicKey(privateKey).export({ format: "jwk" });
  const publicRaw = Buffer.from(jwk.x ?? "", "base64url");
  return { publicKey: z85Encode(publicRaw), secretKey: z85Encode(seed) };
}

/** Derives the run's credentials from the shared secret. Pure and deterministic. */
export function deriveCredentials(secret: Uint8Array, encrypt: boolean): RunCredentials {
  const client = x25519FromSeed(derive(secret, "curve-client"));
  return {
    mechanism: encrypt ? "curve" : "plain",
    plainUsername: "ringtrain",
    plainPassword: derive(secret, "plain-password").toString("base64url"),
    server: x25519FromSeed(derive(secret, "curve-server")),
    client,
    fingerprint: createHash("sha256").update(client.publicKey).digest("hex").slice(0, 8),
  };
}

/** Constant-time string comparison (for passwords and keys). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
