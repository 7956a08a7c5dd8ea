/**
 * `bench:allreduce-hosts` (as root): ring allreduce across test hosts whose
 * links are shaped to a fixed rate, beside the bandwidth-optimal bound.
 *
 *   node dist/bench/allreduce-hosts.js [--hosts 3] [--rate 1gbit[,100mbit]] [--sizes 1M,4M,16M,64M] [--reps 5] [--burst 256kb]
 *
 * 1. Brings up N test hosts (../shared/recipes/test-hosts.sh up N: network
 *    namespaces rt-h1..N at 10.77.0.1..N, veths rtv1..N on a bridge).
 * 2. Shapes both directions of every host's link with tbf: `tc qdisc replace
 *    dev rtvN root tbf ...` in the root namespace (tbf shapes egress, so this is
 *    what enters host N) and the same on eth0 inside rt-hN (what leaves it): a
 *    full-duplex link of the given rate, like a NIC.
 * 3. Runs one ring-allreduce rank per host (dist/bench/ring-rank.js started
 *    through `ip netns exec`, driven by the local harness over its IPC channel),
 *    rank r on host r+1, so every ring hop crosses two shaped interfaces.
 * 4. Per size S: time = the slowest rank's median per call; busbw =
 *    S/time · 2(N-1)/N; bound = 2(N-1)/N · S / B, the time any allreduce needs
 *    when each rank must send and receive 2(N-1)/N · S bytes over a link of rate
 *    B; ours/bound = time / bound (1.00 is optimal; tbf counts Ethernet and
 *    TCP/IP headers against B, so ~1.05 is the practical floor at MTU 1500).
 * 5. Tears the hosts down at the end, on error and on Ctrl-C.
 */
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { fmtSize, median, parseBenchArgs, parseSizes } from "./bench-args.js";
import { RingHarness } from "./ring-harness.js";

/** The planning repository's recipe, checked out beside this one (`../shared`). */
const TEST_HOSTS = fileURLToPath(new URL("../../../shared/recipes/test-hosts.sh", import.meta.url));
const DEFAULT_SIZES = ["1M", "2M", "4M", "8M", "16M", "32M", "64M"];

interface Args {
  hosts: number;
  rates: string[];
  sizes: number[];
  reps: number;
  burst: string;
}

/** A tc rate (`1gbit`, `100mbit`, `500kbit`: SI units, bits per second) in bytes per second. */
function rateBytesPerSecond(rate: string): number {
  const m = /^(\d+(?:\.\d+)?)(bit|kbit|mbit|gbit)$/i.exec(rate.trim());
  if (!m) throw new Error(`bad rate "${rate}": expected e.g. 1gbit, 100mbit, 500kbit`);
  const mult = { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9 }[(m[2] as string).toLowerCase() as "bit"];
  return (Number(m[1]) * mult) / 8;
}

function parseArguments(argv: string[]): Args {
  const { values } = parseBenchArgs({
    usage: "node dist/bench/allreduce-hosts.js [options]   (as root)",
    summary: "Ring allreduce across 2-8 network-namespace test hosts whose links are shaped with tc tbf, beside the bandwidth-optimal bound.",
    args: argv,
    options: {
      hosts: { type: "string", default: "3", value: "N", description: "test hosts, one rank each (2..8)" },
      rate: { type: "string", default: "1gbit", value: "RATE[,RATE]", description: "link rates to shape to, tc units (1gbit, 100mbit, 500kbit)" },
      sizes: { type: "string", default: DEFAULT_SIZES.join(","), value: "SIZES", description: "allreduce sizes in bytes (4K, 16M, ...)" },
      reps: { type: "string", default: "5", value: "N", description: "timed calls per size" },
      burst: { type: "string", default: "256kb", value: "BYTES", description: "tbf burst" },
    },
  });
  const a: Args = { hosts: Number(values.hosts), rates: values.rate.split(","), sizes: parseSizes(values.sizes), reps: Number(values.reps), burst: values.burst };
  if (!Number.isInteger(a.hosts) || a.hosts < 2 || a.hosts > 8) throw new Error("--hosts takes an integer 2..8");
  if (!Number.isInteger(a.reps) || a.reps < 1) throw new Error("--reps takes a positive integer");
  for (const r of a.rates) rateBytesPerSecond(r);
  return a;
}

