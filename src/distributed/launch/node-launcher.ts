/**
 * `ringtrain worker --local-workers K`: one process per GPU or core on this
 * node, each a plain `ringtrain worker` started with its launch spec
 * (launch-spec.ts: its local rank as a flag, its GPU in its environment). The
 * children inherit stdout/stderr; the parent forwards SIGINT/SIGTERM, and
 * once one child fails it gives the others a bounded time to notice (their
 * ring or the coordinator fails them) before killing them, so the node never
 * hangs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { formatDuration } from "../../core/timeout.js";
import type { LaunchSpec } from "./launch-spec.js";

export interface NodeLaunchOptions {
  /** `node` and the CLI script, e.g. [process.execPath, process.argv[1]] */
  command: readonly string[];
  /** one launch spec per child, in local-rank order */
  children: readonly LaunchSpec[];
  /** after the first failure, the others may take this long to exit */
  graceMs: number;
  log: (line: string) => void;
}

/** Starts the children and resolves with the node's exit code: 0 when all succeeded, else the first failure's code. */
export async function runLocalWorkers(options: NodeLaunchOptions): Promise<number> {
  const [exe, ...pre] = options.command;
  const children: { child: ChildProcess; exited: Promise<number> }[] = options.children.map((spec, localRank) => {
    const child = spawn(exe as string, [...pre, ...spec.args], {
      // the IPC channel only tells a child when this process dies (it then exits, see commands/worker.ts)
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: spec.env,
    });
    const exited = new Promise<number>((resolve) => {
      child.on("error", (e) => {
        options.log(`ringtrain worker: cannot start local worker ${localRank}: ${e.message}`);
        resolve(1);
      });
      child.on("exit", (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
    });
    return { child, exited };
  });
  const forward = (signal: NodeJS.Signals): void => {
    for (const { child } of children) child.kill(signal);
  };
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  try {
    let firstFailure = 0;
    let killer: NodeJS.Timeout | undefined;
    await Promise.all(
      children.map(async ({ exited }, localRank) => {
        const code = await exited;
        if (code !== 0 && firstFailure === 0) {
          firstFailure = code;
          options.log(`ringtrain worker: local worker ${localRank} exited with code ${code}; the others get ${formatDuration(options.graceMs)} to finish`);
          killer = setTimeout(() => forward("SIGKILL"), options.graceMs);
        }
      }),
    );
    clearTimeout(killer);
    return firstFailure;
  } finally {
    process.off("SIGINT", forward);
    process.off("SIGTERM", forward);
  }
}
