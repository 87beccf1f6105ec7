/**
 * The least-privilege rules that know Vault (TW014–TW028), in hand-written TypeScript: power over
 * Vault itself, the audit trail, login bindings and token shape. Written from the catalogue in
 * policies/data.json and docs/rules.md, not from the Rego; messages match it character for
 * character (the differential test holds both to that).
 */
import orgData from "../data.json";
import type { InputNeed, InputRole, InputToken, PolicyInput } from "../input/types";

export interface CatalogueEntry {
  readonly path: string;
  readonly capabilities: readonly string[];
}
export interface CatalogueGroup {
  readonly id?: string;
  readonly title: string;
  readonly why: string;
  readonly sources: readonly string[];
  readonly paths: readonly CatalogueEntry[];
}

const DATA = orgData.tokenwarden as unknown as {
  escalation: readonly CatalogueGroup[];
  audit_paths: CatalogueGroup;
  bootstrap_paths: Omit<CatalogueGroup, "title">;
};
export const ESCALATION: readonly CatalogueGroup[] = DATA.escalation;
export const AUDIT: CatalogueGroup = DATA.audit_paths;
export const BOOTSTRAP: Omit<CatalogueGroup, "title"> = DATA.bootstrap_paths;

/**
 * Whether some concrete path matches both Vault policy path patterns (whole-segment `+`, and a
 * trailing `*` that matches any rest of the path, slashes included). Walks the two segment lists
 * side by side; a star segment ends the walk, since it absorbs whatever the other side has left.
 */
export function patternsMeet(a: string, b: string): boolean {
  const sa = a.split("/");
  const sb = b.split("/");
  const lastA = a.endsWith("*") ? sa.length - 1 : -1;
  const lastB = b.endsWith("*") ? sb.length - 1 : -1;
  for (let i = 0; ; i++) {
    const starA = i === lastA;
    const starB = i === lastB;
    if (starA && starB) {
      const pa = sa[i].slice(0, -1);
      const pb = sb[i].slice(0, -1);
      return pa.startsWith(pb) || pb.startsWith(pa);
    }
    if (starA) return i < sb.length && starMeets(sa[i].slice(0, -1), sb[i]);
    if (starB) return i < sa.length && starMeets(sb[i].slice(0, -1), sa[i]);
    if (i >= sa.length || i >= sb.length) return sa.length === sb.length;
    if (!(sa[i] === "+" || sb[i] === "+" || sa[i] === sb[i])) return false;
  }
}

/** A star segment `pre*` against one fixed segment (`pre` holds no slash). */
function starMeets(pre: string, seg: string): boolean {
  return seg === "+" || seg.startsWith(pre);
}

/** Dangerous capabilities a rule grants within one catalogue group, and the paths it reaches. */
export function reach(
  rule: { path: string; capabilities: readonly string[] },
  group: { paths: readonly CatalogueEntry[] },
): { caps: string[]; paths: string[] } | undefined {
  const caps = new Set<string>();
  const paths = new Set<string>();
  for (const e of group.paths) {
    const bad = rule.capabilities.filter((c) => e.capabilities.includes(c));
    if (bad.length === 0 || !patternsMeet(rule.path, e.path)) continue;
    for (const c of bad) caps.add(c);
    paths.add(e.path);
  }
  return paths.size ? { caps: [...caps].sort(), paths: [...paths].sort() } : undefined;
}

type Add = (
  id: string,
  severity: "deny" | "warn",
  source: string,
  problem: string,
  fix: string,
  extra?: { need?: string; field?: string },
) => void;

export interface Context {
  readonly declared: boolean;
  readonly maxTtl: number;
  readonly longLived: number;
  readonly needsByName: ReadonlyMap<string, InputNeed>;
  policyNeed(p: PolicyInput["vault"]["policies"][number]): InputNeed | undefined;
  ruleField(n: InputNeed, path: string, suffix: string): { need?: string; field?: string };
  tokenExtra(t: InputToken): { need?: string };
  dur(s: number): string;
}

const isStr = (v: unknown): v is string => typeof v === "string";
const isNum = (v: unknown): v is number => typeof v === "number";
const blank = (s: unknown): boolean => !isStr(s) || s.trim() === "";
const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const unknownOf = (item: { unknown?: string[] }): Set<string> => new Set(arr(item.unknown));

