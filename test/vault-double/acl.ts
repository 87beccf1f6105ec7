/**
 * ACL policies: parsed from HCL (the subset Vault policies use) and compiled once per policy;
 * a token's policy set is merged into one ACL (cached) and checked on every request.
 *
 * Matching follows Vault's vault/acl.go and the "Priority matching" rules in Vault's policy docs
 * (https://developer.hashicorp.com/vault/docs/concepts/policies#priority-matching):
 * an exact path rule wins; otherwise, among rules ending in `*` (prefix glob) or holding `+`
 * (exactly one segment), the most specific wins — the one whose first wildcard comes later,
 * then one not ending in `*`, then fewer `+` segments, then the longer path, then the
 * lexicographically larger. Rules with the same path string from several policies are merged
 * first (capabilities unioned; `deny` in any of them wins). A LIST of `a/b/` may also match a rule
 * for `a/b`. Root-protected paths need `sudo` as well.
 */

export type Capability =
  "create" | "read" | "update" | "patch" | "delete" | "list" | "sudo" | "deny" | "subscribe";

const CAPABILITIES = new Set<string>([
  "create",
  "read",
  "update",
  "patch",
  "delete",
  "list",
  "sudo",
  "deny",
  "subscribe",
]);

/** Old-style `policy = "write"` shorthands (vault/policy.go). */
const SHORTHAND: Record<string, Capability[]> = {
  deny: ["deny"],
  read: ["read", "list"],
  write: ["create", "read", "update", "delete", "list"],
  sudo: ["create", "read", "update", "delete", "list", "sudo"],
};

export interface PathRule {
  readonly path: string;
  readonly capabilities: ReadonlySet<Capability>;
}

export interface ParsedPolicy {
  readonly name: string;
  readonly raw: string;
  readonly rules: PathRule[];
}

export class PolicyParseError extends Error {}

// ---------------------------------------------------------------------------------------------
// A small HCL reader: blocks (`path "x" { … }`), attributes (`k = v`), strings, numbers, bools,
// lists and objects; `#`, `//` and `/* */` comments.

type HclValue = string | number | boolean | HclValue[] | { [k: string]: HclValue };
interface HclBlock {
  type: string;
  labels: string[];
  body: HclBody;
}
interface HclBody {
  attrs: Record<string, HclValue>;
  blocks: HclBlock[];
}

interface Tok {
  t: "str" | "ident" | "num" | "punct";
  v: string;
  line: number;
}

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let line = 1;
  while (i < src.length) {
    const c = src[i];
    if (c === "\n") {
      line++;
      i++;
    } else if (/\s/.test(c) || c === ",") {
      if (c === ",") out.push({ t: "punct", v: ",", line });
      i++;
    } else if (c === "#" || (c === "/" && src[i + 1] === "/")) {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      if (end < 0) throw new PolicyParseError(`line ${line}: unterminated comment`);
      line += (src.slice(i, end).match(/\n/g) ?? []).length;
      i = end + 2;
    } else if (c === '"') {
      let s = "";
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === "\\" && i + 1 < src.length) {
          const n = src[i + 1];
          s += n === "n" ? "\n" : n === "t" ? "\t" : n;
          i += 2;
        } else {
          if (src[i] === "\n") throw new PolicyParseError(`line ${line}: unterminated string`);
          s += src[i++];
        }
      }
      if (i >= src.length) throw new PolicyParseError(`line ${line}: unterminated string`);
      i++;
      out.push({ t: "str", v: s, line });
    } else if ("{}[]=:".includes(c)) {
      out.push({ t: "punct", v: c === ":" ? "=" : c, line });
      i++;
    } else if (/[0-9-]/.test(c)) {
      const m = /^-?[0-9][0-9.]*/.exec(src.slice(i))!;
      out.push({ t: "num", v: m[0], line });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i))!;
      out.push({ t: "ident", v: m[0], line });
      i += m[0].length;
    } else {
      throw new PolicyParseError(`line ${line}: unexpected character ${JSON.stringify(c)}`);
    }
  }
  return out;
}

