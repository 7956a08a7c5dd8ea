import { RingtrainError } from "../../core/errors.js";
import { ParameterLayout } from "../parameter-layout.js";
import { toPair, type LayerConfig } from "./layer-config.js";

/** The shape of one input sample (the dataset's), without the batch axis. */
export interface InputShape {
  height: number;
  width: number;
  channels: number;
}

/** How a parameter or state tensor starts. Glorot-uniform takes the Keras fans. */
export type Initializer = { kind: "glorotUniform"; fanIn: number; fanOut: number } | { kind: "zeros" } | { kind: "ones" };

export interface PlannedTensor {
  name: string;
  shape: number[];
  init: Initializer;
}

/** One layer with its shapes resolved: `[features]` or `[height, width, channels]`, batch axis omitted. */
export interface PlannedLayer {
  config: LayerConfig;
  /** position in the network, used in names and as the dropout stream */
  index: number;
  inputShape: number[];
  outputShape: number[];
  /** trainable tensors, in layout order */
  params: PlannedTensor[];
  /** non-trainable tensors (batch-norm moving mean and variance), in layout order */
  state: PlannedTensor[];
  /** per-step statistics this layer contributes to the allreduce buffer (batch norm: Σx and Σx² per channel) */
  statisticsSize: number;
}

/**
 * A network resolved against its input: shapes, parameters and the flat
 * layout, with no tensors. The coordinator uses it to size buffers; the worker
 * builds tfjs variables from it.
 *
 * Flat layout: every trainable tensor in layer order, then every state tensor.
 * The optimizer touches only `[0, trainableSize)`.
 */
export interface NetworkPlan {
  layers: PlannedLayer[];
  layout: ParameterLayout;
  /** how many of the layout's tensors are trainable (they come first) */
  trainableTensors: number;
  trainableSize: number;
  /** length of the per-step statistics that travel with the gradients */
  statisticsSize: number;
  inputShape: InputShape;
  numClasses: number;
}

/** Output length of a convolution or pooling window along one axis, as tfjs and Keras compute it. */
function windowOutput(input: number, window: number, stride: number, padding: "valid" | "same"): number {
  return padding === "same" ? Math.ceil(input / stride) : Math.floor((input - window) / stride) + 1;
}

function describe(layer: LayerConfig, index: number): string {
  return `model.layers[${index}] (${layer.type})`;
}

/**
 * Resolves `layers` against `input` and checks the network is trainable as a
 * classifier of `numClasses` classes.
 *
 * @throws RingtrainError CONFIG_INVALID naming the layer: a spatial layer after
 *   a flatten, a dense layer on an unflattened image, a window larger than its
 *   input, or an output layer that is not `dense` with `numClasses` units.
 */
