/**
 * Aggregates: count, sum, product, max, min, sort.
 *
 * sum/product are exact on integers of any size; with any non-integer they accumulate in OPA's
 * 64-bit-mantissa floats (see numbers.ts), like Go's big.Float. max/min/sort order numbers by
 * the decimals they denote (value.ts `compare`), exact for long decimals too.
 */
import { RObject, RSet, compare, isNumber, normNum, type Num, type Value } from "../value";
import { operandError } from "./types";
import {
  bfAdd,
  bfMul,
  bigFloatToValue,
  isIntegral,
  toBigFloat,
  toBigInt,
  type BigFloat,
  defineSafe,
} from "./numbers";
import { elementError } from "./operands";

function collection(name: string, v: Value): Value[] {
  if (Array.isArray(v)) return v;
  if (v instanceof RSet) return v.sortedValues();
  throw operandError(name, 1, "one of {set, array}", v);
}

function count(args: Value[]): Value {
  const v = args[0];
  if (Array.isArray(v)) return v.length;
  if (v instanceof RObject || v instanceof RSet) return v.size;
  if (typeof v === "string") {
    let n = 0;
    for (const _ of v) n++;
    return n;
  }
  throw operandError("count", 1, "one of {array, object, set, string}", v);
}

function accumulate(name: string, v: Value, mul: boolean): Value {
  const items = collection(name, v);
  if (items.every((x) => isNumber(x) && isIntegral(x))) {
    let acc = mul ? 1n : 0n;
    for (const x of items) acc = mul ? acc * toBigInt(x as Num) : acc + toBigInt(x as Num);
    return normNum(acc);
  }
  let acc: BigFloat = toBigFloat(mul ? 1 : 0);
  for (const x of items) {
    if (!isNumber(x)) throw elementError(name, 1, v, x, "number");
    // OPA's product accumulator is big.NewFloat(1), which carries float64's 53-bit precision
    // (and its result is written back at that precision); the sum's is 64-bit.
    acc = mul ? bfMul(acc, toBigFloat(x), 53) : bfAdd(acc, toBigFloat(x));
  }
  return bigFloatToValue(acc, mul ? 53 : 64);
}

function extreme(name: string, v: Value, max: boolean): Value | undefined {
  const items = collection(name, v);
  if (items.length === 0) return undefined;
  let best = items[0];
  for (const x of items) {
    const c = compare(best, x);
    if (max ? c <= 0 : c >= 0) best = x;
  }
  return best;
}

function sort(args: Value[]): Value {
  return [...collection("sort", args[0])].sort(compare);
}

const COLL: readonly ("set" | "array")[] = ["set", "array"];

export const builtins = defineSafe([
  { name: "count", arity: 1, impl: count, args: [["array", "object", "set", "string"]] },
  { name: "sum", arity: 1, impl: (a) => accumulate("sum", a[0], false), args: [COLL] },
  { name: "product", arity: 1, impl: (a) => accumulate("product", a[0], true), args: [COLL] },
  { name: "max", arity: 1, impl: (a) => extreme("max", a[0], true), args: [COLL] },
  { name: "min", arity: 1, impl: (a) => extreme("min", a[0], false), args: [COLL] },
  { name: "sort", arity: 1, impl: sort, args: [COLL] },
]);
