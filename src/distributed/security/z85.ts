import { RingtrainError } from "../../core/errors.js";

/** ZeroMQ's Z85 alphabet (RFC 32), the text form of CURVE keys. */
const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/** Encodes bytes (length a multiple of 4) as Z85: 32-byte keys become 40 characters. */
export function z85Encode(data: Uint8Array): string {
  if (data.length % 4 !== 0) throw new RingtrainError("INTERNAL", `z85: ${data.length} bytes is not a multiple of 4`);
  let out = "";
  for (let i = 0; i < data.length; i += 4) {
    let value = ((data[i] as number) * 2 ** 24 + ((data[i + 1] as number) << 16) + ((data[i + 2] as number) << 8) + (data[i + 3] as number)) >>> 0;
    let chunk = "";
    for (let j = 0; j < 5; j++) {
      chunk = (ALPHABET[value % 85] as string) + chunk;
      value = Math.floor(value / 85);
    }
    out += chunk;
  }
  return out;
}
