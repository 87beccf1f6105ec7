/**
 * Built-ins the language itself relies on: comparison operators, `in` membership, `walk`, `trace`.
 * (`print` is variadic and handled by the evaluator, which must see undefined arguments.)
 */
import { RObject, RSet, compare, equal, type Value } from "../value";
import { termString } from "./gofmt";
import { BuiltinError, BuiltinTypeError, defineAll } from "./types";

function member(x: Value, coll: Value): boolean {
  if (Array.isArray(coll)) return coll.some((v) => equal(v, x));
  if (coll instanceof RSet) return coll.has(x);
  if (coll instanceof RObject) {
    for (const [, v] of coll.entries()) if (equal(v, x)) return true;
    return false;
  }
  return false;
}

function member3(k: Value, v: Value, coll: Value): boolean {
  if (Array.isArray(coll)) {
    return (
      typeof k === "number" && Number.isInteger(k) && k >= 0 && k < coll.length && equal(coll[k], v)
    );
  }
  if (coll instanceof RObject) {
    const got = coll.get(k);
    return got !== undefined && equal(got, v);
  }
  if (coll instanceof RSet) return equal(k, v) && coll.has(k);
  return false;
}

/** Every [path, value] pair under v, root first (the evaluator iterates them for `walk(x, [p, v])`). */
export function walkPairs(v: Value): Value[] {
  const out: Value[] = [];
  const go = (path: Value[], x: Value): void => {
    out.push([path.slice(), x]);
    if (Array.isArray(x)) {
      x.forEach((c, i) => {
        path.push(i);
        go(path, c);
        path.pop();
      });
    } else if (x instanceof RObject) {
      for (const [k, c] of x.sortedEntries()) {
        path.push(k);
        go(path, c);
        path.pop();
      }
    } else if (x instanceof RSet) {
      for (const c of x.sortedValues()) {
        path.push(c);
        go(path, c);
        path.pop();
      }
    }
  };
  go([], v);
  return out;
}

/** Request keys http.send accepts, and those it requires (OPA's topdown/http.go). */
const HTTP_SEND_KEYS = new Set([
  "method",
  "url",
  "body",
  "enable_redirect",
  "force_json_decode",
  "force_yaml_decode",
  "headers",
  "raw_body",
  "tls_use_system_certs",
  "tls_ca_cert",
  "tls_ca_cert_file",
  "tls_ca_cert_env_variable",
  "tls_client_cert",
  "tls_client_cert_file",
  "tls_client_cert_env_variable",
  "tls_client_key",
  "tls_client_key_file",
  "tls_client_key_env_variable",
  "tls_insecure_skip_verify",
  "tls_server_name",
  "timeout",
  "cache",
  "force_cache",
  "force_cache_duration_seconds",
  "raise_error",
  "caching_mode",
  "max_retry_attempts",
  "cache_ignored_headers",
]);

/** OPA's operand check of an http.send request, as its message text; undefined when it passes. */
function httpSendRequestProblem(req: Value): string | undefined {
  if (!(req instanceof RObject)) return undefined; // the type checker / operand check reports it
  const keys = [...req.entries()].map(([k]) => k);
  const invalid = keys.filter((k) => typeof k !== "string" || !HTTP_SEND_KEYS.has(k));
  if (invalid.length > 0)
    return `operand 1 invalid request parameters(s): ${termString(new RSet(invalid))}`;
  const missing = ["method", "url"].filter((k) => req.get(k) === undefined);
  if (missing.length > 0)
    return `operand 1 missing required request parameters(s): ${termString(new RSet(missing))}`;
  return undefined;
}

export const builtins = defineAll([
  { name: "equal", arity: 2, impl: ([a, b]) => equal(a, b) },
  { name: "neq", arity: 2, impl: ([a, b]) => !equal(a, b) },
  { name: "lt", arity: 2, impl: ([a, b]) => compare(a, b) < 0 },
  { name: "gt", arity: 2, impl: ([a, b]) => compare(a, b) > 0 },
  { name: "lte", arity: 2, impl: ([a, b]) => compare(a, b) <= 0 },
  { name: "gte", arity: 2, impl: ([a, b]) => compare(a, b) >= 0 },
  { name: "internal.member_2", arity: 2, impl: ([x, c]) => member(x, c) },
  { name: "internal.member_3", arity: 3, impl: ([k, v, c]) => member3(k, v, c) },
  { name: "walk", arity: 1, impl: ([x]) => walkPairs(x) },
  {
    // Declared so policies and tests can mock it with `with http.send as …`; this engine never
    // performs network calls while evaluating policies.
    name: "http.send",
    arity: 1,
    impl: ([req]) => {
      // OPA checks the request object before sending anything, so a malformed request is reported
      // as OPA would (or, with raise_error false, returned as OPA's error response).
      const bad = httpSendRequestProblem(req);
      if (bad !== undefined) {
        if (req instanceof RObject && req.get("raise_error") === false)
          return RObject.fromRecord({
            status_code: 0,
            error: RObject.fromRecord({
              code: "eval_http_send_internal_error",
              message: `eval_type_error: http.send: ${bad}`,
            }),
          });
        throw new BuiltinTypeError(`http.send: ${bad}`);
      }
      throw new BuiltinError("http.send: network access is disabled in this engine");
    },
    nondeterministic: true,
  },
  {
    // DNS is network access too: refused, and mockable with `with net.lookup_ip_addr as …`
    name: "net.lookup_ip_addr",
    arity: 1,
    impl: () => {
      throw new BuiltinError("net.lookup_ip_addr: network access is disabled in this engine");
    },
    nondeterministic: true,
  },
  {
    // OPA returns its runtime configuration and environment; this engine exposes none (the
    // environment may hold Vault tokens), so the document is empty, as OPA's is without a runtime.
    name: "opa.runtime",
    arity: 0,
    impl: () => new RObject(),
    nondeterministic: true,
  },
  {
    name: "trace",
    arity: 1,
    impl: ([note], ctx) => {
      if (typeof note === "string") ctx.print(note);
      return true;
    },
  },
]);
