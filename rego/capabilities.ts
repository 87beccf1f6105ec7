/**
 * Which built-ins a compiled program may call: the registry, narrowed by an OPA capabilities
 * document (`opa build --capabilities`: only the built-ins it lists exist) and extended by
 * built-ins a host program registers in TypeScript (like OPA's Go `rego.Function`). A built-in a
 * capabilities file declares but nobody implements compiles (so tests can mock it with `with`)
 * and fails with a clear error if called.
 */
import { BUILTINS } from "./builtins";
import { BuiltinError, type BuiltinDef, type BuiltinContext } from "./builtins/types";
import { fromJS, toJS, type Value } from "./value";

/** A built-in written in TypeScript: plain JSON-like arguments in, a JSON-like result out. */
export interface CustomBuiltin {
  readonly arity: number;
  /** Return undefined for "undefined"; throw to raise a built-in error (undefined unless strict). */
  readonly impl: (args: unknown[], ctx: { readonly nowNs: bigint }) => unknown;
  /** Works on Rego values directly (sets stay sets) instead of plain JS. */
  readonly raw?: (args: Value[], ctx: BuiltinContext) => Value | undefined;
  readonly nondeterministic?: boolean;
}

/** The parts of OPA's capabilities JSON this engine reads. */
export interface Capabilities {
  readonly builtins?: readonly { name: string; decl?: { args?: readonly unknown[] } }[];
  readonly allow_net?: readonly string[];
  readonly future_keywords?: readonly string[];
  readonly features?: readonly string[];
}

export interface BuiltinSetOptions {
  readonly capabilities?: Capabilities;
  readonly builtins?: Readonly<Record<string, CustomBuiltin>>;
}

function wrap(name: string, c: CustomBuiltin): BuiltinDef {
  if (c.raw) return { name, arity: c.arity, impl: c.raw, nondeterministic: c.nondeterministic };
  return {
    name,
    arity: c.arity,
    nondeterministic: c.nondeterministic,
    impl: (args, ctx) => {
      let r: unknown;
      try {
        r = c.impl(args.map(toJS), { nowNs: ctx.nowNs });
      } catch (err) {
        // a host function's own exception is a built-in error (undefined unless strict), as
        // OPA treats an error returned by a rego.Function
        if (err instanceof BuiltinError) throw err;
        throw new BuiltinError(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
      return r === undefined ? undefined : fromJS(r);
    },
  };
}

function declaredOnly(name: string, arity: number): BuiltinDef {
  return {
    name,
    arity,
    impl: () => {
      throw new BuiltinError(
        `${name}: declared by the capabilities but not implemented here (mock it with \`with\` or register it)`,
      );
    },
  };
}

/** The built-in table for one program. */
export function builtinSet(opts: BuiltinSetOptions): Readonly<Record<string, BuiltinDef>> {
  if (!opts.capabilities && !opts.builtins) return BUILTINS;
  let table: Record<string, BuiltinDef>;
  if (opts.capabilities?.builtins) {
    table = {};
    for (const b of opts.capabilities.builtins) {
      const known = BUILTINS[b.name];
      const custom = opts.builtins?.[b.name];
      if (custom) table[b.name] = wrap(b.name, custom);
      else if (known) table[b.name] = known;
      else table[b.name] = declaredOnly(b.name, b.decl?.args?.length ?? 0);
    }
  } else table = lazyCopy(BUILTINS);
  for (const [name, c] of Object.entries(opts.builtins ?? {})) {
    Object.defineProperty(table, name, {
      value: wrap(name, c),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return table;
}

/** A copy of the registry that keeps its families unread until a name is looked up. */
function lazyCopy(from: Readonly<Record<string, BuiltinDef>>): Record<string, BuiltinDef> {
  const table: Record<string, BuiltinDef> = {};
  for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(from))) {
    Object.defineProperty(table, name, { ...d, configurable: true });
  }
  return table;
}

/** Checks a parsed capabilities document; returns a message for the first problem. */
export function capabilitiesProblem(doc: unknown): string | undefined {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return "must be a JSON object";
  const bs = (doc as Record<string, unknown>).builtins;
  if (bs === undefined) return undefined;
  if (!Array.isArray(bs)) return "builtins: must be a list";
  for (let i = 0; i < bs.length; i++) {
    const b = bs[i] as Record<string, unknown> | null;
    if (typeof b !== "object" || b === null || typeof b.name !== "string")
      return `builtins[${i}].name: must be a string`;
    const decl = b.decl as Record<string, unknown> | undefined;
    if (
      decl !== undefined &&
      (typeof decl !== "object" || (decl.args !== undefined && !Array.isArray(decl.args)))
    )
      return `builtins[${i}].decl.args: must be a list`;
  }
  return undefined;
}
