/**
 * Parent side of the allreduce harness: forks N rank programs
 * (dist/bench/ring-rank.js), exchanges the member table, and sends them verify
 * and bench requests. Used by the collective tests and by `bench:allreduce`.
 * Every wait is bounded; close() leaves no process and no ipc file behind.
 */
import { fork, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { RingMember } from "../distributed/collective/ring-options.js";
import { ERROR_CODES, RingtrainError, isRingtrainError, type ErrorCode } from "../core/errors.js";
import { withTimeout } from "../core/timeout.js";
import type { FromRank, RankConfig, ToRank, VerifyRequest, VerifyResult } from "./ring-protocol.js";

export type Transport = "tcp" | "ipc";

export interface RingHarnessOptions {
  worldSize: number;
  transport: Transport;
  /** The ranks' allreduce timeout, ms. */
  timeoutMs: number;
  smallBufferBytes?: number;
  subChunkBytes?: number;
  /** Bound on start-up (fork, bind, connect), ms; default 20 s. */
  startTimeoutMs?: number;
  /**
   * Where rank `r` binds its ring socket (default: 127.0.0.1 or an ipc file),
   * e.g. `tcp://10.77.0.2:*` on a test host.
   */
  bindEndpoint?: (rank: number) => string;
  /**
   * A command prefix that starts rank `r`'s node, e.g. `["ip", "netns", "exec",
   * "rt-h2"]` to run it on a test host; it must exec node in the same process
   * (the IPC channel is an inherited descriptor).
   */
  spawnVia?: (rank: number) => string[];
}

/** The compiled rank program; from the TypeScript sources (tests), the one under dist/. */
export function rankScriptPath(): string {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith(".ts") ? resolve(dirname(here), "../../dist/bench/ring-rank.js") : join(dirname(here), "ring-rank.js");
}

type Waiter = { resolve: (m: FromRank) => void; reject: (e: Error) => void };

export class RingHarness {
  readonly members: RingMember[] = [];
  private readonly children: ChildProcess[] = [];
  private readonly waiters = new Map<string, Waiter>();
  private readonly exited: (string | undefined)[] = [];
  private nextId = 1;
  private ipcDir: string | undefined;

  private constructor(readonly opts: RingHarnessOptions) {}

  /** Forks the ranks, waits for their addresses, sends the member table and waits until all connected. */
  static async start(opts: RingHarnessOptions): Promise<RingHarness> {
    const h = new RingHarness(opts);
    try {
      await h.launch();
    } catch (e) {
      await h.close();
      throw e;
    }
    return h;
  }

  private async launch(): Promise<void> {
    const script = rankScriptPath();
    if (!existsSync(script)) {
      throw new RingtrainError("USAGE", `rank program ${script} is missing: build first (npx tsc -p tsconfig.build.json)`);
    }
    const { worldSize, transport } = this.opts;
    if (transport === "ipc") this.ipcDir = mkdtempSync(join(tmpdir(), "ringtrain-ring-"));
    const bound: Promise<FromRank>[] = [];
    for (let rank = 0; rank < worldSize; rank++) {
      const cfg: RankConfig = {
        rank,
        worldSize,
        bindEndpoint: this.opts.bindEndpoint?.(rank) ?? (transport === "tcp" ? "tcp://127.0.0.1:*" : `ipc://${join(this.ipcDir as string, `r${rank}.sock`)}`),
        timeoutMs: this.opts.timeoutMs,
        ...(this.opts.smallBufferBytes !== undefined ? { smallBufferBytes: this.opts.smallBufferBytes } : {}),
        ...(this.opts.subChunkBytes !== undefined ? { subChunkBytes: this.opts.subChunkBytes } : {}),
      };
      bound.push(this.expect(rank, "bound"));
      const via = this.opts.spawnVia?.(rank) ?? [];
      const child = fork(script, [JSON.stringify(cfg)], {
        stdio: ["ignore", "inherit", "inherit", "ipc"],
        ...(via.length === 0 ? {} : { execPath: via[0] as string, execArgv: [...via.slice(1), process.execPath, ...process.execArgv] }),
      });
      this.children.push(child);
      this.exited.push(undefined);
      child.on("message", (m: FromRank) => this.dispatch(rank, m));
      child.on("exit", (code, signal) => {
        const why = `rank ${rank} (pid ${child.pid}) exited with ${signal ?? `code ${code}`}`;
        this.exited[rank] = why;
        for (const [key, w] of this.waiters) {
          if (key.startsWith(`${rank}:`)) {
            this.waiters.delete(key);
            w.reject(new RingtrainError("WORKER_FAILED", why));
          }
        }
      });
    }
    const startMs = this.opts.startTimeoutMs ?? 20_000;
    const got = await withTimeout(Promise.all(bound), startMs, () => `ring harness: not every rank reported its address`);
    for (const m of got) {
      if (m.type !== "bound") throw new RingtrainError("INTERNAL", `ring harness: expected bound, got ${m.type}`);
      this.members.push({ rank: m.rank, host: m.host, pid: m.pid, dataAddress: m.address });
    }
    const connected = this.children.map((_, rank) => this.expect(rank, "connected"));
    this.broadcast({ type: "members", members: this.members });
    await withTimeout(Promise.all(connected), startMs, () => `ring harness: not every rank connected`);
  }

  private key(rank: number, type: string, id?: number): string {
    return `${rank}:${type}:${id ?? ""}`;
  }

  private expect(rank: number, type: string, id?: number): Promise<FromRank> {
    return new Promise<FromRank>((resolve, reject) => {
      const why = this.exited[rank];
      if (why) {
        reject(new RingtrainError("WORKER_FAILED", why));
        return;
      }
      this.waiters.set(this.key(rank, type, id), { resolve, reject });
    });
  }

  private dispatch(rank: number, m: FromRank): void {
    const id = "id" in m ? m.id : undefined;
    const keys = m.type === "failed" ? [this.key(rank, "verified", id), this.key(rank, "benched", id)] : [this.key(rank, m.type, id)];
    for (const k of keys) {
      const w = this.waiters.get(k);
      if (!w) continue;
      this.waiters.delete(k);
      if (m.type === "failed") w.reject(new RingtrainError(asCode(m.code), m.message));
      else w.resolve(m);
    }
  }

  private broadcast(msg: ToRank, ranks: readonly number[] = this.children.map((_, r) => r)): void {
    for (const r of ranks) this.children[r]?.send(msg);
  }

  /**
   * Sends `request` to `ranks` (default all) and resolves with each one's results,
   * indexed like `ranks`. Rejects with the first rank's RingtrainError; `waitMs`
   * bounds the whole exchange.
   */
  async verify(request: VerifyRequest, waitMs: number, ranks?: readonly number[]): Promise<VerifyResult[][]> {
    const settled = await this.verifySettled(request, waitMs, ranks);
    return settled.map((s) => {
      if (s.status === "rejected") throw s.reason;
      return s.value;
    });
  }

  /** Like verify(), but reports each rank's outcome (for failure tests). */
  async verifySettled(
    request: VerifyRequest,
    waitMs: number,
    ranks: readonly number[] = this.children.map((_, r) => r),
  ): Promise<PromiseSettledResult<VerifyResult[]>[]> {
    const id = this.nextId++;
    const pending = ranks.map((r) =>
      this.expect(r, "verified", id).then((m) => (m.type === "verified" ? m.results : [])),
    );
    this.broadcast({ type: "verify", id, request }, ranks);
    return withTimeout(Promise.allSettled(pending), waitMs, () => `ring harness: verify request ${id} did not finish`);
  }

  /** Runs a timed loop on every rank; returns the per-iteration times (ms), one array per rank. */
  async bench(bytes: number, warmup: number, reps: number, waitMs: number): Promise<number[][]> {
    const id = this.nextId++;
    const pending = this.children.map((_, r) => this.expect(r, "benched", id).then((m) => (m.type === "benched" ? m.times : [])));
    this.broadcast({ type: "bench", id, bytes, warmup, reps });
    return withTimeout(Promise.all(pending), waitMs, () => `ring harness: bench of ${bytes} bytes did not finish`);
  }

  /** SIGKILLs one rank (failure tests). */
  kill(rank: number): void {
    this.children[rank]?.kill("SIGKILL");
  }

  /** Asks every rank to exit, SIGKILLs those still running after 3 s, removes the ipc directory. */
  async close(): Promise<void> {
    const alive = this.children.filter((c) => c.exitCode === null && c.signalCode === null);
    const gone = alive.map((c) => new Promise<void>((res) => c.once("exit", () => res())));
    for (const c of alive) {
      try {
        if (c.connected) c.send({ type: "exit" } satisfies ToRank);
      } catch {
        // Channel already closed: the kill below handles it.
      }
    }
    try {
      await withTimeout(Promise.all(gone), 3000, () => "ring harness: ranks did not exit");
    } catch (e) {
      if (!isRingtrainError(e, "TIMEOUT")) throw e;
      for (const c of alive) c.kill("SIGKILL");
      await Promise.all(gone);
    }
    if (this.ipcDir) rmSync(this.ipcDir, { recursive: true, force: true });
  }

  /** The ipc directory, if any (tests check it is removed). */
  get ipcDirectory(): string | undefined {
    return this.ipcDir;
  }
}

function asCode(code: string): ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : "INTERNAL";
}