function parseHcl(src: string): HclBody {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const fail = (msg: string): never => {
    const t = toks[Math.min(p, toks.length - 1)];
    throw new PolicyParseError(`line ${t ? t.line : 1}: ${msg}`);
  };
  const expect = (v: string) => {
    const t = toks[p];
    if (!t || t.t !== "punct" || t.v !== v) fail(`expected "${v}"`);
    p++;
  };
  const skipCommas = () => {
    while (peek()?.t === "punct" && peek().v === ",") p++;
  };

  function value(): HclValue {
    const t = toks[p];
    if (!t) return fail("unexpected end of input");
    if (t.t === "str") {
      p++;
      return t.v;
    }
    if (t.t === "num") {
      p++;
      return Number(t.v);
    }
    if (t.t === "ident" && (t.v === "true" || t.v === "false")) {
      p++;
      return t.v === "true";
    }
    if (t.t === "punct" && t.v === "[") {
      p++;
      const items: HclValue[] = [];
      skipCommas();
      while (!(peek()?.t === "punct" && peek().v === "]")) {
        if (!peek()) fail('expected "]"');
        items.push(value());
        skipCommas();
      }
      p++;
      return items;
    }
    if (t.t === "punct" && t.v === "{") {
      p++;
      const obj: Record<string, HclValue> = {};
      skipCommas();
      while (!(peek()?.t === "punct" && peek().v === "}")) {
        const k = toks[p];
        if (!k || (k.t !== "str" && k.t !== "ident")) fail("expected an object key");
        p++;
        expect("=");
        obj[k.v] = value();
        skipCommas();
      }
      p++;
      return obj;
    }
    return fail(`unexpected ${JSON.stringify(t.v)}`);
  }

  function body(untilBrace: boolean): HclBody {
    const attrs: Record<string, HclValue> = {};
    const blocks: HclBlock[] = [];
    while (p < toks.length) {
      skipCommas();
      const t = peek();
      if (!t) break;
      if (t.t === "punct" && t.v === "}") {
        if (!untilBrace) fail('unexpected "}"');
        p++;
        return { attrs, blocks };
      }
      if (t.t !== "ident" && t.t !== "str") fail(`unexpected ${JSON.stringify(t.v)}`);
      p++;
      const next = peek();
      if (next?.t === "punct" && next.v === "=") {
        p++;
        attrs[t.v] = value();
        continue;
      }
      const labels: string[] = [];
      while (peek()?.t === "str") labels.push(toks[p++].v);
      expect("{");
      blocks.push({ type: t.v, labels, body: body(true) });
    }
    if (untilBrace) fail('expected "}"');
    return { attrs, blocks };
  }

  return body(false);
}

/** Parse a policy's HCL (or its JSON form) into path rules, as Vault's ParseACLPolicy does. */
export function parsePolicy(name: string, raw: string): ParsedPolicy {
  let root: HclBody;
  const trimmed = raw.trim();
  if (trimmed.startsWith("{")) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (e) {
      throw new PolicyParseError(`failed to parse policy: ${(e as Error).message}`);
    }
    const paths = ((json as Record<string, unknown>).path ?? {}) as Record<string, unknown>;
    root = {
      attrs: {},
      blocks: Object.entries(paths).map(([p, b]) => ({
        type: "path",
        labels: [p],
        body: { attrs: b as Record<string, HclValue>, blocks: [] },
      })),
    };
  } else {
    root = parseHcl(raw);
  }
  const rules: PathRule[] = [];
  for (const block of root.blocks) {
    if (block.type !== "path") continue; // Vault ignores unknown top-level keys only in old versions; keep it lenient
    if (block.labels.length !== 1) throw new PolicyParseError("path block needs one path label");
    const caps = new Set<Capability>();
    const listed = block.body.attrs.capabilities;
    if (listed !== undefined) {
      if (!Array.isArray(listed))
        throw new PolicyParseError(`path "${block.labels[0]}": capabilities must be a list`);
      for (const c of listed) {
        const s = String(c).toLowerCase();
        if (!CAPABILITIES.has(s))
          throw new PolicyParseError(`path "${block.labels[0]}": invalid capability "${s}"`);
        caps.add(s as Capability);
      }
    }
    const shorthand = block.body.attrs.policy;
    if (typeof shorthand === "string") {
      const expanded = SHORTHAND[shorthand.toLowerCase()];
      if (!expanded)
        throw new PolicyParseError(`path "${block.labels[0]}": invalid policy "${shorthand}"`);
      expanded.forEach((c) => caps.add(c));
    }
    const path = block.labels[0].replace(/^\//, "");
    rules.push({ path, capabilities: caps });
  }
  return { name, raw, rules };
}

// ---------------------------------------------------------------------------------------------

interface WildRule {
  path: string;
  caps: Set<Capability>;
  prefix: string; // the path without a trailing '*'
  glob: boolean; // ends in '*'
  re: RegExp | undefined; // for rules holding '+'
  firstWildcard: number;
  plusCount: number;
}

function mergeCaps(into: Set<Capability>, from: ReadonlySet<Capability>) {
  from.forEach((c) => into.add(c));
}

/** Is `a` more specific than `b` (Vault's priority matching)? */
function moreSpecific(a: WildRule, b: WildRule): boolean {
  if (a.firstWildcard !== b.firstWildcard) return a.firstWildcard > b.firstWildcard;
  if (a.glob !== b.glob) return !a.glob;
  if (a.plusCount !== b.plusCount) return a.plusCount < b.plusCount;
  if (a.path.length !== b.path.length) return a.path.length > b.path.length;
  return a.path > b.path;
}

function wildMatches(rule: WildRule, path: string): boolean {
  return rule.re ? rule.re.test(path) : path.startsWith(rule.prefix);
}