export function planNetwork(layers: readonly LayerConfig[], input: InputShape, numClasses: number): NetworkPlan {
  const planned: PlannedLayer[] = [];
  const counters = new Map<string, number>();
  let shape: number[] = [input.height, input.width, input.channels];
  layers.forEach((config, index) => {
    const where = describe(config, index);
    const k = counters.get(config.type) ?? 0;
    counters.set(config.type, k + 1);
    const prefix = `${config.type}${k}`;
    const params: PlannedTensor[] = [];
    const state: PlannedTensor[] = [];
    let statisticsSize = 0;
    const inputShape = shape;
    switch (config.type) {
      case "dense": {
        if (shape.length !== 1) {
          throw new RingtrainError("CONFIG_INVALID", `${where} needs a flat input but receives [${shape.join(", ")}]: add {"type": "flatten"} before it`);
        }
        const fanIn = shape[0]!;
        params.push({ name: `${prefix}/kernel`, shape: [fanIn, config.units], init: { kind: "glorotUniform", fanIn, fanOut: config.units } });
        if (config.useBias) params.push({ name: `${prefix}/bias`, shape: [config.units], init: { kind: "zeros" } });
        shape = [config.units];
        break;
      }
      case "conv2d": {
        const [h, w, c] = spatial(shape, where);
        const [kh, kw] = toPair(config.kernelSize);
        const [sh, sw] = toPair(config.strides);
        const oh = windowOutput(h, kh, sh, config.padding);
        const ow = windowOutput(w, kw, sw, config.padding);
        if (oh <= 0 || ow <= 0) throw new RingtrainError("CONFIG_INVALID", `${where}: a ${kh}x${kw} kernel does not fit its ${h}x${w} input`);
        params.push({
          name: `${prefix}/kernel`,
          shape: [kh, kw, c, config.filters],
          init: { kind: "glorotUniform", fanIn: kh * kw * c, fanOut: kh * kw * config.filters },
        });
        if (config.useBias) params.push({ name: `${prefix}/bias`, shape: [config.filters], init: { kind: "zeros" } });
        shape = [oh, ow, config.filters];
        break;
      }
      case "maxPool":
      case "avgPool": {
        const [h, w, c] = spatial(shape, where);
        const [ph, pw] = toPair(config.poolSize);
        const [sh, sw] = toPair(config.strides ?? config.poolSize);
        const oh = windowOutput(h, ph, sh, config.padding);
        const ow = windowOutput(w, pw, sw, config.padding);
        if (oh <= 0 || ow <= 0) throw new RingtrainError("CONFIG_INVALID", `${where}: a ${ph}x${pw} pool does not fit its ${h}x${w} input`);
        shape = [oh, ow, c];
        break;
      }
      case "batchNormalization": {
        const channels = shape[shape.length - 1]!;
        params.push({ name: `${prefix}/gamma`, shape: [channels], init: { kind: "ones" } });
        params.push({ name: `${prefix}/beta`, shape: [channels], init: { kind: "zeros" } });
        state.push({ name: `${prefix}/movingMean`, shape: [channels], init: { kind: "zeros" } });
        state.push({ name: `${prefix}/movingVariance`, shape: [channels], init: { kind: "ones" } });
        statisticsSize = 2 * channels;
        break;
      }
      case "flatten":
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case "dropout":
      case "activation":
        break;
    }
    planned.push({ config, index, inputShape, outputShape: shape, params, state, statisticsSize });
  });
  checkOutput(planned, numClasses);
  const trainable = planned.flatMap((l) => l.params);
  const stateTensors = planned.flatMap((l) => l.state);
  const layout = new ParameterLayout([...trainable, ...stateTensors]);
  // the state tensors start where the trainable ones end
  const trainableSize = layout.slots[trainable.length]?.offset ?? layout.totalSize;
  return {
    layers: planned,
    layout,
    trainableTensors: trainable.length,
    trainableSize,
    statisticsSize: planned.reduce((n, l) => n + l.statisticsSize, 0),
    inputShape: input,
    numClasses,
  };
}

function spatial(shape: number[], where: string): [number, number, number] {
  if (shape.length !== 3) {
    throw new RingtrainError("CONFIG_INVALID", `${where} needs an image input [height, width, channels] but receives [${shape.join(", ")}] (it cannot follow a flatten or dense layer)`);
  }
  return shape as [number, number, number];
}

function checkOutput(layers: PlannedLayer[], numClasses: number): void {
  const last = layers[layers.length - 1];
  if (last === undefined) throw new RingtrainError("CONFIG_INVALID", "model.layers is empty: a classifier needs at least its output dense layer");
  const ok = last.config.type === "dense" && last.config.units === numClasses && (last.config.activation === "linear" || last.config.activation === "softmax");
  if (!ok) {
    throw new RingtrainError(
      "CONFIG_INVALID",
      `${describe(last.config, last.index)} is the output layer: it must be {"type": "dense", "units": ${numClasses}} with activation softmax or linear (the softmax is part of the loss)`,
    );
  }
}
