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

  it("grows linearly from 1,000 to 10,000 objects per collection", () => {
    const small = generate(1000);
    const large = generate(10_000);
    const e1 = bestOf(7, () => q.eval({ input: small }));
    const e10 = bestOf(5, () => q.eval({ input: large }));
    const h10 = bestOf(7, () => handWritten(large));
    console.log(
      `rego join workload: engine 1k ${e1.toFixed(1)} ms, 10k ${e10.toFixed(1)} ms ` +
        `(growth ${(e10 / e1).toFixed(1)}x); hand-written 10k ${h10.toFixed(1)} ms ` +
        `(ratio ${(e10 / h10).toFixed(1)}x)`,
    );
    // a nested-loop join would grow ~100x; linear growth is ~10x (slack for GC and a loaded machine)
    expect(e10 / e1).toBeLessThan(30);
  });
});
