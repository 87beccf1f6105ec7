/**
 * OPA's deprecated built-ins. Rego v1 refuses them at parse time (rego/parser.ts); Rego v0
 * modules (`--v0-compatible`) still call them, so they are here, defined by their successors.
 */
import { RSet, type Value } from "../value";
import { operandError, defineAll, type BuiltinContext } from "./types";
import { builtins as regex } from "./regex";
import { builtins as net } from "./net";

function elements(name: string, v: Value): Value[] {
  if (Array.isArray(v)) return v;
  if (v instanceof RSet) return v.sortedValues();
  throw operandError(name, 1, "one of {array, set}", v);
}

function castTo(name: string, want: "string" | "boolean" | "null" | "object") {
  return ([v]: Value[]): Value => {
    const ok =
      want === "null"
        ? v === null
        : want === "object"
          ? v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof RSet)
          : typeof v === want;
    if (!ok) throw operandError(name, 1, want, v);
    return v;
  };
}

export const builtins = defineAll([
  { name: "any", arity: 1, impl: ([xs]) => elements("any", xs).some((x) => x === true) },
  { name: "all", arity: 1, impl: ([xs]) => elements("all", xs).every((x) => x === true) },
  {
    name: "cast_array",
    arity: 1,
    impl: ([v]) => {
      if (Array.isArray(v)) return v;
      if (v instanceof RSet) return v.sortedValues();
      throw operandError("cast_array", 1, "one of {array, set}", v);
    },
  },
  {
    name: "cast_set",
    arity: 1,
    impl: ([v]) => {
      if (v instanceof RSet) return v;
      if (Array.isArray(v)) return new RSet(v);
      throw operandError("cast_set", 1, "one of {array, set}", v);
    },
  },
  { name: "cast_string", arity: 1, impl: castTo("cast_string", "string") },
  { name: "cast_boolean", arity: 1, impl: castTo("cast_boolean", "boolean") },
  { name: "cast_null", arity: 1, impl: castTo("cast_null", "null") },
  { name: "cast_object", arity: 1, impl: castTo("cast_object", "object") },
  {
    name: "re_match",
    arity: 2,
    impl: (args: Value[], ctx: BuiltinContext) => regex["regex.match"].impl(args, ctx),
  },
  {
    name: "net.cidr_overlap",
    arity: 2,
    impl: (args: Value[], ctx: BuiltinContext) => net["net.cidr_contains"].impl(args, ctx),
  },
  {
    name: "set_diff",
    arity: 2,
    impl: ([a, b]) => {
      if (!(a instanceof RSet)) throw operandError("set_diff", 1, "set", a);
      if (!(b instanceof RSet)) throw operandError("set_diff", 2, "set", b);
      return new RSet(a.sortedValues().filter((x) => !b.has(x)));
    },
  },
]);