export function leastPrivilegeFindings(input: PolicyInput, add: Add, ctx: Context): void {
  grantsOnVaultControls(input, add, ctx);
  loginBindings(input, add, ctx);
  tokenShape(input, add, ctx);
}

// --- TW014–TW016 -------------------------------------------------------------------------------

interface Grant {
  source: string;
  who: string;
  verb: string;
  rule: { path: string; capabilities: string[] };
  need?: InputNeed;
  extra: { need?: string; field?: string };
}

function grantsOnVaultControls(input: PolicyInput, add: Add, ctx: Context): void {
  const grants: Grant[] = [];
  for (const policy of input.vault.policies) {
    if (isStr(policy.parse_error)) continue;
    const need = ctx.policyNeed(policy);
    for (const rule of arr<{ path: string; capabilities: string[] }>(policy.rules)) {
      grants.push({
        source: policy.source,
        who: `policy "${policy.name}"`,
        verb: "grants",
        rule,
        ...(need ? { need } : {}),
        extra: need ? ctx.ruleField(need, rule.path, "path") : {},
      });
    }
  }
  const rendered = new Set(input.vault.policies.map((p) => p.name));
  for (const need of input.needs) {
    if (rendered.has(need.policy_name)) continue;
    need.paths.forEach((p, j) => {
      grants.push({
        source: need.name,
        who: `need "${need.name}"`,
        verb: "asks for",
        rule: p,
        need,
        extra: { need: need.name, field: `paths[${j}].path` },
      });
    });
  }
  const problem = (g: Grant, group: CatalogueGroup, r: { caps: string[]; paths: string[] }) =>
    `${g.who} ${g.verb} ${r.caps.join(", ")} on "${g.rule.path}", which reaches ${r.paths.join(", ")}: ${group.title} (${group.why})`;

  for (const g of grants) {
    const admin = g.need !== undefined && g.need.access === "admin" && !blank(g.need.justification);
    for (const group of ESCALATION) {
      const r = reach(g.rule, group);
      if (!r) continue;
      if (admin && g.need) {
        add(
          "TW015",
          "warn",
          g.source,
          problem(g, group, r),
          `keep it only while need "${g.need.name}"'s justification holds: prefer a short-lived break-glass token to a standing grant, and review it by the need's review date`,
          g.extra,
        );
      } else {
        add(
          "TW014",
          "deny",
          g.source,
          problem(g, group, r),
          g.need
            ? `remove the grant; if need "${g.need.name}" really administers Vault, declare it access: admin with a justification (it is then still reported, as a warning)`
            : "remove the grant, or give it to a need declared access: admin with a justification",
          g.extra,
        );
      }
    }
    const audit = reach(g.rule, AUDIT);
    if (audit) {
      add(
        "TW016",
        "deny",
        g.source,
        problem(g, AUDIT, audit),
        "remove the grant: no need may change audit devices or hash with their salts, whatever its access level; operators do that with a break-glass token, outside tokenwarden",
        g.extra,
      );
    }
  }
}

// --- TW017–TW024 -------------------------------------------------------------------------------

const NON_IDENTIFYING = new Set(["aud", "iss", "azp", "iat", "nbf", "exp", "jti"]);
const GITHUB_CLAIMS = new Set([
  "repository",
  "repository_id",
  "repository_owner",
  "repository_owner_id",
  "job_workflow_ref",
  "workflow_ref",
  "workflow",
]);
const REPO_SUBJECT = /^repo:[^:*/]+\/[^:*]+:/;
const REF_SUBJECT = /^repo:[^:]+:(ref|environment):[^*]+$/;

