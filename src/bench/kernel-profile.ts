/**
 * Per-kernel profile of one training step on the wasm or the webgpu backend.
 *
 *   node dist/bench/kernel-profile.js [--backend wasm|webgpu] [--model mlp|cnn] [--unpatched] [--steps N] [--warmup N] [--batch N] [--by-shape]
 *
 * The step is built from raw tfjs ops (not the project's model classes, so the
 * figures isolate the backend): MLP 784-128-64-10 or CNN 32c3-p2-64c3-p2-128-10
 * (valid padding, relu, NHWC input [n,28,28,1]: the PyTorch anchor's networks),
 * softmax cross-entropy, `tf.variableGrads`, and a plain SGD update. Every
 * kernel registered for wasm is wrapped with a timer, so a kernel that calls
 * another kernel's function directly (as the patches do) is counted once, under
 * the kernel the engine dispatched. `--unpatched` runs the kernels as shipped,
 * plus the patched Conv2DBackpropFilter, which wasm lacks. Prints per-kernel ms per step (sorted), the
 * kernel total, and the median whole-step time.
 *
 * On webgpu a kernel call only records GPU work, so a wall-clock wrapper would
 * time the recording: there the per-kernel figures are GPU time from
 * `tf.profile` (timestamp queries, where the adapter has them; tfjs reports 0
 * where not), over separate profiled steps, and the step time is that of
 * unprofiled steps that end by reading the loss back (`await data()`: webgpu
 * has no synchronous read in Node). A webgpu profile exits with an error, after
 * printing, when the device raised an error that tfjs did not check
 * (takeWebGpuErrors): its figures would time kernels that computed nothing.
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { selectBackend } from "../compute/backend.js";
import { installKernelPatches } from "../compute/kernel-patches.js";
import { makeConv2DBackpropFilter } from "../compute/wasm-kernels/conv2d-backprop-filter.js";
import { shippedKernel } from "../compute/wasm-kernels/wasm-backend.js";
import { takeWebGpuErrors } from "../compute/webgpu-backend.js";
import { formatLoss } from "../core/format.js";
import { createRng, type Rng } from "../core/random.js";
import { integerArg, median, parseBenchArgs } from "./bench-args.js";

interface Args {
  backend: "wasm" | "webgpu";
  model: "mlp" | "cnn";
  unpatched: boolean;
  steps: number;
  warmup: number;
  batch: number;
  byShape: boolean;
}

function parseArguments(argv: string[]): Args {
  const { values } = parseBenchArgs({
    usage: "node dist/bench/kernel-profile.js [options]",
    summary: "Per-kernel profile of one training step (raw tfjs ops) on the wasm or the webgpu backend: ms per step per kernel, the kernel total and the median step time.",
    args: argv,
    options: {
      backend: { type: "string", default: "wasm", value: "wasm|webgpu", description: "backend to profile" },
      model: { type: "string", default: "mlp", value: "mlp|cnn", description: "MLP 784-128-64-10 or CNN 32c3-p2-64c3-p2-128-10" },
      unpatched: { type: "boolean", default: false, description: "wasm kernels as shipped (plus the patched Conv2DBackpropFilter, which wasm lacks)" },
      steps: { type: "string", value: "N", description: "profiled steps (default: 200 for the MLP, 20 for the CNN)" },
      warmup: { type: "string", default: "3", value: "N", description: "untimed steps first" },
      batch: { type: "string", default: "128", value: "N", description: "batch size" },
      "by-shape": { type: "boolean", default: false, description: "one row per kernel and input shapes, not per kernel" },
    },
  });
  const { backend, model } = values;
  if (backend !== "wasm" && backend !== "webgpu") throw new Error(`--backend takes wasm or webgpu, got "${backend}"`);
  if (model !== "mlp" && model !== "cnn") throw new Error(`--model takes mlp or cnn, got "${model}"`);
  return {
    backend,
    model,
    unpatched: values.unpatched,
    steps: values.steps === undefined ? (model === "mlp" ? 200 : 20) : integerArg("steps", values.steps, 1),
    warmup: integerArg("warmup", values.warmup, 0),
    batch: integerArg("batch", values.batch, 1),
    byShape: values["by-shape"],
  };
}

/** Glorot-uniform weights from the project's seeded RNG. */
function glorot(rng: Rng, shape: number[], fanIn: number, fanOut: number): tf.Variable {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const size = shape.reduce((p, d) => p * d, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = (rng.next() * 2 - 1) * limit;
  return tf.variable(tf.tensor(values, shape));
}

interface Net {
  vars: tf.Variable[];
  forward(x: tf.Tensor): tf.Tensor2D;
  inputShape: number[];
}

function buildMlp(rng: Rng): Net {
  const sizes = [784, 128, 64, 10];
  const vars: tf.Variable[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const fi = sizes[i] ?? 0;
    const fo = sizes[i + 1] ?? 0;
    vars.push(glorot(rng, [fi, fo], fi, fo), tf.variable(tf.zeros([fo])));
  }
  return {
    vars,
    inputShape: [784],
    forward: (x) => {
      let h = x as tf.Tensor2D;
      for (let i = 0; i < vars.length; i += 2) {
        h = tf.add(tf.matMul(h, vars[i] as tf.Tensor2D), vars[i + 1] as tf.Tensor1D);
        if (i + 2 < vars.length) h = tf.relu(h);
      }
      return h;
    },
  };
}

function buildCnn(rng: Rng): Net {
  const w1 = glorot(rng, [3, 3, 1, 32], 9, 288);
  const b1 = tf.variable(tf.zeros([32]));
  const w2 = glorot(rng, [3, 3, 32, 64], 288, 576);
  const b2 = tf.variable(tf.zeros([64]));
  const w3 = glorot(rng, [1600, 128], 1600, 128);
  const b3 = tf.variable(tf.zeros([128]));
  const w4 = glorot(rng, [128, 10], 128, 10);
  const b4 = tf.variable(tf.zeros([10]));
  return {
    vars: [w1, b1, w2, b2, w3, b3, w4, b4],
    inputShape: [28, 28, 1],
    forward: (x) => {
      let h = tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, "valid"), b1)) as tf.Tensor4D;
      h = tf.maxPool(h, 2, 2, "valid");
      h = tf.relu(tf.add(tf.conv2d(h, w2 as tf.Tensor4D, 1, "valid"), b2)) as tf.Tensor4D;
      h = tf.maxPool(h, 2, 2, "valid");
      const flat = tf.reshape<tf.Rank.R2>(h, [h.shape[0], -1]);
      const d = tf.relu(tf.add(tf.matMul(flat, w3 as tf.Tensor2D), b3));
      return tf.add(tf.matMul(d, w4 as tf.Tensor2D), b4);
    },
  };
}

