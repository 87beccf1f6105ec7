import fc from "fast-check";
import { it, expect } from "vitest";
import { fromJS, toJS, type Value } from "../../rego/value";
import { builtins as enc } from "../../rego/builtins/encoding";
const call = (n: string, ...a: Value[]) => (enc as any)[n].impl(a, {});
it("rt", () => {
  fc.assert(fc.property(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }), fc.string({ unit: "binary" }), fc.dictionary(fc.string({ unit: "grapheme" }), fc.integer(), { maxKeys: 4 })), (x) => {
    const val = fromJS(x);
    const text = call("json.marshal", val) as string;
    expect(toJS(call("json.unmarshal", text) as Value)).toEqual(toJS(val));
  }), { numRuns: 200000 });
});
