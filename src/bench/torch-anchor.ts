/**
 * The PyTorch reference figures (`../shared/anchors/torch_ddp.py`, run with
 * Debian's python3-torch) that benchmarks print beside their own, in the same
 * run because the machine is noisy.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The anchor script in the planning repository, checked out beside this one. */
export const TORCH_ANCHOR = fileURLToPath(new URL("../../../shared/anchors/torch_ddp.py", import.meta.url));
const PYTHON = "/usr/bin/python3";

/** Why the anchor cannot run here, or undefined when it can. */
export function torchUnavailable(): string | undefined {
  if (!existsSync(TORCH_ANCHOR)) return `no anchor at ${TORCH_ANCHOR}`;
  try {
    execFileSync(PYTHON, ["-c", "import torch"], { stdio: "ignore" });
    return undefined;
  } catch {
    return `\`${PYTHON} -c 'import torch'\` fails (apt-get install -y python3-torch libopenblas0-pthread)`;
  }
}

/**
 * Runs `torch_ddp.py ...args` and returns its JSON lines, or the reason it
 * failed (its last line of stderr). Bounded by `timeoutMs`.
 */
export function runTorchAnchor<T>(args: string[], timeoutMs = 600_000): T[] | string {
  return jsonLinesOf(PYTHON, [TORCH_ANCHOR, ...args], timeoutMs);
}

/** Runs a command that prints JSON lines; returns them parsed, or the last line of its stderr on failure. */
export function jsonLinesOf<T>(command: string, args: string[], timeoutMs: number): T[] | string {
  const r = spawnSync(command, args, { encoding: "utf8", timeout: timeoutMs });
  if (r.status !== 0) return (r.stderr || (r.error?.message ?? `exit ${r.status}`)).trim().split("\n").pop() ?? "failed";
  return r.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as T);
}
