import { createSocket } from "node:dgram";
import { isIP } from "node:net";
import { lookup } from "node:dns/promises";
import { RingtrainError } from "../../core/errors.js";
import { withTimeout } from "../../core/timeout.js";

/**
 * The local address of the interface that routes to `host`: what ring
 * neighbours on other machines can most likely reach when no `--advertise`
 * is given. A connected UDP socket makes the kernel choose the route and
 * source address without sending a packet.
 *
 * @throws RingtrainError USAGE when `host` does not resolve or no route to it exists (bounded by `timeoutMs`).
 */
export async function localAddressToward(host: string, port: number, timeoutMs = 5000): Promise<string> {
  const ip = isIP(host) !== 0 ? host : await withTimeout(lookup(host).then((r) => r.address), timeoutMs, () => `resolving the coordinator host ${host}`).catch((e: unknown) => {
    throw new RingtrainError("USAGE", `cannot resolve the coordinator host "${host}": ${(e as Error).message}; pass an IP address or --advertise <address>`);
  });
  const socket = createSocket(isIP(ip) === 6 ? "udp6" : "udp4");
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.once("error", reject);
        socket.connect(port, ip, () => resolve());
      }),
      timeoutMs,
      () => `finding the local interface that routes to ${ip}`,
    );
    return socket.address().address;
  } catch (e) {
    throw new RingtrainError("USAGE", `no route from this host to the coordinator at ${ip}:${port} (${(e as Error).message}); check the address, or pass --advertise <address>`);
  } finally {
    socket.close();
  }
}