function sh(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"], timeout: 30_000 });
}

function hostsUp(n: number): void {
  // veths of namespaces deleted moments ago may outlive them briefly
  sh("bash", [TEST_HOSTS, "down"]);
  for (let i = 1; i <= 8; i++) sh("bash", ["-c", `ip link del rtv${i} 2>/dev/null || true`]);
  sh("bash", [TEST_HOSTS, "up", String(n)]);
}

function hostsDown(): void {
  try {
    sh("bash", [TEST_HOSTS, "down"]);
  } catch (e) {
    console.error(`# teardown: ${TEST_HOSTS} down failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** tbf on both ends of host i's link: rtv<i> (into the host) and its eth0 (out of it). */
function shape(n: number, rate: string, burst: string): void {
  const tbf = ["root", "tbf", "rate", rate, "burst", burst, "latency", "50ms"];
  for (let i = 1; i <= n; i++) {
    sh("tc", ["qdisc", "replace", "dev", `rtv${i}`, ...tbf]);
    sh("ip", ["netns", "exec", `rt-h${i}`, "tc", "qdisc", "replace", "dev", "eth0", ...tbf]);
  }
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  if (process.getuid?.() !== 0) throw new Error("needs root (network namespaces and tc): run as root");
  const n = args.hosts;
  const onSignal = (signal: NodeJS.Signals): void => {
    console.error(`# ${signal}: tearing the test hosts down`);
    hostsDown();
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  console.log(`# ring allreduce across ${n} test hosts (network namespaces), one rank per host; ${cpus().length} CPU(s) (${cpus()[0]?.model ?? "?"}), node ${process.version}`);
  console.log(`# command: node ${process.argv.slice(1).join(" ")}`);
  console.log(`# links: tc qdisc replace dev rtv<i> root tbf rate <rate> burst ${args.burst} latency 50ms, and the same on eth0 inside each host`);
  console.log(`# time = slowest rank's median of ${args.reps}; busbw = S/time*2(N-1)/N; bound = 2(N-1)/N*S/B; ours/bound = time/bound`);
  hostsUp(n);
  try {
    for (const rate of args.rates) {
      shape(n, rate, args.burst);
      const B = rateBytesPerSecond(rate);
      console.log(`\n## ${n} hosts, links shaped to ${rate} (B = ${(B / 1e6).toFixed(1)} MB/s each way)`);
      console.log(["size", "time_ms", "busbw_MB/s", "bound_ms", "ours/bound"].map((h) => h.padStart(12)).join(""));
      // a rank's bound on one allreduce phase: the largest transfer at this rate, with room
      const timeoutMs = Math.max(30_000, Math.ceil((4 * Math.max(...args.sizes)) / B) * 1000);
      const h = await RingHarness.start({
        worldSize: n,
        transport: "tcp",
        timeoutMs,
        bindEndpoint: (rank) => `tcp://10.77.0.${rank + 1}:*`,
        spawnVia: (rank) => ["ip", "netns", "exec", `rt-h${rank + 1}`],
      });
      try {
        for (const bytes of args.sizes) {
          const bound = (((2 * (n - 1)) / n) * bytes) / B;
          const times = await h.bench(bytes, 1, args.reps, Math.ceil(((args.reps + 1) * 10 * bound + 60) * 1000));
          const ms = Math.max(...times.map(median));
          const busbw = ((bytes / (ms / 1e3)) * 2 * (n - 1)) / n;
          console.log([fmtSize(bytes), ms.toFixed(1), (busbw / 1e6).toFixed(1), (bound * 1e3).toFixed(1), (ms / 1e3 / bound).toFixed(2)].map((c) => c.padStart(12)).join(""));
        }
      } finally {
        await h.close();
      }
    }
  } finally {
    hostsDown();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

main().catch((e: unknown) => {
  console.error(`bench:allreduce-hosts: ${e instanceof Error ? e.message : String(e)}`);
  hostsDown();
  process.exit(1);
});
