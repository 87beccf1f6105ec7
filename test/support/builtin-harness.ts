/**
 * Calls Rego built-ins directly, the way the evaluator does: a fresh per-query context (its own
 * cache, a fixed clock) and the declared arity checked on every call.
 */
import { expect } from "vitest";
import type { Value } from "../../rego/value";
import type { BuiltinContext, BuiltinDef } from "../../rego/builtins/types";

/** A per-query context whose `time.now_ns` reads `nowNs`; prints are dropped. */
export function builtinContext(nowNs: bigint = 0n): BuiltinContext {
  return { nowNs, cache: new Map(), print: () => undefined };
}

/** The error `run` throws; fails the test, naming `what`, when it throws none. */
export function thrownBy(what: string, run: () => unknown): Error {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  throw new Error(`${what} did not fail`);
}

/** Calls `name` from `table` in context `c`; throws for a name the table does not hold. */
export function callBuiltin(
  table: Readonly<Record<string, BuiltinDef>>,
  c: BuiltinContext,
  name: string,
  ...args: Value[]
): Value | undefined {
  const def = table[name];
  if (!def) throw new Error(`no built-in ${name}`);
  expect(args.length).toBe(def.arity);
  return def.impl(args, c);
}
