import * as tf from "@tensorflow/tfjs";

/** Activation names a layer may use. `softmax` is allowed only on the output layer, where the loss applies it. */
export const ACTIVATION_NAMES = ["linear", "relu", "leakyRelu", "elu", "tanh", "sigmoid", "softmax"] as const;
export type ActivationName = (typeof ACTIVATION_NAMES)[number];

/** Keras's default negative slope for LeakyReLU. */
const LEAKY_RELU_ALPHA = 0.3;

/** Applies `name` elementwise; `linear` and `softmax` are the identity here (softmax lives in the loss). */
export function applyActivation(name: ActivationName, x: tf.Tensor): tf.Tensor {
  switch (name) {
    case "linear":
    case "softmax":
      return x;
    case "relu":
      return tf.relu(x);
    case "leakyRelu":
      return tf.leakyRelu(x, LEAKY_RELU_ALPHA);
    case "elu":
      return tf.elu(x);
    case "tanh":
      return tf.tanh(x);
    case "sigmoid":
      return tf.sigmoid(x);
  }
}
