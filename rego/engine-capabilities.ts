/**
 * This engine's capabilities in OPA's JSON shape (`tokenwarden policy capabilities`, like
 * `opa capabilities --current`). Apart from ./capabilities.ts so that compiling and evaluating a
 * program never reads OPA's signature table.
 */
import { BUILTINS } from "./builtins";
import { declOf, signatures, type TypeDecl } from "./builtins/signatures";
import type { BuiltinDef } from "./builtins/types";

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
