/**
 * Built-ins the language itself relies on: comparison operators, `in` membership, `walk`, `trace`.
 * (`print` is variadic and handled by the evaluator, which must see undefined arguments.)
 */
import { RObject, RSet, compare, equal, type Value } from "../value";
import { BuiltinError, defineAll } from "./types";

function member(x: Value, coll: Value): boolean {
  if (Array.isArray(coll)) return coll.some((v) => equal(v, x));
  if (coll instanceof RSet) return coll.has(x);
  if (coll instanceof RObject) {
    for (const [, v] of coll.entries()) if (equal(v, x)) return true;
    return false;
  }
  return false;
}

function member3(k: Value, v: Value, coll: Value): boolean {
  if (Array.isArray(coll)) {
    return (
      typeof k === "number" && Number.isInteger(k) && k >= 0 && k < coll.length && equal(coll[k], v)
    );
  }
  if (coll instanceof RObject) {
    const got = coll.get(k);
    return got !== undefined && equal(got, v);
  }
  if (coll instanceof RSet) return equal(k, v) && coll.has(k);
  return false;
}

/** Every [path, value] pair under v, root first (the evaluator iterates them for `walk(x, [p, v])`). */
export function walkPairs(v: Value): Value[] {
  const out: Value[] = [];
  const go = (path: Value[], x: Value): void => {
    out.push([path.slice(), x]);
    if (Array.isArray(x)) {
      x.forEach((c, i) => {
        path.push(i);
        go(path, c);
        path.pop();
      });
    } else if (x instanceof RObject) {
      for (const [k, c] of x.sortedEntries()) {
        path.push(k);
        go(path, c);
        path.pop();
      }
    } else if (x instanceof RSet) {
      for (const c of x.sortedValues()) {
        path.push(c);
        go(path, c);
        path.pop();
      }
    }
  };
  go([], v);
  return out;
}

export const builtins = defineAll([
  { name: "equal", arity: 2, impl: ([a, b]) => equal(a, b) },
  { name: "neq", arity: 2, impl: ([a, b]) => !equal(a, b) },
  { name: "lt", arity: 2, impl: ([a, b]) => compare(a, b) < 0 },
  { name: "gt", arity: 2, impl: ([a, b]) => compare(a, b) > 0 },
  { name: "lte", arity: 2, impl: ([a, b]) => compare(a, b) <= 0 },
  { name: "gte", arity: 2, impl: ([a, b]) => compare(a, b) >= 0 },
  { name: "internal.member_2", arity: 2, impl: ([x, c]) => member(x, c) },
  { name: "internal.member_3", arity: 3, impl: ([k, v, c]) => member3(k, v, c) },
  { name: "walk", arity: 1, impl: ([x]) => walkPairs(x) },
  {
    // Declared so policies and tests can mock it with `with http.send as …`; this engine never
    // performs network calls while evaluating policies.
    name: "http.send",
    arity: 1,
    impl: () => {
      throw new BuiltinError("http.send: network access is disabled in this engine");
    },
    nondeterministic: true,
  },
  {
    // DNS is network access too: refused, and mockable with `with net.lookup_ip_addr as …`
    name: "net.lookup_ip_addr",
    arity: 1,
    impl: () => {
      throw new BuiltinError("net.lookup_ip_addr: network access is disabled in this engine");
    },
    nondeterministic: true,
  },
  {
    // OPA returns its runtime configuration and environment; this engine exposes none (the
    // environment may hold Vault tokens), so the document is empty, as OPA's is without a runtime.
    name: "opa.runtime",
    arity: 0,
    impl: () => new RObject(),
    nondeterministic: true,
  },
  {
    name: "trace",
    arity: 1,
    impl: ([note], ctx) => {
      if (typeof note === "string") ctx.print(note);
      return true;
    },
  },
]);
