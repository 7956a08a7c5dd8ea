import { destination, pino, type Logger } from "pino";
import { PinoPretty } from "pino-pretty";

/**
 * The structured logger. Human-readable (pino-pretty, message only) when the
 * destination is a TTY, JSON lines otherwise, so runs under schedulers stay
 * machine-readable. Both are synchronous so that nothing is lost on exit and
 * lines keep their order with the progress bar and the summary.
 */
export function createLogger(options: { level?: string; name?: string; destination?: "stdout" | "stderr" } = {}): Logger {
  const level = options.level ?? process.env.RINGTRAIN_LOG_LEVEL ?? "info";
  const fd = options.destination === "stderr" ? 2 : 1;
  const tty = fd === 1 ? process.stdout.isTTY : process.stderr.isTTY;
  if (tty) {
    const pretty = PinoPretty({ destination: fd, sync: true, colorize: true, hideObject: level !== "debug", ignore: "pid,hostname", translateTime: "HH:MM:ss" });
    return pino({ level, name: options.name }, pretty);
  }
  return pino({ level, name: options.name, base: undefined }, destination({ fd, sync: true }));
}

export type { Logger };
