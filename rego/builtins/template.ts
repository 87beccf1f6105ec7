/**
 * `internal.template_string`: the built-in behind template strings (`$"…{expr}…"`). The parser
 * turns each `{expr}` into the set of its values; an empty set renders as `<undefined>`.
 * Also `strings.render_template` (Go's text/template): OPA files it under strings, it lives here so
 * the strings every policy calls do not load the template engine (./gotemplate).
 */
import { RObject, RSet, isNumber, type Value } from "../value";
import { BuiltinError, defineAll } from "./types";
import { defineSafe } from "./numbers";
import { renderTemplate } from "./gotemplate";

/** A value as Rego prints it: strings bare at the top level, composites as Rego literals. */
export function regoText(v: Value, top = true): string {
  if (typeof v === "string") return top ? v : JSON.stringify(v);
  if (v === null) return "null";
  if (typeof v === "boolean") return String(v);
  if (isNumber(v)) return String(v);
  if (Array.isArray(v)) return "[" + v.map((x) => regoText(x, false)).join(", ") + "]";
  if (v instanceof RSet) {
    if (v.size === 0) return "set()";
    return (
      "{" +
      v
        .sortedValues()
        .map((x) => regoText(x, false))
        .join(", ") +
      "}"
    );
  }
  const o = v as RObject;
  return (
    "{" +
    o
      .sortedView()
      .map(([k, x]) => `${regoText(k, false)}: ${regoText(x, false)}`)
      .join(", ") +
    "}"
  );
}

function templateString(args: Value[]): Value {
  const parts = args[0];
  if (!Array.isArray(parts)) throw new BuiltinError("internal.template_string: invalid parts");
  let out = "";
  for (const p of parts) {
    if (typeof p === "string") out += p;
    else if (p instanceof RSet) {
      if (p.size === 0) out += "<undefined>";
      else if (p.size === 1) out += regoText(p.sortedValues()[0]);
      else
        throw new BuiltinError(
          "internal.template_string: template-expression must not produce multiple outputs",
        );
    } else out += regoText(p);
  }
  return out;
}

export const builtins = {
  ...defineAll([{ name: "internal.template_string", arity: 1, impl: templateString }]),
  ...defineSafe([
    {
      name: "strings.render_template",
      arity: 2,
      impl: renderTemplate,
      args: [["string"], ["object"]],
    },
  ]),
};
