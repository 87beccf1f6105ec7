/**
 * OPA's `internal.*` built-ins that compiled policies may contain: `internal.print` (what `print`
 * becomes: one set of values per argument, `<undefined>` for an empty one) and
 * `internal.test_case` (a marker OPA's test runner inserts in parameterized tests; always true).
 */
import { RSet, type Value } from "../value";
import { regoText } from "./template";
import { defineAll } from "./types";

function internalPrint(args: Value[], ctx: { print: (line: string) => void }): Value {
  const parts = Array.isArray(args[0]) ? args[0] : [];
  ctx.print(
    parts
      .map((p) =>
        p instanceof RSet
          ? p.size === 0
            ? "<undefined>"
            : p
                .sortedValues()
                .map((v) => regoText(v))
                .join(" ")
          : regoText(p),
      )
      .join(" "),
  );
  return true;
}

export const builtins = defineAll([
  { name: "internal.print", arity: 1, impl: internalPrint, nondeterministic: true },
  { name: "internal.test_case", arity: 1, impl: () => true },
]);
