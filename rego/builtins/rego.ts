/**
 * The `rego.*` built-ins: the METADATA annotations of the rule being evaluated
 * (see rego/annotations.ts for how they are parsed and chained), and rego.parse_module
 * (astjson.ts).
 */
import { RObject, type Value } from "../value";
import { defineAll, type BuiltinContext } from "./types";
import { builtins as parseModule } from "./astjson";

function metadata(what: "rule" | "chain", ctx: BuiltinContext): Value {
  return ctx.metadata?.(what) ?? (what === "rule" ? new RObject() : []);
}

export const builtins = {
  ...parseModule,
  ...defineAll([
    {
      name: "rego.metadata.rule",
      arity: 0,
      impl: (_args, ctx) => metadata("rule", ctx),
      nondeterministic: true,
    },
    {
      name: "rego.metadata.chain",
      arity: 0,
      impl: (_args, ctx) => metadata("chain", ctx),
      nondeterministic: true,
    },
  ]),
};
