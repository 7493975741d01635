// The RASP compiler, exhaustively: every program of the library, compiled (with and without a rotation of the
// residual stream), equals the reference interpreter on every input of every length up to maxLen over a small
// vocabulary — the output and every intermediate SOp, read back from the residual stream.
import { describe, expect, it } from "vitest";
import { Rng } from "../../../../harness/rng.ts";
import { loadTransformer } from "../../../../harness/transformer.ts";
import { compile, decodeResidual } from "./compiler.ts";
import { PROGRAMS, programById } from "./programs.ts";
import { evaluate } from "./rasp.ts";

function* allInputs(vocab: readonly number[], maxLen: number): Generator<number[]> {
  for (let N = 1; N <= maxLen; N++) {
    const total = vocab.length ** N;
    for (let c = 0; c < total; c++) {
      const seq: number[] = [];
      let r = c;
      for (let i = 0; i < N; i++) {
        seq.push(vocab[r % vocab.length] as number);
        r = Math.floor(r / vocab.length);
      }
      yield seq;
    }
  }
}

const CASES = PROGRAMS.flatMap((p) => [
  { program: p, vocab: [0, 1, 2], maxLen: 5, rotate: false },
  { program: p, vocab: [0, 1, 2, 3], maxLen: 4, rotate: true },
]);

describe("RASP compiler", () => {
  it.each(CASES.map((c) => [`${c.program.id} V=${c.vocab.length} N≤${c.maxLen}${c.rotate ? " rotated" : ""}`, c] as const))(
    "%s: the compiled model equals the program on every input",
    (_name, { program, vocab, maxLen, rotate }) => {
      const out = program.build("", maxLen);
      const compiled = compile(out, { vocab, maxLen, rotation: rotate ? new Rng(7) : undefined });
      const net = loadTransformer(compiled.spec, compiled.weights);
      let inputs = 0;
      let checked = 0;
      for (const input of allInputs(vocab, maxLen)) {
        const expected = evaluate([out], input);
        const got = decodeResidual(compiled, net, input);
        for (const [sop, values] of expected) {
          const mine = got.get(sop);
          expect(mine, sop.label).toBeDefined();
          values.forEach((v, i) => {
            const m = mine?.[i];
            if (sop.encoding === "numerical")
              expect(Math.abs((m as number) - (v as number)), `${sop.label} on ${input}`).toBeLessThan(1e-4);
            else expect(m, `${sop.label}[${i}] on [${input}]`).toBe(v);
            checked++;
          });
        }
        inputs++;
      }
      expect(inputs).toBe(Array.from({ length: maxLen }, (_, i) => vocab.length ** (i + 1)).reduce((a, b) => a + b, 0));
      console.log(
        `[rasp] ${program.id} V=${vocab.length} N≤${maxLen}${rotate ? " rotated" : ""}: ${inputs} inputs, ${checked} SOp values, layers ${compiled.spec.layers.length}, dModel ${compiled.spec.dModel}`,
      );
    },
  );

  it("the check can fail: silencing the head that computes reverse's output breaks it, and the steps name that head", () => {
    const out = programById("reverse").build("", 4);
    const compiled = compile(out, { vocab: [0, 1, 2], maxLen: 4 });
    const step = compiled.steps.find((s) => s.label === "reverse");
    expect(step?.op).toBe("aggregate");
    expect(step?.reads).toEqual(["indices", "opp_index", "tokens"]);
    const wo = compiled.weights[`L${step?.layer}.attn.wo`]?.data as Float32Array;
    const dHead = compiled.spec.layers[step?.layer as number]?.dHead as number;
    const d = compiled.spec.dModel;
    wo.fill(0, (step?.head as number) * dHead * d, ((step?.head as number) + 1) * dHead * d);
    const net = loadTransformer(compiled.spec, compiled.weights);
    let wrong = 0;
    for (const input of allInputs([0, 1, 2], 4)) {
      const expected = evaluate([out], input).get(out);
      if (
        decodeResidual(compiled, net, input)
          .get(out)
          ?.some((v, i) => v !== expected?.[i])
      )
        wrong++;
    }
    // Every input of length 1 … 4 over 3 tokens: the output is lost (None) everywhere.
    expect(wrong).toBe(3 + 9 + 27 + 81);
  });
});
