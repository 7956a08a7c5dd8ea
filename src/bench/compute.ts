/**
 * `npm run bench:compute`: training-step time of the MLP and the CNN at batch
 * 128 on every backend that loads here, beside PyTorch's (one thread, same
 * networks, `../shared/anchors/torch_ddp.py step`) in the same run; then, with
 * `--e2e`, end-to-end throughput of real `ringtrain train` runs on 1 and 2
 * workers at 128 samples per worker, beside PyTorch DDP (gloo) at the same shape.
 *
 *   node dist/bench/compute.js [--models mlp,cnn] [--backends tensorflow,webgpu,wasm,cpu] [--e2e] [--no-torch] [--quick]
 *
 * Each (backend, model) runs in its own process (`compute-step.js`): tfjs has
 * one engine per process. Figures are medians of back-to-back steps; ratios
 * are ours / PyTorch's (lower is better for step times, higher for throughput).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseEpochRecords } from "../runs/read-run.js";
import { RUN_FILES } from "../runs/run-files.js";
import { parseBenchArgs } from "./bench-args.js";
import { BENCH_MODEL_CONFIGS, type BenchModel } from "./bench-models.js";
import { jsonLinesOf, runTorchAnchor, torchUnavailable } from "./torch-anchor.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../..");

interface Args {
  models: BenchModel[];
  backends: string[];
  e2e: boolean;
  torch: boolean;
  quick: boolean;
}

function parseCliArgs(argv: string[]): Args {
  const { values } = parseBenchArgs({
    usage: "node dist/bench/compute.js [options]",
    summary:
      "Training-step time of the MLP and the CNN at batch 128 on every backend that loads here, beside PyTorch's; " +
      "with --e2e, throughput of real `ringtrain train` runs on 1 and 2 workers beside PyTorch DDP (gloo).",
    args: argv,
    options: {
      models: { type: "string", default: "mlp,cnn", value: "mlp,cnn", description: "models to time" },
      backends: { type: "string", default: "tensorflow,webgpu,wasm,cpu", value: "NAMES", description: "backends to time, each in its own process" },
      e2e: { type: "boolean", default: false, description: "also time end-to-end training runs on 1 and 2 workers" },
      "no-torch": { type: "boolean", default: false, description: "skip the PyTorch anchor" },
      quick: { type: "boolean", default: false, description: "fewer steps per measurement" },
    },
  });
  const models = values.models.split(",");
  for (const m of models) if (!(m in BENCH_MODEL_CONFIGS)) throw new Error(`unknown model ${m}: expected mlp or cnn`);
  return { models: models as BenchModel[], backends: values.backends.split(","), e2e: values.e2e, torch: !values["no-torch"], quick: values.quick };
}

/** Steps per measurement: the cpu backend is ~100x slower than wasm on the CNN. */
function stepsFor(backend: string, model: BenchModel, quick: boolean): number {
  // the cpu backend takes about a minute per CNN step: one timed step after one warm-up
  const base = backend === "cpu" ? (model === "cnn" ? 1 : 20) : model === "cnn" ? 20 : 200;
  return quick ? Math.max(1, Math.ceil(base / 4)) : base;
}

interface StepRow {
  backend: string;
  device: string;
  model: BenchModel;
  median_ms: number;
}

function ourStep(backend: string, model: BenchModel, quick: boolean): StepRow | string {
  const warmup = backend === "cpu" && model === "cnn" ? 1 : 3;
  const args = [join(HERE, "compute-step.js"), "--backend", backend, "--model", model, "--steps", String(stepsFor(backend, model, quick)), "--warmup", String(warmup)];
  return lastOf(jsonLinesOf<StepRow>(process.execPath, args, 600_000));
}

interface TorchStep {
  step_ms: number;
  samples_per_s: number;
}

function torchStep(model: BenchModel, world: number, batch: number, quick: boolean): TorchStep | string {
  const steps = model === "cnn" ? (quick ? 10 : 40) : quick ? 100 : 400;
  return lastOf(runTorchAnchor<TorchStep>(["step", "--model", model, "--batch", String(batch), "--world", String(world), "--steps", String(steps)]));
}

function lastOf<T>(lines: T[] | string): T | string {
  return typeof lines === "string" ? lines : (lines[lines.length - 1] ?? "printed no result");
}

interface EndToEnd {
  samplesPerSecond: number;
  stepMs: number;
  computeMs: number;
  allreduceMs: number;
}

