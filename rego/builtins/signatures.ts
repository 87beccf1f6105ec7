/**
 * The signatures OPA declares for its built-ins (OPA v1.20.2's capabilities: name, argument and
 * result types, and the infix / relation / deprecated / nondeterministic marks), in a compact
 * notation of our own, so this engine can publish its capabilities in OPA's JSON shape and a
 * test can hold the registry to OPA's names and arities.
 *
 * Notation, one built-in per line: `name(arg,arg…) result flags…`
 *   s n b null any      string, number, boolean, null, any
 *   A<T>  [T,T…]        array of T (dynamic) / array with these element types (static)
 *   S<T>                set of T
 *   O<K,V>  O{k:T…}     object with K keys and V values / with these named keys (both may combine)
 *   (T|T…)              any of these types
 *   ...T                variadic (print);  `-` as the result: the built-in has none
 *   flags: infix=<op> relation deprecated nondeterministic
 */

/** OPA's JSON form of a type (keys in the order OPA writes them). */
export type TypeDecl = { readonly [k: string]: unknown };

export interface Signature {
  readonly name: string;
  /** Argument types; undefined for a variadic built-in. */
  readonly args?: readonly TypeDecl[];
  readonly variadic?: TypeDecl;
  readonly result?: TypeDecl;
  readonly infix?: string;
  readonly relation?: boolean;
  readonly deprecated?: boolean;
  readonly nondeterministic?: boolean;
}

/** The OPA release whose built-in list this table follows. */
export const SIGNATURES_VERSION = "v1.20.2";

