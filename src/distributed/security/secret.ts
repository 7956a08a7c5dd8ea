import { readFile, stat } from "node:fs/promises";
import { RingtrainError } from "../../core/errors.js";
import { isLoopbackEndpoint } from "../endpoint.js";

/** The environment variable that may hold the shared secret. */
export const SECRET_ENV = "RINGTRAIN_SECRET";
/** Shortest secret accepted: 16 bytes, so that guessing it is hopeless. */
export const MIN_SECRET_BYTES = 16;

export interface LoadedSecret {
  secret: Buffer;
  /** where it came from, for logs: `--secret-file /path` or `RINGTRAIN_SECRET` */
  source: string;
  /** a warning to log (e.g. a secret file others may read), or undefined */
  warning: string | undefined;
}

/**
 * Reads the run's shared secret from `--secret-file` (preferred) or the
 * `RINGTRAIN_SECRET` environment variable — never from a command-line value,
 * which other users see in `ps`. A trailing newline in the file is ignored.
 * Returns undefined when neither is given.
 *
 * @throws RingtrainError USAGE for an unreadable file or a secret shorter than {@link MIN_SECRET_BYTES}.
 */
export async function loadSecret(secretFile: string | undefined, env: Readonly<Record<string, string | undefined>>): Promise<LoadedSecret | undefined> {
  let text: string;
  let source: string;
  let warning: string | undefined;
  if (secretFile !== undefined) {
    source = `--secret-file ${secretFile}`;
    try {
      text = await readFile(secretFile, "utf8");
      const mode = (await stat(secretFile)).mode;
      if ((mode & 0o077) !== 0) warning = `secret file ${secretFile} can be read by other users (mode ${(mode & 0o777).toString(8)}): chmod 600 it`;
    } catch (e) {
      throw new RingtrainError("USAGE", `cannot read the secret file ${secretFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    text = text.replace(/\r?\n$/, "");
  } else {
    const value = env[SECRET_ENV];
    if (value === undefined || value === "") return undefined;
    source = SECRET_ENV;
    text = value;
  }
  const secret = Buffer.from(text, "utf8");
  if (secret.length < MIN_SECRET_BYTES) {
    throw new RingtrainError(
      "USAGE",
      `the shared secret from ${source} has ${secret.length} bytes; use at least ${MIN_SECRET_BYTES} (e.g. \`openssl rand -hex 32 > secret && chmod 600 secret\`)`,
    );
  }
  return { secret, source, warning };
}

/** Why a run needs its shared secret: `--encrypt` (its keys derive from it), or an endpoint other hosts may reach. */
export type SecretNeed = "encrypt" | "not-loopback";

/**
 * The one rule for when the shared secret is required: with `encrypt`, or
 * when `endpoint` is not on loopback (anyone who reaches it could join the
 * run, or feed it gradients). Each caller words the error for its own
 * command, given why the secret is needed (`--encrypt` wins when both hold).
 *
 * @throws RingtrainError USAGE with `refusal(why)` when the secret is needed but `loaded` is undefined.
 */
export function requireSecret(loaded: LoadedSecret | undefined, need: { endpoint: string; encrypt: boolean }, refusal: (why: SecretNeed) => string): void {
  if (loaded !== undefined) return;
  if (need.encrypt) throw new RingtrainError("USAGE", refusal("encrypt"));
  if (!isLoopbackEndpoint(need.endpoint)) throw new RingtrainError("USAGE", refusal("not-loopback"));
}