/** Per-kernel wall time, accumulated while `enabled`. */
class KernelTimer {
  readonly totals = new Map<string, number>();
  enabled = false;

  /** @param byShape key the totals by kernel name and input shapes, not by name alone */
  constructor(private readonly byShape: boolean) {}

  /** Re-registers every kernel of `backendName` behind a timer; call after the backend and its patches are ready. */
  wrapAll(backendName: string): void {
    for (const config of tf.getKernelsForBackend(backendName)) {
      const inner = config.kernelFunc;
      const kernelName = config.kernelName;
      tf.unregisterKernel(kernelName, backendName);
      tf.registerKernel({
        kernelName,
        backendName,
        kernelFunc: (args) => {
          if (!this.enabled) return inner(args);
          const t0 = performance.now();
          const out = inner(args);
          const name = this.byShape
            ? `${kernelName} ${Object.values(args.inputs).map((t) => `[${t?.shape.join(",") ?? ""}]`).join(" ")}`
            : kernelName;
          this.totals.set(name, (this.totals.get(name) ?? 0) + performance.now() - t0);
          return out;
        },
      });
    }
  }
}

/** Backend setup: wasm with (or without) the patches and a wall-clock timer per kernel; webgpu as a worker selects it. */
async function setUp(args: Args): Promise<{ timer: KernelTimer | undefined; label: string }> {
  if (args.backend === "webgpu") {
    if (args.unpatched) throw new Error("--unpatched applies to wasm only: webgpu has no patches");
    const info = await selectBackend("webgpu");
    return { timer: undefined, label: `webgpu (${info.device})` };
  }
  if (!(await tf.setBackend("wasm"))) throw new Error("the wasm backend failed to initialise");
  await tf.ready();
  if (!args.unpatched) installKernelPatches("wasm");
  const conv2d = shippedKernel("Conv2D", "wasm");
  if (args.unpatched && tf.getKernel("Conv2DBackpropFilter", "wasm") === undefined && conv2d !== undefined) {
    // Shipped wasm has no filter gradient at all: add only ours, so that the baseline can train a CNN.
    tf.registerKernel(makeConv2DBackpropFilter("wasm", conv2d));
  }
  const timer = new KernelTimer(args.byShape);
  timer.wrapAll("wasm");
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  return {
    timer,
    label: `wasm (${simd ? "SIMD" : "no SIMD"}), ${args.unpatched ? "unpatched (as shipped, plus the missing Conv2DBackpropFilter)" : "patched"}`,
  };
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  const { timer, label } = await setUp(args);

  const rng = createRng(0x6b70726f, 1);
  const net = args.model === "mlp" ? buildMlp(rng) : buildCnn(rng);
  const inputSize = net.inputShape.reduce((p, d) => p * d, 1);
  const xs = new Float32Array(args.batch * inputSize);
  for (let i = 0; i < xs.length; i++) xs[i] = rng.next();
  const labels = new Int32Array(args.batch);
  for (let i = 0; i < labels.length; i++) labels[i] = rng.nextInt(10);
  const x = tf.tensor(xs, [args.batch, ...net.inputShape]);
  const y = tf.oneHot(tf.tensor1d(labels, "int32"), 10);
  const lr = tf.scalar(0.1);

  const step = async (): Promise<number> => {
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(y, net.forward(x)), net.vars);
    tf.tidy(() => {
      for (const v of net.vars) {
        const g = grads[v.name];
        if (g !== undefined) v.assign(tf.sub(v, tf.mul(g, lr)));
      }
    });
    // webgpu reads only asynchronously in Node; wasm keeps the synchronous read it was measured with
    const loss = (args.backend === "webgpu" ? await value.data() : value.dataSync())[0] ?? NaN;
    value.dispose();
    for (const g of Object.values(grads)) g.dispose();
    return loss;
  };

  for (let i = 0; i < args.warmup; i++) await step();
  const tensorsBefore = tf.memory().numTensors;
  const times: number[] = [];
  let loss = NaN;
  if (timer !== undefined) timer.enabled = true;
  for (let i = 0; i < args.steps; i++) {
    const t0 = performance.now();
    loss = await step();
    times.push(performance.now() - t0);
  }
  if (timer !== undefined) timer.enabled = false;
  const leaked = tf.memory().numTensors - tensorsBefore;
  const totals = timer?.totals ?? (await gpuKernelTimes(step, args.steps, args.byShape));

  console.log(`model ${args.model}, batch ${args.batch}, ${label}, ${args.steps} steps after ${args.warmup} warm-up`);
  const rows = [...totals.entries()].map(([name, ms]) => [name, ms / args.steps] as const).sort((p, q) => q[1] - p[1]);
  const kernelTotal = rows.reduce((s, [, ms]) => s + ms, 0);
  for (const [name, ms] of rows) console.log(`  ${name.padEnd(args.byShape ? 56 : 24)} ${ms.toFixed(3).padStart(9)} ms/step`);
  console.log(`  ${"(all kernels)".padEnd(args.byShape ? 56 : 24)} ${kernelTotal.toFixed(3).padStart(9)} ms/step${timer === undefined ? " (GPU time)" : ""}`);
  console.log(
    `step median ${median(times).toFixed(3)} ms, min ${Math.min(...times).toFixed(3)} ms, ` +
      `final loss ${formatLoss(loss)}, tensors leaked per step ${(leaked / args.steps).toFixed(2)}`,
  );
  x.dispose();
  y.dispose();
  lr.dispose();
  for (const v of net.vars) v.dispose();
  // tfjs does not check the device's uncaptured errors: a shader that failed validation computed nothing
  const gpuErrors = args.backend === "webgpu" ? takeWebGpuErrors() : [];
  if (gpuErrors.length > 0) {
    // the verdict last: scripts/gpu/verify-webgpu.sh quotes a profile's last line
    for (const e of gpuErrors) console.error(`  ${e}`);
    console.error(`error: the webgpu device raised ${gpuErrors.length} error(s) during the profile (above), so its figures are not valid`);
    process.exitCode = 1;
  }
}

/**
 * GPU time per kernel over `steps` profiled steps (tf.profile). Without
 * timestamp queries tfjs reports 0 for every kernel; a time it reports as an
 * error object instead of a number counts as NaN, so that it shows.
 */
async function gpuKernelTimes(step: () => Promise<number>, steps: number, byShape: boolean): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  for (let i = 0; i < steps; i++) {
    const info = await tf.profile(async () => {
      await step();
      return [];
    });
    for (const k of info.kernels) {
      const name = byShape ? `${k.name} ${k.inputShapes.map((s) => `[${s.join(",")}]`).join(" ")}` : k.name;
      const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : NaN;
      totals.set(name, (totals.get(name) ?? 0) + ms);
    }
  }
  return totals;
}

await main();