const TABLE = `
  abs(n) n
  all((A<any>|S<any>)) b deprecated
  and(S<any>,S<any>) S<any> infix=&
  any((A<any>|S<any>)) b deprecated
  array.concat(A<any>,A<any>) A<any>
  array.flatten(A<any>) A<any>
  array.reverse(A<any>) A<any>
  array.slice(A<any>,n,n) A<any>
  assign(any,any) b infix=:=
  base64.decode(s) s
  base64.encode(s) s
  base64.is_valid(s) b
  base64url.decode(s) s
  base64url.encode(s) s
  base64url.encode_no_pad(s) s
  bits.and(n,n) n
  bits.lsh(n,n) n
  bits.negate(n) n
  bits.or(n,n) n
  bits.rsh(n,n) n
  bits.xor(n,n) n
  cast_array(any) A<any> deprecated
  cast_boolean(any) b deprecated
  cast_null(any) null deprecated
  cast_object(any) O<any,any> deprecated
  cast_set(any) S<any> deprecated
  cast_string(any) s deprecated
  ceil(n) n
  concat(s,(A<s>|S<s>)) s
  contains(s,s) b
  count((s|A<any>|O<any,any>|S<any>)) n
  crypto.hmac.equal(s,s) b
  crypto.hmac.md5(s,s) s
  crypto.hmac.sha1(s,s) s
  crypto.hmac.sha256(s,s) s
  crypto.hmac.sha512(s,s) s
  crypto.md5(s) s
  crypto.parse_private_keys(s) A<O<s,any>>
  crypto.sha1(s) s
  crypto.sha256(s) s
  crypto.x509.parse_and_verify_certificates(s) [b,A<O<s,any>>]
  crypto.x509.parse_and_verify_certificates_with_options(s,O<s,any>) [b,A<O<s,any>>]
  crypto.x509.parse_certificate_request(s) O<s,any>
  crypto.x509.parse_certificates(s) A<O<s,any>>
  crypto.x509.parse_keypair(s,s) O<s,any>
  crypto.x509.parse_rsa_private_key(s) O<s,any>
  div(n,n) n infix=/
  endswith(s,s) b
  eq(any,any) b infix==
  equal(any,any) b infix===
  floor(n) n
  format_int(n,n) s
  glob.match(s,(null|A<s>),s) b
  glob.quote_meta(s) s
  graph.reachable(O<any,(A<any>|S<any>)>,(A<any>|S<any>)) S<any>
  graph.reachable_paths(O<any,(A<any>|S<any>)>,(A<any>|S<any>)) S<A<any>>
  graphql.is_valid((s|O<any,any>),(s|O<any,any>)) b
  graphql.parse((s|O<any,any>),(s|O<any,any>)) [O<any,any>,O<any,any>]
  graphql.parse_and_verify((s|O<any,any>),(s|O<any,any>)) [b,O<any,any>,O<any,any>]
  graphql.parse_query(s) O<any,any>
  graphql.parse_schema(s) O<any,any>
  graphql.schema_is_valid((s|O<any,any>)) b
  gt(any,any) b infix=>
  gte(any,any) b infix=>=
  hex.decode(s) s
  hex.encode(s) s
  http.send(O<s,any>) O<any,any> nondeterministic
  indexof(s,s) n
  indexof_n(s,s) A<n>
  internal.member_2(any,any) b infix=in
  internal.member_3(any,any,any) b infix=in
  internal.print(A<S<any>>) -
  internal.template_string(A<any>) s
  internal.test_case(A<any>) -
  intersection(S<S<any>>) S<any>
  io.jwt.decode(s) [O<any,any>,O<any,any>,s]
  io.jwt.decode_verify(s,O<s,any>) [b,O<any,any>,O<any,any>] nondeterministic
  io.jwt.encode_sign(O<s,any>,O<s,any>,O<s,any>) s nondeterministic
  io.jwt.encode_sign_raw(s,s,s) s nondeterministic
  io.jwt.verify_eddsa(s,s) b
  io.jwt.verify_es256(s,s) b
  io.jwt.verify_es384(s,s) b
  io.jwt.verify_es512(s,s) b
  io.jwt.verify_hs256(s,s) b
  io.jwt.verify_hs384(s,s) b
  io.jwt.verify_hs512(s,s) b
  io.jwt.verify_ps256(s,s) b
  io.jwt.verify_ps384(s,s) b
  io.jwt.verify_ps512(s,s) b
  io.jwt.verify_rs256(s,s) b
  io.jwt.verify_rs384(s,s) b
  io.jwt.verify_rs512(s,s) b
  is_array(any) b
  is_boolean(any) b
  is_null(any) b
  is_number(any) b
  is_object(any) b
  is_set(any) b
  is_string(any) b
  json.filter(O<any,any>,(A<(s|A<any>)>|S<(s|A<any>)>)) O<any,any>
  json.is_valid(s) b
  json.marshal(any) s
  json.marshal_with_options(any,O{indent:s,prefix:s,pretty:b}<s,any>) s
  json.match_schema((s|O<any,any>),(s|O<any,any>)) [b,A<O{desc:s,error:s,field:s,type:s}>]
  json.patch(any,A<O{op:s,path:any}<any,any>>) any
  json.remove(O<any,any>,(A<(s|A<any>)>|S<(s|A<any>)>)) O<any,any>
  json.unmarshal(s) any
  json.verify_schema((s|O<any,any>)) [b,(null|s)]
  lower(s) s
  lt(any,any) b infix=<
  lte(any,any) b infix=<=
  max((A<any>|S<any>)) any
  min((A<any>|S<any>)) any
  minus((n|S<any>),(n|S<any>)) (n|S<any>) infix=-
  mul(n,n) n infix=*
  neq(any,any) b infix=!=
  net.cidr_contains(s,s) b
  net.cidr_contains_matches((s|A<(s|A<any>)>|O<s,(s|A<any>)>|S<(s|A<any>)>),(s|A<(s|A<any>)>|O<s,(s|A<any>)>|S<(s|A<any>)>)) S<[any,any]>
  net.cidr_expand(s) S<s>
  net.cidr_intersects(s,s) b
  net.cidr_is_valid(s) b
  net.cidr_merge((A<(s)>|S<s>)) S<s>
  net.cidr_overlap(s,s) b deprecated
  net.lookup_ip_addr(s) S<s> nondeterministic
  numbers.range(n,n) A<n>
  numbers.range_step(n,n,n) A<n>
  object.filter(O<any,any>,(A<any>|O<any,any>|S<any>)) O<any,any>
  object.get(O<any,any>,any,any) any
  object.keys(O<any,any>) S<any>
  object.remove(O<any,any>,(A<any>|O<any,any>|S<any>)) O<any,any>
  object.subset((A<any>|O<any,any>|S<any>),(A<any>|O<any,any>|S<any>)) b
  object.union(O<any,any>,O<any,any>) O<any,any>
  object.union_n(A<O<any,any>>) O<any,any>
  opa.runtime() O<s,any> nondeterministic
  or(S<any>,S<any>) S<any> infix=|
  plus(n,n) n infix=+
  print(...any) -
  product((A<n>|S<n>)) n
  providers.aws.sign_req(O<s,any>,O<s,any>,n) O<any,any>
  rand.intn(s,n) n nondeterministic
  re_match(s,s) b deprecated
  regex.find_all_string_submatch_n(s,s,n) A<A<s>>
  regex.find_n(s,s,n) A<s>
  regex.globs_match(s,s) b
  regex.is_valid(s) b
  regex.match(s,s) b
  regex.replace(s,s,s) s
  regex.split(s,s) A<s>
  regex.template_match(s,s,s,s) b
  rego.metadata.chain() A<any>
  rego.metadata.rule() any
  rego.parse_module(s,s) O<s,any>
  rem(n,n) n infix=%
  replace(s,s,s) s
  round(n) n
  semver.compare(s,s) n
  semver.is_valid(any) b
  set_diff(S<any>,S<any>) S<any> deprecated
  sort((A<any>|S<any>)) A<any>
  split(s,s) A<s>
  sprintf(s,A<any>) s
  startswith(s,s) b
  strings.any_prefix_match((s|A<s>|S<s>),(s|A<s>|S<s>)) b
  strings.any_suffix_match((s|A<s>|S<s>),(s|A<s>|S<s>)) b
  strings.count(s,s) n
  strings.render_template(s,O<s,any>) s
  strings.replace_n(O<s,s>,s) s
  strings.reverse(s) s
  strings.split_n(s,s,n) A<s>
  substring(s,n,n) s
  sum((A<n>|S<n>)) n
  time.add_date(n,n,n,n) n
  time.clock((n|[n,s])) [n,n,n]
  time.date((n|[n,s])) [n,n,n]
  time.diff((n|[n,s]),(n|[n,s])) [n,n,n,n,n,n]
  time.format((n|[n,s]|[n,s,s])) s
  time.now_ns() n nondeterministic
  time.parse_duration_ns(s) n
  time.parse_ns(s,s) n
  time.parse_rfc3339_ns(s) n
  time.weekday((n|[n,s])) s
  to_number((null|b|n|s)) n
  trace(s) b
  trim(s,s) s
  trim_left(s,s) s
  trim_prefix(s,s) s
  trim_right(s,s) s
  trim_space(s) s
  trim_suffix(s,s) s
  type_name(any) s
  union(S<S<any>>) S<any>
  units.parse(s) n
  units.parse_bytes(s) n
  upper(s) s
  uri.is_valid(s) b
  uri.parse(s) O<s,s>
  urlquery.decode(s) s
  urlquery.decode_object(s) O<s,A<s>>
  urlquery.encode(s) s
  urlquery.encode_object(O<s,(s|A<s>|S<s>)>) s
  uuid.parse(s) O<s,any>
  uuid.rfc4122(s) s nondeterministic
  walk(any) [A<any>,any] relation
  yaml.is_valid(s) b
  yaml.marshal(any) s
  yaml.unmarshal(s) any
`;

