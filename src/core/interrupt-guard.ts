/**
 * Catches SIGINT and SIGTERM for the whole of one run, from its first line:
 * a signal that arrives while the run is still loading data is remembered and
 * handed to the run's handler as soon as it has one, instead of being lost
 * (or left to a caller's handler, which would wait for the run to end).
 */
export class InterruptGuard {
  private received: NodeJS.Signals | undefined;
  private handler: ((signal: NodeJS.Signals) => void) | undefined;
  private readonly listener = (signal: NodeJS.Signals): void => {
    this.received ??= signal;
    this.handler?.(signal);
  };

  constructor() {
    process.on("SIGINT", this.listener);
    process.on("SIGTERM", this.listener);
  }

  /** The first signal received so far, if any. */
  get signal(): NodeJS.Signals | undefined {
    return this.received;
  }

  /** Sets the run's handler; a signal received before is delivered at once. */
  onSignal(handler: (signal: NodeJS.Signals) => void): void {
    this.handler = handler;
    if (this.received !== undefined) handler(this.received);
  }

  /** Stops listening: the process's other handlers (or the default) apply again. */
  dispose(): void {
    process.off("SIGINT", this.listener);
    process.off("SIGTERM", this.listener);
  }
}
