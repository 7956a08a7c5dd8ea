/**
 * `npm run bench:allreduce`: ring allreduce latency and bandwidth over local
 * processes, beside PyTorch DDP (gloo) when it is installed.
 *
 *   node dist/bench/allreduce.js [--ranks 2,3,4] [--sizes 4K,64K,16M] [--transport tcp,ipc] [--quick] [--no-torch]
 *
 * Per (transport, ranks, size): each rank times its calls back to back (no
 * barrier between calls: the ring's data dependencies keep ranks in step);
 * time = the slowest rank's median, mean = the slowest rank's mean (what
 * nccl-tests and the gloo anchor report); algbw = S/time and
 * busbw = algbw·2(N-1)/N (nccl-tests).
 */
import { cpus } from "node:os";
import { addKernelName } from "../distributed/collective/f32-add.js";
import { fmtSize, median, parseBenchArgs, parseSizes } from "./bench-args.js";
import { RingHarness, type Transport } from "./ring-harness.js";
import { runTorchAnchor, torchUnavailable } from "./torch-anchor.js";

const DEFAULT_SIZES = ["4K", "64K", "436K", "1M", "4M", "16M", "64M"];

interface Args {
  ranks: number[];
  sizes: number[];
  transports: Transport[];
  quick: boolean;
  torch: boolean;
}

function parseArguments(argv: string[]): Args {
  const { values } = parseBenchArgs({
    usage: "node dist/bench/allreduce.js [options]",
    summary: "Ring allreduce latency and bandwidth over local processes, beside PyTorch DDP (gloo) when it is installed.",
    args: argv,
    options: {
      ranks: { type: "string", default: "2,3,4", value: "N,N", description: "world sizes to run (each at least 2)" },
      sizes: { type: "string", default: DEFAULT_SIZES.join(","), value: "SIZES", description: "allreduce sizes in bytes (4K, 16M, ...)" },
      transport: { type: "string", default: "tcp,ipc", value: "tcp,ipc", description: "data planes to run" },
      quick: { type: "boolean", default: false, description: "fewer repetitions per size" },
      "no-torch": { type: "boolean", default: false, description: "skip the PyTorch (gloo) anchor" },
    },
  });
  const ranks = values.ranks.split(",").map(Number);
  const transports = values.transport.split(",") as Transport[];
  if (ranks.some((n) => !Number.isInteger(n) || n < 2)) throw new Error("--ranks takes integers ≥ 2");
  if (transports.some((t) => t !== "tcp" && t !== "ipc")) throw new Error("--transport takes tcp and/or ipc");
  return { ranks, sizes: parseSizes(values.sizes), transports, quick: values.quick, torch: !values["no-torch"] };
}

/** Repetitions: enough for a stable median, bounded in time. */
function reps(bytes: number, quick: boolean): { warmup: number; reps: number } {
  const r = Math.max(quick ? 5 : 10, Math.min(quick ? 100 : 400, Math.floor((quick ? 32 : 256) * 2 ** 20 / bytes)));
  return { warmup: Math.max(2, Math.floor(r / 10)), reps: r };
}

interface TorchRow {
  bytes: number;
  ms: number;
}

function torchAnchor(world: number): TorchRow[] | string {
  const missing = torchUnavailable();
  if (missing !== undefined) return `skip torch anchor: ${missing}`;
  const rows = runTorchAnchor<TorchRow>(["allreduce", "--world", String(world)], 300_000);
  return typeof rows === "string" ? `skip torch anchor: ${rows}` : rows.map((j) => ({ bytes: j.bytes, ms: j.ms }));
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  console.log(`# ring allreduce benchmark: ${cpus().length} CPU(s) (${cpus()[0]?.model ?? "?"}), node ${process.version}, add kernel ${addKernelName}`);
  console.log(`# time = slowest rank's median per call; mean = slowest rank's mean; algbw = S/time; busbw = algbw*2(N-1)/N; gloo/ours = gloo mean / our mean`);
  for (const world of args.ranks) {
    const torch = args.torch ? torchAnchor(world) : "skip torch anchor: --no-torch";
    if (typeof torch === "string") console.log(`# ${torch}`);
    console.log(`\n## ${world} ranks`);
    console.log(["transport", "size", "time_ms", "mean_ms", "algbw_GB/s", "busbw_GB/s", "gloo_ms", "gloo/ours"].map((h) => h.padStart(11)).join(""));
    for (const transport of args.transports) {
      const h = await RingHarness.start({ worldSize: world, transport, timeoutMs: 30_000 });
      try {
        for (const bytes of args.sizes) {
          const { warmup, reps: n } = reps(bytes, args.quick);
          const times = await h.bench(bytes, warmup, n, 600_000);
          const ms = Math.max(...times.map(median));
          const meanMs = Math.max(...times.map((t) => t.reduce((a, b) => a + b, 0) / Math.max(t.length, 1)));
          const algbw = bytes / (ms / 1e3) / 1e9;
          const busbw = (algbw * 2 * (world - 1)) / world;
          const anchor = typeof torch === "string" ? undefined : torch.find((r) => r.bytes === bytes);
          const cells = [
            transport,
            fmtSize(bytes),
            ms.toFixed(3),
            meanMs.toFixed(3),
            algbw.toFixed(3),
            busbw.toFixed(3),
            anchor ? anchor.ms.toFixed(3) : "-",
            anchor ? (anchor.ms / meanMs).toFixed(2) : "-",
          ];
          console.log(cells.map((c) => c.padStart(11)).join(""));
        }
      } finally {
        await h.close();
      }
    }
  }
}

main().catch((e: unknown) => {
  console.error(`bench:allreduce: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