function loginBindings(input: PolicyInput, add: Add, ctx: Context): void {
  const consumers = new Map(input.consumers.map((c) => [c.name, c]));
  for (const role of input.vault.roles) {
    const unknown = unknownOf(role);
    const known = (f: string) => !unknown.has(f);
    const list = (k: keyof InputRole): string[] => arr<string>(role[k]);

    if (role.kind === "kubernetes") {
      const fields = [
        ["bound_service_account_names", "service accounts", "service account"],
        ["bound_service_account_namespaces", "namespaces", "namespace"],
      ] as const;
      for (const [key, what, one] of fields) {
        if (!known(key)) continue;
        for (const value of list(key)) {
          if (!value.includes("*")) continue;
          add(
            "TW017",
            "deny",
            role.source,
            `kubernetes role "${role.name}" accepts ${what} "${value}": any ${one} matching it logs in and gets the role's policies`,
            `bind the role to the exact ${what} the consumer runs as (no * or globs)`,
            {},
          );
        }
      }
    }

    if (role.kind === "jwt") jwtBindings(role, known, add);

    if (role.kind === "approle") {
      if (!isNum(role.secret_id_ttl_seconds) && known("secret_id_ttl")) {
        add(
          "TW021",
          "deny",
          role.source,
          `approle role "${role.name}" issues SecretIDs that never expire (no secret_id_ttl)`,
          `set secret_id_ttl (secretIdTtl on the consumer) to at most the consumer's rotation period, within ${ctx.dur(limitRotation(input))}`,
          {},
        );
      }
      const uses = role.secret_id_num_uses;
      if (
        known("secret_id_num_uses") &&
        !(isNum(uses) && uses > 0) &&
        known("secret_id_bound_cidrs") &&
        list("secret_id_bound_cidrs").length === 0
      ) {
        add(
          "TW022",
          "warn",
          role.source,
          `approle role "${role.name}" issues SecretIDs with unlimited uses (secret_id_num_uses 0) from any address, so a copied SecretID keeps working until it expires`,
          "set secret_id_num_uses (secretIdNumUses on the consumer) to the logins one SecretID needs, or bind SecretIDs to the consumer's addresses (secret_id_bound_cidrs)",
          {},
        );
      }
    }

    const cidrField =
      role.kind === "approle"
        ? "secret_id_bound_cidrs"
        : role.kind === "token"
          ? "token_bound_cidrs"
          : undefined;
    const consumer = isStr(role.consumer) ? consumers.get(role.consumer) : undefined;
    const cidrs = arr<string>(consumer?.cidrs);
    if (cidrField && consumer && cidrs.length > 0 && known(cidrField)) {
      if (list(cidrField).length === 0) {
        add(
          "TW023",
          "deny",
          role.source,
          `${role.kind} role "${role.name}" of consumer "${consumer.name}", which logs in from fixed addresses (${cidrs.join(", ")}), does not bind its credentials to them (no ${cidrField})`,
          `set ${cidrField} to the consumer's addresses (${cidrs.join(", ")})`,
          {},
        );
      }
    }

    if (role.kind === "token") {
      const allowed = list("allowed_policies");
      const globs = list("allowed_policies_glob");
      if (
        known("token_policies") &&
        known("allowed_policies_glob") &&
        allowed.length === 0 &&
        globs.length === 0
      ) {
        add(
          "TW024",
          "deny",
          role.source,
          `token role "${role.name}" lists no allowed_policies, so its tokens may carry any policy of the token that creates them`,
          "set allowed_policies to the needs' own policies",
          {},
        );
      }
      if (known("allowed_policies_glob")) {
        for (const glob of globs) {
          if (!glob.includes("*")) continue;
          add(
            "TW024",
            "deny",
            role.source,
            `token role "${role.name}" allows policies by the glob "${glob}", which matches policies nobody listed`,
            "list the allowed policies by name (allowed_policies) instead of a glob",
            {},
          );
        }
      }
      if (ctx.declared && isStr(role.consumer) && known("token_policies")) {
        const own = new Set(
          input.needs.filter((n) => n.consumer === role.consumer).map((n) => n.policy_name),
        );
        for (const policy of allowed) {
          if (policy === "root" || own.has(policy)) continue;
          add(
            "TW024",
            "deny",
            role.source,
            `token role "${role.name}" allows policy "${policy}", which no need of consumer "${role.consumer}" generates`,
            `remove "${policy}" from allowed_policies, or declare the need that uses it`,
            {},
          );
        }
      }
    }
  }
}

