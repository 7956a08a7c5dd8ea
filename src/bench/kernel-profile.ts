/**
 * Per-kernel profile of one training step on the wasm backend.
 *
 *   node dist/bench/kernel-profile.js [--model mlp|cnn] [--unpatched] [--steps N] [--warmup N] [--batch N] [--by-shape]
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
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { installKernelPatches } from "../common/compute/kernel-patches.js";
import { makeConv2DBackpropFilter } from "../common/compute/wasm-kernels/conv2d-backprop-filter.js";
import { shippedKernel } from "../common/compute/wasm-kernels/wasm-backend.js";
import { createRng, type Rng } from "../common/random.js";
import { median } from "./bench-args.js";

interface Args {
  model: "mlp" | "cnn";
  unpatched: boolean;
  steps: number;
  warmup: number;
  batch: number;
  byShape: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { model: "mlp", unpatched: false, steps: 0, warmup: 3, batch: 128, byShape: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === "--model") {
      const m = value();
      if (m !== "mlp" && m !== "cnn") throw new Error(`--model takes mlp or cnn, got "${m}"`);
      a.model = m;
    } else if (flag === "--unpatched") a.unpatched = true;
    else if (flag === "--steps") a.steps = Number(value());
    else if (flag === "--warmup") a.warmup = Number(value());
    else if (flag === "--batch") a.batch = Number(value());
    else if (flag === "--by-shape") a.byShape = true;
    else throw new Error(`unknown flag ${flag}: expected --model, --unpatched, --steps, --warmup, --batch, --by-shape`);
  }
  if (a.steps === 0) a.steps = a.model === "mlp" ? 200 : 20;
  for (const [k, v] of [["--steps", a.steps], ["--warmup", a.warmup], ["--batch", a.batch]] as const) {
    if (!Number.isInteger(v) || v < (k === "--warmup" ? 0 : 1)) throw new Error(`${k} takes a positive integer, got ${v}`);
  }
  return a;
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

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
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

  const step = (): number => {
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(y, net.forward(x)), net.vars);
    tf.tidy(() => {
      for (const v of net.vars) {
        const g = grads[v.name];
        if (g !== undefined) v.assign(tf.sub(v, tf.mul(g, lr)));
      }
    });
    const loss = value.dataSync()[0] ?? NaN;
    value.dispose();
    for (const g of Object.values(grads)) g.dispose();
    return loss;
  };

  for (let i = 0; i < args.warmup; i++) step();
  const tensorsBefore = tf.memory().numTensors;
  const times: number[] = [];
  let loss = NaN;
  timer.enabled = true;
  for (let i = 0; i < args.steps; i++) {
    const t0 = performance.now();
    loss = step();
    times.push(performance.now() - t0);
  }
  timer.enabled = false;
  const leaked = tf.memory().numTensors - tensorsBefore;

  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  console.log(
    `model ${args.model}, batch ${args.batch}, wasm (${simd ? "SIMD" : "no SIMD"}), ` +
      `${args.unpatched ? "unpatched (as shipped, plus the missing Conv2DBackpropFilter)" : "patched"}, ${args.steps} steps after ${args.warmup} warm-up`,
  );
  const rows = [...timer.totals.entries()].map(([name, ms]) => [name, ms / args.steps] as const).sort((p, q) => q[1] - p[1]);
  const kernelTotal = rows.reduce((s, [, ms]) => s + ms, 0);
  for (const [name, ms] of rows) console.log(`  ${name.padEnd(args.byShape ? 56 : 24)} ${ms.toFixed(3).padStart(9)} ms/step`);
  console.log(`  ${"(all kernels)".padEnd(args.byShape ? 56 : 24)} ${kernelTotal.toFixed(3).padStart(9)} ms/step`);
  console.log(
    `step median ${median(times).toFixed(3)} ms, min ${Math.min(...times).toFixed(3)} ms, ` +
      `final loss ${loss.toFixed(4)}, tensors leaked per step ${(leaked / args.steps).toFixed(2)}`,
  );
  x.dispose();
  y.dispose();
  lr.dispose();
  for (const v of net.vars) v.dispose();
}

await main();
