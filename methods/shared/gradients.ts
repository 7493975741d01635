// The backward pass of T6's dense networks (the task's format, tasks/causal-attribution/network.ts), used by the
// gradient × activation baseline: only methods need gradients, the truth is an exact ablation.
import { type Activation, type DenseLayer, type DenseNet, forwardFrom } from "../../tasks/causal-attribution/network.ts";

/** d act / d z, written in terms of z (relu' at 0 is 0). */
export function activationSlope(activation: Activation, z: number): number {
  if (activation === "relu") return z > 0 ? 1 : 0;
  if (activation === "tanh") {
    const t = Math.tanh(z);
    return 1 - t * t;
  }
  return 1;
}

/**
 * ∂output/∂hidden for every sample, [n, H], by a hand-written backward pass through the layers after the scored
 * one (relu' = 1 where the pre-activation is > 0, else 0).
 */
export function hiddenGradients(net: DenseNet, hidden: ArrayLike<number>, n: number): Float64Array {
  const from = net.hiddenLayer + 1;
  const pass = forwardFrom(net, from, hidden, n);
  const H = net.hiddenSize;
  const grads = new Float64Array(n * H);
  const L = net.layers.length;
  for (let s = 0; s < n; s++) {
    // Gradient with respect to the output of the last layer: 1 (scalar output).
    let g = new Float64Array([1]);
    for (let k = L - 1; k >= from; k--) {
      const layer = net.layers[k] as DenseLayer;
      const z = pass.pre[k - from] as Float64Array;
      const { nIn, nOut, w, activation } = layer;
      const gz = new Float64Array(nOut);
      for (let o = 0; o < nOut; o++) gz[o] = (g[o] as number) * activationSlope(activation, z[s * nOut + o] as number);
      const gin = new Float64Array(nIn);
      for (let i = 0; i < nIn; i++) {
        let acc = 0;
        const wo = i * nOut;
        for (let o = 0; o < nOut; o++) acc += (w[wo + o] as number) * (gz[o] as number);
        gin[i] = acc;
      }
      g = gin;
    }
    grads.set(g, s * H);
  }
  return grads;
}
