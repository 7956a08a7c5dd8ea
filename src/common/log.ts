import { destination, pino, type Logger } from "pino";

/**
 * The structured logger. Human-readable (pino-pretty) when stdout is a TTY,
 * JSON lines otherwise, so runs under schedulers stay machine-readable.
 */
export function createLogger(options: { level?: string; name?: string; destination?: "stdout" | "stderr" } = {}): Logger {
  const level = options.level ?? process.env.RINGTRAIN_LOG_LEVEL ?? "info";
  const fd = options.destination === "stderr" ? 2 : 1;
  const tty = fd === 1 ? process.stdout.isTTY : process.stderr.isTTY;
  if (tty) {
    return pino({
      level,
      name: options.name,
      transport: { target: "pino-pretty", options: { destination: fd, colorize: true, ignore: "pid,hostname", translateTime: "HH:MM:ss" } },
    });
  }
  return pino({ level, name: options.name, base: undefined }, destination({ fd, sync: true }));
}

export type { Logger };
