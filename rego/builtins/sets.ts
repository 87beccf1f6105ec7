/** Set built-ins: and (`&`), or (`|`), intersection, union. */
import { RSet, type Value } from "../value";
import { operandError } from "./types";
import { defineSafe } from "./numbers";
import { elementError } from "./operands";

function set(name: string, v: Value, pos: number): RSet {
  if (!(v instanceof RSet)) throw operandError(name, pos, "set", v);
  return v;
}

function and(a: RSet, b: RSet): RSet {
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  const out = new RSet();
  for (const v of small) if (big.has(v)) out.add(v);
  return out;
}

function or(a: RSet, b: RSet): RSet {
  const out = new RSet(a);
  for (const v of b) out.add(v);
  return out;
}

function setOfSets(name: string, v: Value): RSet[] {
  const s = set(name, v, 1);
  const out: RSet[] = [];
  for (const x of s) {
    if (!(x instanceof RSet)) throw elementError(name, 1, s, x, "set");
    out.push(x);
  }
  return out;
}

function intersection(args: Value[]): Value {
  const sets = setOfSets("intersection", args[0]);
  if (sets.length === 0) return new RSet();
  return sets.reduce((acc, s) => and(acc, s));
}

function union(args: Value[]): Value {
  const out = new RSet();
  for (const s of setOfSets("union", args[0])) for (const v of s) out.add(v);
  return out;
}

export const builtins = defineSafe([
  {
    name: "and",
    arity: 2,
    impl: (a) => and(set("and", a[0], 1), set("and", a[1], 2)),
    args: [["set"], ["set"]],
  },
  {
    name: "or",
    arity: 2,
    impl: (a) => or(set("or", a[0], 1), set("or", a[1], 2)),
    args: [["set"], ["set"]],
  },
  { name: "intersection", arity: 1, impl: intersection, args: [["set"]] },
  { name: "union", arity: 1, impl: union, args: [["set"]] },
]);