/** A real `ringtrain train` run; the last epoch's throughput (the first one warms up). */
function ourRun(model: BenchModel, workers: number, quick: boolean): EndToEnd | string {
  const perWorker = 128;
  const steps = model === "cnn" ? (quick ? 10 : 40) : quick ? 60 : 200;
  const runsDir = mkdtempSync(join(tmpdir(), "rt-bench-compute-"));
  try {
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, "dist/cli.js"), "train", join(ROOT, BENCH_MODEL_CONFIGS[model]),
        "--workers", String(workers), "--batch-size", String(perWorker * workers), "--epochs", "2",
        "--train-limit", String(perWorker * workers * steps), "--test-limit", "500", "--runs-dir", runsDir, "--optimizer", "sgd", "--lr", "0.01",
      ],
      { encoding: "utf8", timeout: 1_800_000 },
    );
    if (r.status !== 0) return (r.stderr || `exit ${r.status}`).trim().split("\n").pop() ?? "failed";
    const [runId] = readdirSync(runsDir);
    const metrics = join(runsDir, runId!, RUN_FILES.metrics);
    const epochs: EndToEnd[] = parseEpochRecords(readFileSync(metrics, "utf8"), metrics);
    return epochs[epochs.length - 1]!;
  } finally {
    rmSync(runsDir, { recursive: true, force: true });
  }
}

const f = (x: number, d = 2): string => x.toFixed(d);

function main(): void {
  const args = parseCliArgs(process.argv.slice(2));
  const noTorch = args.torch ? torchUnavailable() : "--no-torch";
  console.log(`# bench:compute — training step at batch 128, one thread per process (${new Date().toISOString()})`);
  if (noTorch !== undefined) console.log(`(PyTorch anchor skipped: ${noTorch})`);
  const torch = new Map<BenchModel, TorchStep | string>();
  if (noTorch === undefined) for (const m of args.models) torch.set(m, torchStep(m, 1, 128, args.quick));
  console.log("\n| model | backend | step (ms, median) | PyTorch step (ms) | ratio to PyTorch |");
  console.log("|---|---|---:|---:|---:|");
  for (const m of args.models) {
    const anchor = torch.get(m);
    const anchorMs = typeof anchor === "object" ? anchor.step_ms : undefined;
    for (const b of args.backends) {
      const row = ourStep(b, m, args.quick);
      if (typeof row === "string") {
        console.log(`| ${m} | ${b} | unavailable: ${row} | | |`);
        continue;
      }
      if (row.backend !== b) {
        console.log(`| ${m} | ${b} | unavailable (fell back to ${row.backend}) | | |`);
        continue;
      }
      const ratio = anchorMs === undefined ? "n/a" : `${f(row.median_ms / anchorMs)}×`;
      console.log(`| ${m} | ${row.backend} | ${f(row.median_ms)} | ${anchorMs === undefined ? (typeof anchor === "string" ? anchor : "n/a") : f(anchorMs)} | ${ratio} |`);
    }
  }
  if (!args.e2e) return;
  console.log("\n## end to end: `ringtrain train`, 128 samples per worker (global 128 on 1 worker, 256 on 2), last of 2 epochs");
  console.log("\n| model | workers | samples/s | step (ms) | compute (ms) | allreduce (ms) | 2-worker speed-up | PyTorch DDP samples/s | PyTorch speed-up |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const m of args.models) {
    const ours = [1, 2].map((w) => ourRun(m, w, args.quick));
    const theirs = noTorch === undefined ? [1, 2].map((w) => torchStep(m, w, 128, args.quick)) : [];
    const rate = (x: EndToEnd | TorchStep | string | undefined): number | undefined =>
      typeof x !== "object" ? undefined : "samplesPerSecond" in x ? x.samplesPerSecond : x.samples_per_s;
    [1, 2].forEach((w, i) => {
      const o = ours[i]!;
      const t = theirs[i];
      const speedUp = (xs: Array<number | undefined>): string => (i === 1 && xs[0] !== undefined && xs[1] !== undefined ? `${f(xs[1] / xs[0])}×` : "");
      if (typeof o === "string") {
        console.log(`| ${m} | ${w} | failed: ${o} | | | | | | |`);
        return;
      }
      console.log(
        `| ${m} | ${w} | ${Math.round(o.samplesPerSecond)} | ${f(o.stepMs)} | ${f(o.computeMs)} | ${f(o.allreduceMs)} | ${speedUp(ours.map(rate))} | ${rate(t) === undefined ? "n/a" : Math.round(rate(t)!)} | ${speedUp(theirs.map(rate))} |`,
      );
    });
  }
}

try {
  main();
} catch (e) {
  process.stderr.write(`bench:compute: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
}
