import { compile, type EvalOptions } from "../../rego/index";

/** Compile one module (file "p.rego") and return the bindings of every result of `query`. */
export function run(
  source: string | string[],
  query: string,
  opts?: EvalOptions,
): Record<string, unknown>[] {
  const sources = Array.isArray(source) ? source : [source];
  const policy = compile(sources.map((s, i) => ({ file: `p${i}.rego`, source: s })));
  return policy
    .prepare(query)
    .eval(opts)
    .map((r) => r.bindings);
}

/** The value bound to x by `x = <ref>`, or undefined when the query has no result. */
export function value(source: string | string[], ref: string, opts?: EvalOptions): unknown {
  const rs = run(source, `x = ${ref}`, opts);
  return rs.length === 0 ? undefined : rs[0].x;
}