function limitRotation(input: PolicyInput): number {
  const v = (input.limits as Partial<PolicyInput["limits"]> | undefined)?.max_rotation_seconds;
  return isNum(v) ? v : orgData.tokenwarden.defaults.max_rotation_seconds;
}

function jwtBindings(role: InputRole, known: (f: string) => boolean, add: Add): void {
  const claims: Record<string, string[]> =
    role.bound_claims && typeof role.bound_claims === "object" ? role.bound_claims : {};
  const subject = isStr(role.bound_subject) && !blank(role.bound_subject) ? role.bound_subject : "";
  const fieldsKnown = known("bound_claims") && known("bound_subject");
  const keys = Object.keys(claims);

  if (fieldsKnown) {
    const identifying = keys.filter((k) => !NON_IDENTIFYING.has(k) && arr(claims[k]).length > 0);
    if (identifying.length === 0 && subject === "") {
      const text = keys.length === 0 ? "are empty" : `pin only ${[...keys].sort().join(", ")}`;
      add(
        "TW018",
        "deny",
        role.source,
        `jwt role "${role.name}" binds no identifying claim (no bound_subject, and bound_claims ${text}): any token its issuer mints for the audience logs in`,
        "bind the claims that name the workload: sub (bound_subject), or e.g. repository and ref/environment for CI, namespace and service account for clusters",
        {},
      );
    }
  }

  if (known("bound_claims") && known("bound_claims_type") && role.bound_claims_type === "glob") {
    for (const claim of keys) {
      for (const value of arr<string>(claims[claim])) {
        if (!value.includes("*")) continue;
        add(
          "TW019",
          "deny",
          role.source,
          `jwt role "${role.name}" matches claim "${claim}" against the glob "${value}" (bound_claims_type glob), so any value of that shape logs in`,
          `list the exact values of "${claim}" (bound_claims_type string), or narrow the glob to a fixed prefix a reviewer accepts and record a waiver`,
          {},
        );
      }
    }
  }

  if (!fieldsKnown) return;
  const subjects = new Set<string>(arr<string>(claims.sub));
  if (subject !== "") subjects.add(subject);
  const github =
    keys.some((k) => GITHUB_CLAIMS.has(k)) || [...subjects].some((s) => s.startsWith("repo:"));
  if (!github) return;
  const has = (k: string) => arr(claims[k]).length > 0;
  const all = (re: RegExp) => subjects.size > 0 && [...subjects].every((s) => re.test(s));
  const repo = has("repository") || has("repository_id") || all(REPO_SUBJECT);
  const ref = has("ref") || has("environment") || all(REF_SUBJECT);
  if (repo && ref) return;
  const missing = repo
    ? "ref or environment"
    : ref
      ? "repository"
      : "repository, ref or environment";
  add(
    "TW020",
    "deny",
    role.source,
    `jwt role "${role.name}" takes GitHub-style tokens but does not pin the ${missing}, so other repositories' workflows, or any branch of this one, log in`,
    "bind repository (owner/name) and ref or environment (e.g. bound_claims repository: org/app, ref: refs/heads/main), or a bound_subject repo:org/app:ref:refs/heads/main",
    {},
  );
}

// --- TW025–TW028 -------------------------------------------------------------------------------

const BATCH = new Set(["batch", "default-batch"]);

