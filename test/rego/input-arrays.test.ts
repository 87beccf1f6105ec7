/**
 * Input arrays of records are copied (rego/value.ts convertArray) with their records wrapped, the
 * members before the first record kept as they are. A sparse JS array has no holes once read:
 * each hole is a member `null`, as JSON has no holes.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../rego/index";

const POLICY = `package p
import rego.v1

r := [count(input.xs), [x | some x in input.xs], [t | some x in input.xs; t := type_name(x)]]
`;

describe("input arrays", () => {
  it("read every member, holes of a sparse array as null", () => {
    const q = compile([{ file: "p.rego", source: POLICY }]).prepare("data.p.r");
    // eslint-disable-next-line no-sparse-arrays
    const xs = [1, , { a: 1 }, "s", , [2]];
    const v = q.eval({ input: { xs } })[0].expressions[0].value;
    expect(v).toEqual([
      6,
      [1, null, { a: 1 }, "s", null, [2]],
      ["number", "null", "object", "string", "null", "array"],
    ]);
    // the caller's array is left as it was
    expect(1 in xs).toBe(false);
  });
});
