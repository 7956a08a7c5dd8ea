import { mkdtemp, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as zmq from "zeromq";
import { describe, expect, it } from "vitest";
import { deriveCredentials } from "../../../src/distributed/security/credentials.js";
import { loadSecret, requireSecret } from "../../../src/distributed/security/secret.js";
import { clientSecurity, serverSecurity } from "../../../src/distributed/security/socket-security.js";
import { authorize, startZapHandler, type ZapEvent } from "../../../src/distributed/security/zap-handler.js";

const SECRET = Buffer.from("correct horse battery staple 42");

describe("shared secret", () => {
  it("comes from a file or the environment, never shorter than 16 bytes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rt-secret-"));
    const file = join(dir, "secret");
    await writeFile(file, "0123456789abcdef0123\n");
    await chmod(file, 0o644);
    const fromFile = await loadSecret(file, {});
    expect(fromFile?.secret.toString()).toBe("0123456789abcdef0123");
    expect(fromFile?.warning).toMatch(/can be read by other users/);
    expect((await loadSecret(undefined, { RINGTRAIN_SECRET: "abcdefghijklmnopq" }))?.source).toBe("RINGTRAIN_SECRET");
    expect(await loadSecret(undefined, {})).toBeUndefined();
    await expect(loadSecret(undefined, { RINGTRAIN_SECRET: "short" })).rejects.toThrow(/has 5 bytes; use at least 16/);
    await expect(loadSecret(join(dir, "missing"), {})).rejects.toThrow(/cannot read the secret file .*missing: ENOENT/);
  });

  it("is required with --encrypt or on an endpoint other hosts reach, worded by the caller", async () => {
    const why = (need: string): string => `needs it: ${need}`;
    for (const endpoint of ["tcp://127.0.0.1:1", "ipc:///tmp/x"]) expect(() => requireSecret(undefined, { endpoint, encrypt: false }, why)).not.toThrow();
    expect(() => requireSecret(undefined, { endpoint: "tcp://0.0.0.0:1", encrypt: false }, why)).toThrow("needs it: not-loopback");
    expect(() => requireSecret(undefined, { endpoint: "tcp://0.0.0.0:1", encrypt: true }, why)).toThrow("needs it: encrypt");
    expect(() => requireSecret(undefined, { endpoint: "ipc:///tmp/x", encrypt: true }, why)).toThrow("needs it: encrypt");
    const loaded = await loadSecret(undefined, { RINGTRAIN_SECRET: "abcdefghijklmnopq" });
    expect(() => requireSecret(loaded, { endpoint: "tcp://0.0.0.0:1", encrypt: true }, why)).not.toThrow();
  });

  it("derives the same credentials everywhere, different ones for another secret", () => {
    const a = deriveCredentials(SECRET, true);
    expect(deriveCredentials(SECRET, true)).toEqual(a);
    expect(a.server.publicKey).toHaveLength(40);
    expect(deriveCredentials(Buffer.from("another secret of some length"), true).client.publicKey).not.toBe(a.client.publicKey);
    expect(a.plainPassword).not.toContain(SECRET.toString());
  });

  it("the ZAP policy accepts only the derived credentials", () => {
    const plain = deriveCredentials(SECRET, false);
    expect(authorize(plain, "ringtrain", "PLAIN", [Buffer.from("ringtrain"), Buffer.from(plain.plainPassword)]).ok).toBe(true);
    expect(authorize(plain, "ringtrain", "PLAIN", [Buffer.from("ringtrain"), Buffer.from("guess")]).reason).toMatch(/wrong credentials/);
    expect(authorize(plain, "ringtrain", "NULL", []).reason).toMatch(/expected PLAIN/);
  });
});

async function exchange(server: zmq.Router, client: zmq.Dealer, ms: number): Promise<string | undefined> {
  // bounded on both sides: a DEALER whose handshake failed may have no pipe to queue on, and its send would wait forever
  client.sendTimeout = ms;
  server.receiveTimeout = ms;
  try {
    await client.send("ping");
    const [, m] = await server.receive();
    return m?.toString();
  } catch {
    return undefined; // not sent or nothing arrived within ms
  }
}

describe.each([false, true])("real sockets (encrypt %s)", (encrypt) => {
  it("a peer without the secret is refused with its address; a peer with it gets through", async () => {
    const creds = deriveCredentials(SECRET, encrypt);
    const events: ZapEvent[] = [];
    const zap = await startZapHandler(creds, (e) => events.push(e));
    const server = new zmq.Router({ ...serverSecurity(creds), linger: 0 });
    await server.bind("tcp://127.0.0.1:*");
    const endpoint = server.lastEndpoint as string;
    // with CURVE, a peer with another secret cannot even start the handshake; the
    // intruder here knows the server's public key but not the client key pair
    const own = zmq.curveKeyPair();
    const intruder = new zmq.Dealer({
      ...(encrypt
        ? { curveServerKey: creds.server.publicKey, curvePublicKey: own.publicKey, curveSecretKey: own.secretKey }
        : clientSecurity(deriveCredentials(Buffer.from("not the run's secret at all"), encrypt))),
      linger: 0,
    });
    const anonymous = new zmq.Dealer({ linger: 0 });
    const member = new zmq.Dealer({ ...clientSecurity(creds), linger: 0 });
    try {
      intruder.connect(endpoint);
      anonymous.connect(endpoint);
      expect(await exchange(server, intruder, 500)).toBeUndefined();
      expect(await exchange(server, anonymous, 500)).toBeUndefined();
      member.connect(endpoint);
      expect(await exchange(server, member, 5000)).toBe("ping");
      const refused = events.filter((e) => !e.accepted);
      expect(refused.length).toBeGreaterThanOrEqual(1);
      expect(refused[0]?.address).toBe("127.0.0.1");
      expect(events.some((e) => e.accepted)).toBe(true);
    } finally {
      for (const s of [intruder, anonymous, member, server]) s.close();
      zap.stop();
    }
  });
});