function tokenShape(input: PolicyInput, add: Add, ctx: Context): void {
  const maxTtlText = ctx.dur(ctx.maxTtl);
  const longText = ctx.dur(ctx.longLived);
  const minting = new Set<string>();
  for (const p of input.vault.policies) {
    if (isStr(p.parse_error)) continue;
    if (arr<{ path: string; capabilities: string[] }>(p.rules).some((r) => reach(r, BOOTSTRAP)))
      minting.add(p.name);
  }

  for (const token of input.vault.tokens) {
    const unknown = unknownOf(token);
    const extra = ctx.tokenExtra(token);
    if (
      isNum(token.period_seconds) &&
      token.period_seconds > 0 &&
      !isNum(token.explicit_max_ttl_seconds) &&
      !unknown.has("explicit_max_ttl")
    ) {
      add(
        "TW025",
        "deny",
        token.source,
        `token "${token.name}" is periodic (period ${ctx.dur(token.period_seconds)}) with no explicit max TTL, so it can be renewed for ever`,
        `set explicit_max_ttl on the token (at most ${maxTtlText}), or drop the period and use a renewable token with a max TTL`,
        extra,
      );
    }

    const uses = token.num_uses;
    if (!unknown.has("num_uses") && !(isNum(uses) && uses > 0)) {
      let reason: string | undefined;
      if (token.meta?.purpose === "bootstrap") reason = "its metadata says purpose=bootstrap";
      else {
        const carried = [...new Set(arr<string>(token.policies).filter((p) => minting.has(p)))];
        if (carried.length)
          reason = `it carries ${carried
            .sort()
            .map((p) => `policy "${p}"`)
            .join(", ")}, which can mint credentials`;
      }
      if (reason !== undefined) {
        add(
          "TW027",
          "deny",
          token.source,
          `token "${token.name}" is a bootstrap token (${reason}) with unlimited uses (num_uses 0), so a copy of it keeps minting credentials as long as it lives`,
          "set num_uses to the uses bootstrapping takes (often 1), give it a short ttl, and hand it over response-wrapped",
          extra,
        );
      }
    }

    if (!unknown.has("display_name") && blank(token.display_name)) {
      add(
        "TW028",
        "warn",
        token.source,
        `token "${token.name}" has no display_name, so its audit lines show only "token"`,
        "set display_name to the name of the need the token serves",
        extra,
      );
    }
    if (!unknown.has("meta") && token.meta && typeof token.meta === "object") {
      const need = token.meta.need;
      if (blank(need)) {
        add(
          "TW028",
          "warn",
          token.source,
          `token "${token.name}" names no need in its metadata, so its audit lines cannot be traced to a declared need`,
          "set meta need=<need name> (with consumer and owner) on the token",
          extra,
        );
      } else if (ctx.declared && !ctx.needsByName.has(need)) {
        add(
          "TW028",
          "warn",
          token.source,
          `token "${token.name}" names need "${need}" in its metadata, which is not declared, so its audit lines point at nothing`,
          "set meta need to the declared need the token serves, or declare that need",
          extra,
        );
      }
    }
  }

  for (const role of input.vault.roles) {
    const unknown = unknownOf(role);
    if (
      isNum(role.token_period_seconds) &&
      role.token_period_seconds > 0 &&
      !isNum(role.token_explicit_max_ttl_seconds) &&
      !unknown.has("token_explicit_max_ttl")
    ) {
      add(
        "TW025",
        "deny",
        role.source,
        `${role.kind} role "${role.name}" issues periodic tokens (token_period ${ctx.dur(role.token_period_seconds)}) with no token_explicit_max_ttl, so they can be renewed for ever`,
        `set token_explicit_max_ttl on the role (at most ${maxTtlText}), or drop token_period`,
        {},
      );
    }
    if (!isStr(role.token_type) || !BATCH.has(role.token_type) || unknown.has("token_type"))
      continue;
    if (isNum(role.token_period_seconds) && role.token_period_seconds > 0) {
      add(
        "TW026",
        "deny",
        role.source,
        `${role.kind} role "${role.name}" issues batch tokens with a token_period, but batch tokens cannot be periodic or renewed`,
        "issue service tokens for periodic use (token_type service), or drop token_period",
        {},
      );
    }
    if (role.kind === "token" && role.orphan === true) {
      add(
        "TW026",
        "deny",
        role.source,
        `token role "${role.name}" issues orphan batch tokens: with no parent and no accessor, nothing revokes them before they expire`,
        "issue batch tokens with a parent (orphan false), or service tokens that can be revoked by accessor",
        {},
      );
    }
    const ttls = [
      role.token_ttl_seconds,
      role.token_max_ttl_seconds,
      role.token_explicit_max_ttl_seconds,
    ].filter(isNum);
    if (ttls.length && Math.max(...ttls) > ctx.longLived) {
      add(
        "TW026",
        "deny",
        role.source,
        `${role.kind} role "${role.name}" issues batch tokens living ${ctx.dur(Math.max(...ttls))} (long-lived: above ${longText}), which cannot be revoked one by one`,
        `cut the token TTL to ${longText} or less, or issue service tokens (token_type service)`,
        {},
      );
    }
  }
}