/** Splits `s` at `sep` where it is not nested in brackets. */
function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const c of s) {
    if ("(<[{".includes(c)) depth++;
    if (")>]}".includes(c)) depth--;
    if (c === sep && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  if (cur !== "") out.push(cur);
  return out;
}

const SCALARS: Record<string, string> = {
  s: "string",
  n: "number",
  b: "boolean",
  null: "null",
  any: "any",
};

/** One type in the notation above → OPA's JSON type. */
export function parseType(t: string): TypeDecl {
  if (SCALARS[t]) return { type: SCALARS[t] };
  if (t.startsWith("(") && t.endsWith(")"))
    return { of: splitTop(t.slice(1, -1), "|").map(parseType), type: "any" };
  if (t.startsWith("[") && t.endsWith("]"))
    return { static: splitTop(t.slice(1, -1), ",").map(parseType), type: "array" };
  if (t.startsWith("A<") && t.endsWith(">"))
    return { dynamic: parseType(t.slice(2, -1)), type: "array" };
  if (t.startsWith("S<") && t.endsWith(">")) return { of: parseType(t.slice(2, -1)), type: "set" };
  if (t.startsWith("O")) {
    let rest = t.slice(1);
    let statics: { key: string; value: TypeDecl }[] | undefined;
    if (rest.startsWith("{")) {
      const end = rest.indexOf("}");
      statics = splitTop(rest.slice(1, end), ",").map((kv) => {
        const i = kv.indexOf(":");
        return { key: kv.slice(0, i), value: parseType(kv.slice(i + 1)) };
      });
      rest = rest.slice(end + 1);
    }
    let dynamic: { key: TypeDecl; value: TypeDecl } | undefined;
    if (rest.startsWith("<") && rest.endsWith(">")) {
      const [k, v] = splitTop(rest.slice(1, -1), ",");
      dynamic = { key: parseType(k), value: parseType(v) };
    } else if (rest !== "") throw new Error(`bad object type ${t}`);
    return { ...(dynamic && { dynamic }), ...(statics && { static: statics }), type: "object" };
  }
  throw new Error(`bad type ${t}`);
}

function parseLine(line: string): Signature {
  const open = line.indexOf("(");
  const name = line.slice(0, open);
  let depth = 0;
  let close = open;
  for (; close < line.length; close++) {
    if (line[close] === "(") depth++;
    if (line[close] === ")" && --depth === 0) break;
  }
  const argText = line.slice(open + 1, close);
  const [result, ...flags] = line
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const sig: {
    -readonly [K in keyof Signature]: Signature[K];
  } = { name };
  if (argText.startsWith("...")) sig.variadic = parseType(argText.slice(3));
  else sig.args = splitTop(argText, ",").map(parseType);
  if (result !== "-") sig.result = parseType(result);
  for (const f of flags) {
    if (f.startsWith("infix=")) sig.infix = f.slice("infix=".length);
    else if (f === "relation" || f === "deprecated" || f === "nondeterministic") sig[f] = true;
    else throw new Error(`bad flag ${f} for ${name}`);
  }
  return sig;
}

let parsed: ReadonlyMap<string, Signature> | undefined;

/** OPA's declared signatures, by built-in name (parsed on first use). */
export function signatures(): ReadonlyMap<string, Signature> {
  parsed ??= new Map(
    TABLE.trim()
      .split("\n")
      .map((l) => parseLine(l.trim()))
      .map((s) => [s.name, s]),
  );
  return parsed;
}

/** OPA's `decl` object for a signature. */
export function declOf(sig: Signature): TypeDecl {
  return {
    ...(sig.args && sig.args.length > 0 && { args: sig.args }),
    ...(sig.result && { result: sig.result }),
    type: "function",
    ...(sig.variadic && { variadic: sig.variadic }),
  };
}
