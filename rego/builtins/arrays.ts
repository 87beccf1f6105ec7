/** Array built-ins: array.concat, array.slice, array.reverse, array.flatten. */
import type { Value } from "../value";
import { operandError } from "./types";
import { intOperand, defineSafe } from "./numbers";

function arr(name: string, v: Value, pos: number): Value[] {
  if (!Array.isArray(v)) throw operandError(name, pos, "array", v);
  return v;
}

function slice(args: Value[]): Value {
  const a = arr("array.slice", args[0], 1);
  let start = intOperand("array.slice", args[1], 2);
  let stop = intOperand("array.slice", args[2], 3);
  // Clamp like OPA: stop into [0, len], start into [0, stop].
  if (stop < 0) stop = 0;
  else if (stop > a.length) stop = a.length;
  if (start < 0) start = 0;
  else if (start > stop) start = stop;
  return a.slice(start, stop);
}

function flatten(args: Value[]): Value {
  const out: Value[] = [];
  for (const x of arr("array.flatten", args[0], 1)) {
    if (Array.isArray(x)) out.push(...x);
    else out.push(x);
  }
  return out;
}

export const builtins = defineSafe([
  {
    name: "array.concat",
    arity: 2,
    impl: (a) => [...arr("array.concat", a[0], 1), ...arr("array.concat", a[1], 2)],
    args: [["array"], ["array"]],
  },
  { name: "array.slice", arity: 3, impl: slice, args: [["array"], ["number"], ["number"]] },
  {
    name: "array.reverse",
    arity: 1,
    impl: (a) => [...arr("array.reverse", a[0], 1)].reverse(),
    args: [["array"]],
  },
  { name: "array.flatten", arity: 1, impl: flatten, args: [["array"]] },
]);
