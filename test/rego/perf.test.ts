import { describe, expect, it } from "vitest";
import { compile } from "../../rego/index";
import { JOIN_POLICY, bestOf, generate, handWritten } from "./join-workload";

describe("evaluation speed (issue 3 workload)", () => {
  const q = compile([{ file: "bench.rego", source: JOIN_POLICY }]).prepare("data.bench.deny");

  it("computes the same decisions as the hand-written function", () => {
    const input = generate(2000);
    const got = q.eval({ input })[0].expressions[0].value;
    expect(got).toEqual(handWritten(input));
    expect((got as string[]).length).toBeGreaterThan(300);
  });

  it("grows linearly with the collection size (the join is hashed, not a nested loop)", () => {
    const small = generate(1000);
    const large = generate(8000);
    q.eval({ input: large });
    const e1 = bestOf(15, () => q.eval({ input: small }));
    const e8 = bestOf(7, () => q.eval({ input: large }));
    const h8 = bestOf(15, () => handWritten(large));
    console.log(
      `rego join workload (CPU time): engine 1k ${e1.toFixed(1)} ms, 8k ${e8.toFixed(1)} ms ` +
        `(growth ${(e8 / e1).toFixed(1)}x for 8x data); hand-written 8k ${h8.toFixed(1)} ms ` +
        `(engine/hand ${(e8 / h8).toFixed(1)}x)`,
    );
    // 8x the data: a nested-loop join costs ~64x, a hashed one ~8x (+ cache and GC effects)
    expect(e8 / e1).toBeLessThan(30);
  });
});
