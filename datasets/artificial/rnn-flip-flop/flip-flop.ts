// The 3-bit flip-flop task (Sussillo & Barak 2013): three input channels carry sparse pulses of ±1, and each of the
// three outputs must hold the sign of its channel's last pulse until the next one. Every trial opens with a pulse on
// every channel (the network starts from h = 0, so the memory is defined from the first step on).
import type { Rng } from "../../../harness/rng.ts";

export const BITS = 3;

/** Per-step record of a trial: inputs and targets [steps, BITS] row-major, and whether any channel pulsed. */
export interface FlipFlopTrial {
  steps: number;
  inputs: Float32Array;
  target: Float32Array;
  pulsed: Uint8Array;
}

/** One trial: a pulse of random sign on every channel at step 0, then on each channel with probability `pulseProbability` per step. */
export function simulateFlipFlop(rng: Rng, steps: number, pulseProbability: number): FlipFlopTrial {
  const inputs = new Float32Array(steps * BITS);
  const target = new Float32Array(steps * BITS);
  const pulsed = new Uint8Array(steps);
  const memory = new Float32Array(BITS);
  for (let t = 0; t < steps; t++) {
    for (let c = 0; c < BITS; c++) {
      if (t === 0 || rng.uniform() < pulseProbability) {
        const sign = rng.uniform() < 0.5 ? -1 : 1;
        inputs[t * BITS + c] = sign;
        memory[c] = sign;
        pulsed[t] = 1;
      }
      target[t * BITS + c] = memory[c] as number;
    }
  }
  return { steps, inputs, target, pulsed };
}