/** A rule holding `+` as a pattern: `+` is exactly one segment, a trailing `*` any remainder. */
function segmentPattern(path: string): RegExp {
  const glob = path.endsWith("*");
  const body = (glob ? path.slice(0, -1) : path)
    .split("/")
    .map((seg) => (seg === "+" ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${body}${glob ? "" : "$"}`);
}

/** One token's merged ACL. */
export class Acl {
  readonly root: boolean;
  private readonly exact = new Map<string, Set<Capability>>();
  private readonly wild: WildRule[] = [];

  constructor(policies: ParsedPolicy[], root: boolean) {
    this.root = root;
    const wildByPath = new Map<string, WildRule>();
    for (const pol of policies) {
      for (const r of pol.rules) {
        const isWild = r.path.endsWith("*") || r.path.includes("+");
        if (!isWild) {
          const caps = this.exact.get(r.path) ?? new Set();
          mergeCaps(caps, r.capabilities);
          this.exact.set(r.path, caps);
          continue;
        }
        let w = wildByPath.get(r.path);
        if (!w) {
          const glob = r.path.endsWith("*");
          const firstPlus = r.path.indexOf("+");
          const firstStar = glob ? r.path.length - 1 : -1;
          const firstWildcard =
            firstPlus < 0 ? firstStar : firstStar < 0 ? firstPlus : Math.min(firstPlus, firstStar);
          w = {
            path: r.path,
            caps: new Set(),
            prefix: glob ? r.path.slice(0, -1) : r.path,
            glob,
            re: firstPlus >= 0 ? segmentPattern(r.path) : undefined,
            firstWildcard,
            plusCount: r.path.split("/").filter((s) => s === "+").length,
          };
          wildByPath.set(r.path, w);
          this.wild.push(w);
        }
        mergeCaps(w.caps, r.capabilities);
      }
    }
  }

  /** The capabilities this ACL grants on `path` (Vault's sys/capabilities answer, before "deny"). */
  capabilities(path: string, forList = false): Set<Capability> {
    if (this.root) return new Set(["root" as Capability]);
    const exact = this.exact.get(path);
    if (exact) return exact;
    if (forList && path.endsWith("/")) {
      const e2 = this.exact.get(path.slice(0, -1));
      if (e2) return e2;
    }
    let best: WildRule | undefined;
    for (const w of this.wild) {
      if (!wildMatches(w, path)) continue;
      if (!best || moreSpecific(w, best)) best = w;
    }
    if (!best && forList && path.endsWith("/")) return this.capabilities(path.slice(0, -1));
    return best ? best.caps : new Set();
  }

  /** Whether `capability` is allowed on `path`; `sudo` additionally for root-protected paths. */
  allows(path: string, capability: Capability, needSudo: boolean): boolean {
    if (this.root) return true;
    const caps = this.capabilities(path, capability === "list");
    if (caps.has("deny")) return false;
    if (!caps.has(capability)) return false;
    return !needSudo || caps.has("sudo");
  }
}

/** Vault's built-in `default` policy (vault/policy_store.go defaultPolicy), the parts a token uses. */
export const DEFAULT_POLICY = `
# Allow tokens to look up their own properties
path "auth/token/lookup-self" {
    capabilities = ["read"]
}

# Allow tokens to renew themselves
path "auth/token/renew-self" {
    capabilities = ["update"]
}

# Allow tokens to revoke themselves
path "auth/token/revoke-self" {
    capabilities = ["update"]
}

# Allow a token to look up its own capabilities on a path
path "sys/capabilities-self" {
    capabilities = ["update"]
}

# Allow a token to look up its own entity by id or name
path "identity/entity/id/{{identity.entity.id}}" {
  capabilities = ["read"]
}
path "identity/entity/name/{{identity.entity.name}}" {
  capabilities = ["read"]
}

# Allow a token to look up its resultant ACL from all policies
path "sys/internal/ui/resultant-acl" {
    capabilities = ["read"]
}

# Allow a token to renew a lease via lease_id in the request body
path "sys/renew" {
    capabilities = ["update"]
}
path "sys/leases/renew" {
    capabilities = ["update"]
}

# Allow looking up lease properties
path "sys/leases/lookup" {
    capabilities = ["update"]
}

# Allow a token to manage its own cubbyhole
path "cubbyhole/*" {
    capabilities = ["create", "read", "update", "delete", "list"]
}

# Allow a token to wrap arbitrary values in a response-wrapping token
path "sys/wrapping/wrap" {
    capabilities = ["update"]
}

# Allow a token to look up the creation time and TTL of a given response-wrapping token
path "sys/wrapping/lookup" {
    capabilities = ["update"]
}

# Allow a token to unwrap a response-wrapping token
path "sys/wrapping/unwrap" {
    capabilities = ["update"]
}

# Allow general purpose tools
path "sys/tools/hash" {
    capabilities = ["update"]
}
path "sys/tools/hash/*" {
    capabilities = ["update"]
}

# Allow checking the status of a Control Group request if the user has the accessor
path "sys/control-group/request" {
    capabilities = ["update"]
}

# Allow a token to make requests to the Authorization Endpoint for OIDC providers.
path "identity/oidc/provider/+/authorize" {
    capabilities = ["read", "update"]
}
`;
