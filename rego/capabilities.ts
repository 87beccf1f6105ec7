/**
 * Which built-ins a compiled program may call: the registry, narrowed by an OPA capabilities
 * document (`opa build --capabilities`: only the built-ins it lists exist) and extended by
 * built-ins a host program registers in TypeScript (like OPA's Go `rego.Function`). A built-in a
 * capabilities file declares but nobody implements compiles (so tests can mock it with `with`)
 * and fails with a clear error if called.
 */
import { BUILTINS } from "./builtins";
import { declOf, signatures, type TypeDecl } from "./builtins/signatures";
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
  } else table = { ...BUILTINS };
  for (const [name, c] of Object.entries(opts.builtins ?? {})) table[name] = wrap(name, c);
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

/** One entry of OPA's capabilities `builtins` list. */
export interface CapabilityBuiltin {
  readonly name: string;
  readonly decl: TypeDecl;
  readonly infix?: string;
  readonly relation?: boolean;
  readonly deprecated?: boolean;
  readonly nondeterministic?: boolean;
}

/** OPA's capabilities document (`opa capabilities --current`), as this engine fills it. */
export interface CapabilitiesDocument {
  readonly builtins: readonly CapabilityBuiltin[];
  readonly future_keywords: readonly string[];
  readonly features: readonly string[];
}

/** Built-ins the evaluator implements itself rather than the registry; OPA lists them too. */
const EVALUATOR_BUILTINS = ["assign", "eq", "print"];
/** Keywords v1 modules still import (`import future.keywords.or`); the parser's opt-in set. */
const FUTURE_KEYWORDS = ["and", "not", "or"];
/** OPA's names for the language features this parser implements. */
const FEATURES = ["keywords_in_refs", "rego_v1", "template_strings"];

/**
 * This engine's capabilities in OPA's JSON shape: every built-in in `table` (the whole registry
 * unless narrowed) with OPA's declared types, sorted by name as OPA sorts them. A built-in OPA
 * does not declare (one a host registered) gets `any` for each argument and for its result.
 */
export function engineCapabilities(
  table: Readonly<Record<string, BuiltinDef>> = BUILTINS,
): CapabilitiesDocument {
  const sigs = signatures();
  const names = [...new Set([...Object.keys(table), ...EVALUATOR_BUILTINS])].sort();
  const builtins = names.map((name): CapabilityBuiltin => {
    const sig = sigs.get(name);
    if (sig)
      return {
        name,
        decl: declOf(sig),
        ...(sig.infix !== undefined && { infix: sig.infix }),
        ...(sig.relation && { relation: true }),
        ...(sig.deprecated && { deprecated: true }),
        ...(sig.nondeterministic && { nondeterministic: true }),
      };
    const def = table[name];
    const any = { type: "any" };
    return {
      name,
      decl: {
        ...(def.arity > 0 && { args: Array.from({ length: def.arity }, () => any) }),
        result: any,
        type: "function",
      },
      ...(def.nondeterministic && { nondeterministic: true }),
    };
  });
  return { builtins, future_keywords: FUTURE_KEYWORDS, features: FEATURES };
}
