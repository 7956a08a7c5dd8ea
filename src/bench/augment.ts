/**
 * Augmentation throughput on real MNIST, one core:
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/augment.js [--images 20000] [--runs 7] [--batch 256]
 *
 * Per kind, a sample source in `online` mode gathers batches of random
 * training indices (as a worker does) until `--images` images are made; a run's
 * rate is images / wall time, and the table shows the median over `--runs`
 * runs, the kinds interleaved run by run so machine noise hits them alike.
 * The `cpu µs/image` column is the median of this process's CPU time (user +
 * system) per image: on a shared machine the wall rate falls with the load,
 * the CPU time much less, so it is the steadier per-core figure.
 * `none` is plain gatherBatch (no augment). Target: 50k images/s/core for
 * every kind, elastic included (issue 4). The last rows time the elastic
 * displacement fields alone (two per image, written out: training does not
 * write them, see elastic-warp.ts), exact smoothing against the spectral
 * method that elastic kinds use by default (see src/data/augment/elastic.ts).
 */
import { loadavg } from "node:os";
import { parseAugmentConfig, type AugmentConfig, type AugmentKindInput } from "../data/augment/config.js";
import { ElasticField, type ElasticMethod } from "../data/augment/elastic.js";
import { createSampleSource, type SampleSource } from "../data/augment/sample-source.js";
import { loadDataset } from "../data/datasets.js";
import { createRng } from "../core/random.js";
import { integerArg, median, parseBenchArgs } from "./bench-args.js";

const TARGET = 50_000;

interface Args {
  images: number;
  runs: number;
  batch: number;
}

function parseArguments(argv: string[]): Args {
  const { values } = parseBenchArgs({
    usage: "node dist/bench/augment.js [options]",
    summary: "Augmentation throughput on real MNIST, one core: images/s and CPU µs/image per transform kind, median over the runs.",
    args: argv,
    options: {
      images: { type: "string", default: "20000", value: "N", description: "images per run" },
      runs: { type: "string", default: "7", value: "N", description: "runs per kind (the table shows their median)" },
      batch: { type: "string", default: "256", value: "N", description: "batch size of each gather" },
    },
  });
  return { images: integerArg("images", values.images, 1), runs: integerArg("runs", values.runs, 1), batch: integerArg("batch", values.batch, 1) };
}

interface Case {
  label: string;
  /** one run */
  run(): Sample;
}

interface Sample {
  /** images per second of wall time */
  rate: number;
  /** CPU microseconds (user + system) per image */
  cpuUs: number;
}

/** Times `images` images made by `body`. */
function measure(images: number, body: () => void): Sample {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  body();
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  return { rate: images / wall, cpuUs: (cpu.user + cpu.system) / images };
}

function gatherCase(label: string, source: SampleSource, args: Args): Case {
  const rng = createRng(1234);
  const indices = new Uint32Array(args.batch);
  const pixels = new Float32Array(args.batch * source.sampleSize);
  const labels = new Int32Array(args.batch);
  let epoch = 0;
  return {
    label,
    run() {
      const batches = Math.ceil(args.images / args.batch);
      epoch++;
      return measure(batches * args.batch, () => {
        for (let b = 0; b < batches; b++) {
          for (let i = 0; i < indices.length; i++) indices[i] = rng.nextInt(source.count);
          source.gather(indices, epoch, pixels, labels);
        }
      });
    },
  };
}

/** The displacement fields alone (two per image), exact smoothing vs spectral synthesis. */
function fieldCase(sigma: number, method: ElasticMethod, args: Args): Case {
  const field = new ElasticField(28, 28, sigma, method);
  const dx = new Float64Array(784);
  const dy = new Float64Array(784);
  const rng = createRng(99);
  return {
    label: `fields only, sigma ${sigma}, ${method}${method === "spectral" ? ` (rank ${field.rankY})` : ""}`,
    run() {
      return measure(args.images, () => {
        for (let i = 0; i < args.images; i++) field.draw(rng, 34, dx, dy);
      });
    },
  };
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  const ds = await loadDataset("mnist", "train");
  const online = (kind: AugmentKindInput): AugmentConfig => parseAugmentConfig({ mode: "online", kinds: [kind] });
  const elastic = { alpha: 34, sigma: 4 };
  const cases: Case[] = [
    gatherCase("none (gatherBatch)", createSampleSource(ds, undefined, 1), args),
    gatherCase("translate 0.1", createSampleSource(ds, online({ translate: 0.1 }), 1), args),
    gatherCase("translate+zoom", createSampleSource(ds, online({ translate: 0.1, zoom: 0.15 }), 1), args),
    gatherCase("translate+zoom+rotation", createSampleSource(ds, online({ translate: 0.1, zoom: 0.15, rotation: 36 }), 1), args),
    gatherCase("shear 20", createSampleSource(ds, online({ shear: 20 }), 1), args),
    gatherCase(
      "reference study: copies 9 (10x)",
      createSampleSource(
        ds,
        parseAugmentConfig({
          mode: "copies",
          copies: 9,
          kinds: [{ translate: 0.1 }, { translate: 0.1, zoom: 0.15 }, { translate: 0.1, zoom: 0.15, rotation: 36 }],
        }),
        1,
      ),
      args,
    ),
    gatherCase("elastic a34 s4", createSampleSource(ds, online({ elastic }), 1), args),
    // sigma 3: 16 mode slots per axis, the generic fused kernel (elastic-warp.ts) rather than the 4 + 4 one
    gatherCase("elastic a34 s3", createSampleSource(ds, online({ elastic: { alpha: 34, sigma: 3 } }), 1), args),
    gatherCase("elastic + translate+rotation", createSampleSource(ds, online({ elastic, translate: 0.1, rotation: 15 }), 1), args),
    fieldCase(4, "exact", args),
    fieldCase(4, "spectral", args),
  ];
  const samples = cases.map(() => [] as Sample[]);
  for (const c of cases) c.run(); // warm-up: JIT and caches
  for (let r = 0; r < args.runs; r++) cases.forEach((c, i) => samples[i]?.push(c.run()));

  const load = loadavg()[0] ?? 0;
  console.log(`augmentation throughput, MNIST train 28x28, one core, batch ${args.batch}, ${args.images} images/run, median of ${args.runs} runs (load average ${load.toFixed(2)})`);
  console.log(
    `${"kind".padEnd(42)} ${"images/s".padStart(12)} ${"µs/image".padStart(9)} ${"min..max k/s".padStart(15)} ${"vs 50k/s".padStart(9)} ${"cpu µs/image".padStart(13)}`,
  );
  cases.forEach((c, i) => {
    const xs = (samples[i] ?? []).map((x) => x.rate);
    const m = median(xs);
    const cpu = median((samples[i] ?? []).map((x) => x.cpuUs));
    const range = `${(Math.min(...xs) / 1000).toFixed(0)}..${(Math.max(...xs) / 1000).toFixed(0)}`;
    console.log(
      `${c.label.padEnd(42)} ${m.toFixed(0).padStart(12)} ${(1e6 / m).toFixed(2).padStart(9)} ${range.padStart(15)} ${`${(m / TARGET).toFixed(2)}x`.padStart(9)} ${cpu.toFixed(2).padStart(13)}`,
    );
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
