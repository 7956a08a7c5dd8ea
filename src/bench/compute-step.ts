/**
 * One backend's training-step timing, in its own process (tfjs has one global
 * engine per process). Run by `npm run bench:compute`; by hand:
 *
 *   node dist/bench/compute-step.js --backend wasm --model cnn [--batch 128] [--steps 30]
 *
 * The step is the worker's own code path without the allreduce: the
 * forward/backward of `accumulateGradients`, the SGD update on the flat
 * parameters and the copy into the model. Input is random, like the PyTorch
 * anchor's. Prints one JSON line: median and mean step time in ms.
 */
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { BACKEND_NAMES, type BackendName } from "../compute/backend-names.js";
import { selectBackend } from "../compute/backend.js";
import { runConfigSchema } from "../config/schema.js";
import { buildModel } from "../model/models.js";
import { createOptimizer } from "../model/optimizers/registry.js";
import { createRng } from "../core/random.js";
import { fusedLayout, spanOf } from "../worker/fused-buffer.js";
import { accumulateGradients } from "../worker/gradient-step.js";
import { median, parseBenchArgs } from "./bench-args.js";
import { BENCH_MODEL_CONFIGS, type BenchModel } from "./bench-models.js";

interface Args {
  backendName: BackendName;
  modelName: BenchModel;
  batch: number;
  steps: number;
  warmup: number;
}

function parseArguments(): Args {
  const { values } = parseBenchArgs({
    usage: "node dist/bench/compute-step.js [options]",
    summary: "One backend's training-step time (the worker's gradient step and SGD update, no allreduce), in its own process; prints one JSON line. Run by compute.js.",
    options: {
      backend: { type: "string", default: "wasm", value: BACKEND_NAMES.join("|"), description: "compute backend" },
      model: { type: "string", default: "mlp", value: "mlp|cnn", description: "network" },
      batch: { type: "string", default: "128", value: "N", description: "batch size" },
      steps: { type: "string", default: "30", value: "N", description: "timed steps" },
      warmup: { type: "string", default: "3", value: "N", description: "untimed steps first" },
    },
  });
  const backendName = BACKEND_NAMES.find((b) => b === values.backend);
  if (backendName === undefined) throw new Error(`--backend takes one of ${BACKEND_NAMES.join(", ")}, got "${values.backend}"`);
  const modelName = values.model;
  if (modelName !== "mlp" && modelName !== "cnn") throw new Error(`--model takes mlp or cnn, got "${modelName}"`);
  return { backendName, modelName, batch: Number(values.batch), steps: Number(values.steps), warmup: Number(values.warmup) };
}

async function main(): Promise<void> {
  const { backendName, modelName, batch, steps, warmup } = parseArguments();
  tf.enableProdMode();
  const configPath = new URL(`../../${BENCH_MODEL_CONFIGS[modelName]}`, import.meta.url);
  const config = runConfigSchema.parse(JSON.parse(readFileSync(configPath, "utf8")));
  const backend = await selectBackend(backendName);
  const model = buildModel(config.model, { height: 28, width: 28, channels: 1 }, 10);
  const params = model.initialWeights(1);
  model.setWeights(params);
  const optimizer = createOptimizer({ name: "sgd", learningRate: 0.1, momentum: 0, nesterov: false }, model.trainableSize);
  const fused = fusedLayout(model);
  const buffer = new Float32Array(fused.length);
  const rng = createRng(7);
  const pixels = Float32Array.from({ length: batch * 784 }, () => rng.next());
  const labels = Int32Array.from({ length: batch }, () => rng.nextInt(10));
  const sampleIds = Uint32Array.from({ length: batch }, (_, i) => i);
  const times: number[] = [];
  for (let s = 0; s < warmup + steps; s++) {
    const t0 = performance.now();
    buffer.fill(0);
    await accumulateGradients(model, { pixels, labels, count: batch, inputSize: 784, dropout: { seed: 1, epoch: 0, sampleIds } }, 10, "crossEntropy", batch, buffer);
    optimizer.apply(params.subarray(0, model.trainableSize), spanOf(buffer, fused.gradients));
    model.setWeights(params);
    if (s >= warmup) times.push(performance.now() - t0);
  }
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  process.stdout.write(JSON.stringify({ backend: backend.name, device: backend.device, model: modelName, batch, steps, median_ms: median(times), mean_ms: mean }) + "\n");
}

main().catch((e: unknown) => {
  process.stderr.write(`compute-step: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
