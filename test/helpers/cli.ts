import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

/** The compiled CLI, exactly as users run it (`npm test` builds before vitest). */
export const CLI = join(process.cwd(), "dist", "cli.js");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Starts `ringtrain ...args`; the caller may watch its output and pid. */
export function startCli(args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr, ms: performance.now() - started }));
  });
  return { child, done };
}

/** Runs `ringtrain ...args` to completion, killing it after `timeoutMs`. */
export async function runCli(args: string[], timeoutMs = 110_000): Promise<CliResult> {
  const { child, done } = startCli(args);
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}

/** The `summary` log line of a non-TTY run. */
export function summaryOf(stdout: string): { summary: Record<string, unknown>; runDir: string } {
  const line = stdout.split("\n").find((l) => l.includes('"msg":"summary"'));
  if (line === undefined) throw new Error(`no summary line in output:\n${stdout.slice(-2000)}`);
  return JSON.parse(line) as { summary: Record<string, unknown>; runDir: string };
}

/** The final weights a run wrote. */
export async function readWeights(runDir: string): Promise<Float32Array> {
  const bytes = await readFile(join(runDir, "weights.bin"));
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** ‖a − b‖ / ‖a‖ */
export function relativeDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i]! - b[i]!) ** 2;
    norm += a[i]! ** 2;
  }
  return Math.sqrt(diff / norm);
}
