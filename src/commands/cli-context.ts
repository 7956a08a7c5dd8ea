/**
 * State shared between the CLI entry point and its commands: whether the user
 * asked for verbose output (stack traces, worker output).
 */
export const cliContext = { verbose: false };
