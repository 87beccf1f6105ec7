/**
 * The rule set in hand-written TypeScript: the same findings as policies/*.rego, computed directly.
 * It is the speed baseline for the Rego engine and the oracle of the differential test — so it is
 * written from the catalogue, not translated mechanically, and shares no code with the engine.
 * Messages must match the Rego's character for character.
 */
import orgData from "../data.json";
import type {
  Finding,
  InputNeed,
  InputPolicy,
  InputProvider,
  InputRole,
  InputSecret,
  InputToken,
  PolicyInput,
} from "../input/types";
import { covers, isPattern, kvEntryPath, tooWide } from "./vault-paths";
import { DAY_NS, reviewDateNs, rfc3339Ns } from "./time";
import { leastPrivilegeFindings } from "./least-privilege";

type LimitKey =
  | "max_ttl_seconds"
  | "max_rotation_seconds"
  | "max_need_lifetime_seconds"
  | "long_lived_token_seconds";

const DEFAULTS = orgData.tokenwarden.defaults as Record<LimitKey, number>;

const ACCESS_CAPABILITIES: Readonly<Record<string, ReadonlySet<string>>> = {
  read: new Set(["read", "list", "deny"]),
  write: new Set(["create", "read", "update", "patch", "delete", "list", "deny"]),
  admin: new Set(["create", "read", "update", "patch", "delete", "list", "deny", "sudo"]),
};
const NO_CAPABILITIES: ReadonlySet<string> = new Set();

const WRITE_SCOPE_WORDS = new Set([
  "write",
  "admin",
  "delete",
  "create",
  "update",
  "manage",
  "modify",
  "edit",
  "full",
  "*",
]);

const UNKNOWN_KINDS = [
  ["policies", "policy"],
  ["tokens", "token"],
  ["roles", "role"],
  ["secrets", "secret"],
] as const;

/** A duration in seconds as a person reads it ("720h", "90d", "15m"), like the Rego `dur`. */
export function dur(s: number): string {
  if (s > 0 && s % 86400 === 0) return `${s / 86400}d`;
  if (s > 0 && s % 3600 === 0) return `${s / 3600}h`;
  if (s > 0 && s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

const isNum = (v: unknown): v is number => typeof v === "number";
const isStr = (v: unknown): v is string => typeof v === "string";
const blank = (s: unknown): boolean => !isStr(s) || s.trim() === "";
const list = <T>(v: readonly T[] | undefined | null): readonly T[] => (Array.isArray(v) ? v : []);

type Extra = { need?: string; field?: string };

export function oracleFindings(input: PolicyInput): Finding[] {
  const out = new Map<string, Finding>();
  const add = (
    id: string,
    severity: "deny" | "warn",
    source: string,
    problem: string,
    fix: string,
    extra: Extra = {},
  ): void => {
    const f: Finding = { id, severity, message: `${problem}; ${fix}`, source, remediation: fix };
    if (extra.need !== undefined) f.need = extra.need;
    if (extra.field !== undefined) f.field = extra.field;
    // A Rego set holds each finding once: dedupe on the whole object.
    out.set(JSON.stringify([id, severity, f.message, source, fix, f.need, f.field]), f);
  };

  const limits = (input.limits ?? {}) as Partial<Record<LimitKey, unknown>>;
  const limit = (key: LimitKey): number => {
    const v = limits[key];
    return isNum(v) ? v : DEFAULTS[key];
  };
  const maxTtl = limit("max_ttl_seconds");
  const maxRotation = limit("max_rotation_seconds");
  const maxLifetime = limit("max_need_lifetime_seconds");
  const longLived = limit("long_lived_token_seconds");
  const declared = input.has_declaration !== false;

  const needs = input.needs;
  const vault = input.vault;
  const needsByName = new Map<string, InputNeed>(needs.map((n) => [n.name, n]));
  const needByPolicy = new Map<string, InputNeed>(needs.map((n) => [n.policy_name, n]));
  const providersByName = new Map<string, InputProvider>(input.providers.map((p) => [p.name, p]));
  const rendered = new Set(vault.policies.map((p) => p.name));

  const secretNeed = (s: InputSecret): string =>
    isStr(s.need) ? s.need : isStr(s.custom_metadata?.need) ? s.custom_metadata.need : s.source;
  const tokenNeed = (t: InputToken): string | undefined =>
    isStr(t.need) ? t.need : isStr(t.meta?.need) ? t.meta.need : undefined;
  const policyNeed = (p: InputPolicy): InputNeed | undefined =>
    (isStr(p.need) ? needsByName.get(p.need) : undefined) ?? needByPolicy.get(p.name);

  const anyNeedPaths = new Set<string>();
  const wildcardNeedPaths = new Set<string>();
  for (const n of needs) {
    for (const p of n.paths) {
      anyNeedPaths.add(p.path);
      if (isPattern(p.path)) wildcardNeedPaths.add(p.path);
    }
  }
  // A need's stored token covers every path naming the same KV entry (data/ and metadata/ alike).
  const secretEntries = new Set(
    vault.secrets.map((s) => `${secretNeed(s)}|${kvEntryPath(s.path)}`),
  );
  const anySecretEntries = new Set(vault.secrets.map((s) => kvEntryPath(s.path)));
  const needCovers = (n: InputNeed, path: string): boolean =>
    n.paths.some((p) => covers(p.path, path)) ||
    secretEntries.has(`${n.name}|${kvEntryPath(path)}`);
  const anyNeedCovers = (path: string): boolean => {
    if (anyNeedPaths.has(path) || anySecretEntries.has(kvEntryPath(path))) return true;
    for (const p of wildcardNeedPaths) if (covers(p, path)) return true;
    return false;
  };

  const caps = (access: string): ReadonlySet<string> =>
    Object.prototype.hasOwnProperty.call(ACCESS_CAPABILITIES, access)
      ? ACCESS_CAPABILITIES[access]
      : NO_CAPABILITIES;
  const capabilityAllowed = (n: InputNeed, cap: string): boolean =>
    cap === "sudo" ? n.access === "admin" && !blank(n.justification) : caps(n.access).has(cap);
  const allowedText = (access: string): string =>
    [...caps(access)]
      .filter((c) => c !== "deny")
      .sort()
      .join(", ");
  const capabilityFix = (n: InputNeed, cap: string): string =>
    cap === "sudo"
      ? `remove "sudo", or make need "${n.name}" access: admin with a justification`
      : `remove "${cap}" (access ${n.access} allows ${allowedText(n.access)}), or raise the need's access level if it really must ${cap}`;
  const ruleField = (n: InputNeed, path: string, suffix: string): Extra => {
    const i = n.paths.findIndex((p) => p.path === path);
    return i >= 0 ? { need: n.name, field: `paths[${i}].${suffix}` } : { need: n.name };
  };

  // --- TW001–TW003: grants ---------------------------------------------------------------------
  const wideFix =
    "name the exact paths the need uses, or put the wildcard below an application-specific prefix (e.g. secret/data/<app>/*)";
  for (const policy of vault.policies) {
    if (isStr(policy.parse_error)) continue;
    const need = policyNeed(policy);
    for (const rule of list(policy.rules)) {
      if (tooWide(rule.path)) {
        add(
          "TW001",
          "deny",
          policy.source,
          `policy "${policy.name}" grants "${rule.path}": a wildcard at the mount root or above reaches every secret under it`,
          wideFix,
          need ? ruleField(need, rule.path, "path") : {},
        );
      }
      if (!declared) continue;
      if (need) {
        for (const cap of rule.capabilities) {
          if (!capabilityAllowed(need, cap)) {
            add(
              "TW002",
              "deny",
              policy.source,
              `policy "${policy.name}" grants "${cap}" on "${rule.path}", beyond need "${need.name}"'s access level "${need.access}"`,
              capabilityFix(need, cap),
              ruleField(need, rule.path, "capabilities"),
            );
          }
        }
        if (!needCovers(need, rule.path)) {
          add(
            "TW003",
            "deny",
            policy.source,
            `policy "${policy.name}" of need "${need.name}" reaches "${rule.path}", which the need does not declare`,
            `remove the rule from the policy, or add the path to need "${need.name}" if it really needs it`,
            { need: need.name },
          );
        }
      } else if (!anyNeedCovers(rule.path)) {
        add(
          "TW003",
          "deny",
          policy.source,
          `policy "${policy.name}" reaches "${rule.path}", which no declared need covers`,
          "declare a need for the path in access-needs.yaml, or remove the rule from the policy",
        );
      }
    }
  }
  for (const need of needs) {
    if (rendered.has(need.policy_name)) continue;
    need.paths.forEach((p, i) => {
      if (tooWide(p.path)) {
        add(
          "TW001",
          "deny",
          need.name,
          `need "${need.name}" asks for "${p.path}": a wildcard at the mount root or above reaches every secret under it`,
          wideFix,
          { need: need.name, field: `paths[${i}].path` },
        );
      }
      if (!declared) return;
      for (const cap of p.capabilities) {
        if (!capabilityAllowed(need, cap)) {
          add(
            "TW002",
            "deny",
            need.name,
            `need "${need.name}" asks for "${cap}" on "${p.path}", beyond its access level "${need.access}"`,
            capabilityFix(need, cap),
            { need: need.name, field: `paths[${i}].capabilities` },
          );
        }
      }
    });
  }

  // --- TW004, TW005: lifetimes -----------------------------------------------------------------
  const needTtlFields = [
    ["ttl_seconds", "ttl"],
    ["max_ttl_seconds", "maxTtl"],
  ] as const;
  for (const need of needs) {
    const ref = (field: string): Extra => ({ need: need.name, field });
    const provider = providersByName.get(need.provider);
    for (const [key, field] of needTtlFields) {
      const v = need[key];
      if (!isNum(v)) {
        add(
          "TW004",
          "deny",
          need.name,
          `need "${need.name}" has no ${field}`,
          `set ${field} (at most ${dur(maxTtl)})`,
          ref(field),
        );
        continue;
      }
      if (v > maxTtl) {
        add(
          "TW004",
          "deny",
          need.name,
          `need "${need.name}" has ${field} ${dur(v)}, above the organisation limit of ${dur(maxTtl)}`,
          `lower ${field} to ${dur(maxTtl)} or less`,
          ref(field),
        );
      }
      if (provider && isNum(provider.max_ttl_seconds) && v > provider.max_ttl_seconds) {
        add(
          "TW004",
          "deny",
          need.name,
          `need "${need.name}" has ${field} ${dur(v)}, above provider "${provider.name}"'s ceiling of ${dur(provider.max_ttl_seconds)}`,
          `lower ${field} to ${dur(provider.max_ttl_seconds)} or less`,
          ref(field),
        );
      }
    }
    const rot = need.rotation_seconds;
    if (!isNum(rot)) {
      add(
        "TW005",
        "deny",
        need.name,
        `need "${need.name}" has no rotation period`,
        `set rotation (at most ${dur(maxRotation)})`,
        ref("rotation"),
      );
    } else {
      if (rot > maxRotation) {
        add(
          "TW005",
          "deny",
          need.name,
          `need "${need.name}" rotates every ${dur(rot)}, above the organisation limit of ${dur(maxRotation)}`,
          `set rotation to ${dur(maxRotation)} or less`,
          ref("rotation"),
        );
      }
      if (isNum(need.ttl_seconds) && need.ttl_seconds > rot) {
        add(
          "TW005",
          "deny",
          need.name,
          `need "${need.name}" has ttl ${dur(need.ttl_seconds)}, longer than its rotation period ${dur(rot)}, so a token outlives its rotation`,
          `lower ttl to ${dur(rot)} or less, or rotate less often (within ${dur(maxRotation)})`,
          ref("ttl"),
        );
      }
    }
  }

  const unknownOf = (item: { unknown?: string[] }): ReadonlySet<string> =>
    new Set(list(item.unknown));
  const knownMissing = (item: object, key: string): boolean =>
    !isNum((item as Record<string, unknown>)[key]) &&
    !unknownOf(item as { unknown?: string[] }).has(key.replace(/_seconds$/, ""));
  const tokenExtra = (t: InputToken): Extra => {
    const n = tokenNeed(t);
    return n !== undefined ? { need: n } : {};
  };
  const tokenTtlFields = [
    ["ttl_seconds", "ttl"],
    ["explicit_max_ttl_seconds", "explicit max TTL"],
  ] as const;
  // One mistake, one finding: a TTL gap already reported on the need an object was rendered from
  // (missing, or above the organisation limit) is not reported again on the object.
  const needKeyOf = (key: string): "ttl_seconds" | "max_ttl_seconds" =>
    key === "ttl_seconds" || key === "token_ttl_seconds" ? "ttl_seconds" : "max_ttl_seconds";
  const missingOnNeed = (n: InputNeed | undefined, key: string) =>
    n !== undefined && !isNum(n[needKeyOf(key)]);
  const aboveOnNeed = (n: InputNeed | undefined, key: string) => {
    const v = n?.[needKeyOf(key)];
    return isNum(v) && v > maxTtl;
  };
  const roleNeeds = (role: { consumer?: string }) =>
    needs.filter((n) => role.consumer !== undefined && n.consumer === role.consumer);
  for (const token of vault.tokens) {
    const tn = tokenNeed(token);
    const from = tn !== undefined ? needsByName.get(tn) : undefined;
    for (const [key, label] of tokenTtlFields) {
      const v = token[key];
      if (knownMissing(token, key) && !missingOnNeed(from, key)) {
        add(
          "TW004",
          "deny",
          token.source,
          `token "${token.name}" has no ${label}, so Vault applies its system default`,
          `set the token's ${label} (at most ${dur(maxTtl)})`,
          tokenExtra(token),
        );
      }
      if (isNum(v) && v > maxTtl && !aboveOnNeed(from, key)) {
        add(
          "TW004",
          "deny",
          token.source,
          `token "${token.name}" has ${label} ${dur(v)}, above the organisation limit of ${dur(maxTtl)}`,
          `lower the token's ${label} to ${dur(maxTtl)} or less`,
          tokenExtra(token),
        );
      }
    }
  }
  const roleTtlFields = [
    ["token_ttl_seconds", "token TTL"],
    ["token_max_ttl_seconds", "token max TTL"],
  ] as const;
  // A token role has no TTLs of its own: its token_explicit_max_ttl caps every token it issues.
  const tokenRoleTtlFields = [
    ["token_explicit_max_ttl_seconds", "token explicit max TTL"],
  ] as const;
  for (const role of vault.roles) {
    for (const [key, label] of role.kind === "token" ? tokenRoleTtlFields : roleTtlFields) {
      const v = role[key];
      if (knownMissing(role, key) && !roleNeeds(role).some((n) => missingOnNeed(n, key))) {
        add(
          "TW004",
          "deny",
          role.source,
          `${role.kind} role "${role.name}" has no ${label}, so Vault applies its mount default`,
          `set the role's ${label} (at most ${dur(maxTtl)})`,
        );
      }
      if (isNum(v) && v > maxTtl && !roleNeeds(role).some((n) => aboveOnNeed(n, key))) {
        add(
          "TW004",
          "deny",
          role.source,
          `${role.kind} role "${role.name}" has ${label} ${dur(v)}, above the organisation limit of ${dur(maxTtl)}`,
          `lower the role's ${label} to ${dur(maxTtl)} or less`,
        );
      }
    }
  }

  // --- TW006, TW007: ownership and review --------------------------------------------------------
  const nowNs = isStr(input.now) ? rfc3339Ns(input.now) : undefined;
  for (const need of needs) {
    const ref = (field: string): Extra => ({ need: need.name, field });
    if (blank(need.owner)) {
      add(
        "TW006",
        "deny",
        need.name,
        `need "${need.name}" has no owner`,
        "set owner to the team or person answerable for this token (e.g. team-billing@example.com)",
        ref("owner"),
      );
    }
    if (blank(need.justification)) {
      add(
        "TW007",
        "warn",
        need.name,
        `need "${need.name}" has no justification`,
        "add a justification saying what the token is used for, so reviewers can judge the grant",
        ref("justification"),
      );
    }
    if (!isStr(need.expires)) {
      add(
        "TW007",
        "warn",
        need.name,
        `need "${need.name}" has no review date`,
        `set expires to a review date within ${dur(maxLifetime)}`,
        ref("expires"),
      );
      continue;
    }
    const review = reviewDateNs(need.expires);
    if (review === undefined) {
      add(
        "TW007",
        "warn",
        need.name,
        `need "${need.name}" has review date "${need.expires}", which is not a YYYY-MM-DD calendar date`,
        `set expires to a review date within ${dur(maxLifetime)}, as YYYY-MM-DD`,
        ref("expires"),
      );
      continue;
    }
    if (nowNs === undefined) continue;
    if (review + DAY_NS <= nowNs) {
      add(
        "TW007",
        "deny",
        need.name,
        `need "${need.name}" was due for review on ${need.expires} and the date has passed`,
        "review the grant: remove the need if it is no longer used, or renew it with a new expires date",
        ref("expires"),
      );
    }
    if (review > nowNs + BigInt(maxLifetime) * 1_000_000_000n) {
      add(
        "TW007",
        "warn",
        need.name,
        `need "${need.name}" has review date ${need.expires}, more than ${dur(maxLifetime)} from now`,
        `set expires to a review date within ${dur(maxLifetime)}`,
        ref("expires"),
      );
    }
  }
  for (const consumer of input.consumers) {
    if (blank(consumer.owner)) {
      add(
        "TW006",
        "deny",
        consumer.name,
        `consumer "${consumer.name}" has no owner`,
        "set owner on the consumer to the team that runs it",
      );
    }
  }

  // --- TW008, TW009: tokens and roles --------------------------------------------------------------
  for (const token of vault.tokens) {
    const policies = list(token.policies);
    if (policies.includes("root")) {
      add(
        "TW008",
        "deny",
        token.source,
        `token "${token.name}" carries the root policy, which can do anything in Vault`,
        "remove root from the token's policies and grant the need's own policy instead",
        tokenExtra(token),
      );
    }
    const carriesDefault =
      token.no_default_policy === undefined ||
      token.no_default_policy === false ||
      policies.includes("default");
    const needName = tokenNeed(token);
    const asked = needName !== undefined && needsByName.get(needName)?.default_policy === true;
    if (carriesDefault && !asked) {
      const who =
        needName !== undefined
          ? `need "${needName}" did not ask for`
          : "no declared need asked for";
      add(
        "TW008",
        "deny",
        token.source,
        `token "${token.name}" carries Vault's default policy, which ${who}`,
        "set no_default_policy: true on the token and drop default from its policies, or set defaultPolicy: true on the need if it really needs it",
        tokenExtra(token),
      );
    }
    if (token.no_parent === true) {
      add(
        "TW009",
        "warn",
        token.source,
        `token "${token.name}" is an orphan (no_parent), so revoking its creator does not revoke it`,
        "create the token with a parent (no_parent: false) unless it must outlive its creator, and say why in the need's justification",
        tokenExtra(token),
      );
    }
    if (token.renewable === false && isNum(token.ttl_seconds) && token.ttl_seconds > longLived) {
      add(
        "TW009",
        "warn",
        token.source,
        `token "${token.name}" is not renewable and lives ${dur(token.ttl_seconds)} (long-lived: above ${dur(longLived)}), so it stays valid long after its last use`,
        `make the token renewable with a short ttl, or cut its ttl to ${dur(longLived)} or less`,
        tokenExtra(token),
      );
    }
  }
  for (const role of vault.roles as InputRole[]) {
    if (list(role.token_policies).includes("root")) {
      add(
        "TW008",
        "deny",
        role.source,
        `${role.kind} role "${role.name}" issues tokens with the root policy, which can do anything in Vault`,
        "remove root from the role's token policies and list only the needs' own policies",
      );
    }
  }

  // --- TW010: scopes -------------------------------------------------------------------------------
  if (declared) {
    const offered = new Map(input.providers.map((p) => [p.name, new Set(list(p.scopes))]));
    for (const need of needs) {
      const ref = (field: string): Extra => ({ need: need.name, field });
      const scopes = list(need.scopes);
      const provided = offered.get(need.provider);
      if (scopes.length > 0 && !providersByName.has(need.provider)) {
        add(
          "TW010",
          "deny",
          need.name,
          `need "${need.name}" asks for scopes from provider "${need.provider}", which is not declared`,
          "declare the provider with the scopes it offers, or point the need at a declared provider",
          ref("provider"),
        );
      }
      scopes.forEach((scope, i) => {
        if (provided && !provided.has(scope)) {
          add(
            "TW010",
            "deny",
            need.name,
            `need "${need.name}" asks for scope "${scope}", which provider "${need.provider}" does not offer`,
            `use only scopes provider ${need.provider} offers (${[...provided].sort().join(", ")})`,
            ref(`scopes[${i}]`),
          );
        }
        if (need.access === "read" && isWriteScope(scope)) {
          add(
            "TW010",
            "deny",
            need.name,
            `need "${need.name}" has access read but asks for write-level scope "${scope}"`,
            "drop the scope, or raise the need's access to write if it really must change data",
            ref(`scopes[${i}]`),
          );
        }
      });
    }
  }

  // --- TW011: token values in plain inputs ---------------------------------------------------------
  for (const secret of vault.secrets) {
    for (const field of list(secret.plain_token_fields)) {
      add(
        "TW011",
        "deny",
        secret.source,
        `secret "${secret.path}" takes a token value in plain input "${field}", which state files and plan output show in clear text`,
        "pass the value as a secret (pulumi.secret, `pulumi config set --secret`, or a sensitive Terraform variable), or let tokenwarden procure it",
      );
    }
  }
  for (const plain of list(input.plain_values)) {
    add(
      "TW011",
      "deny",
      plain.source,
      `plain config value "${plain.field}" holds what looks like a token`,
      "move the token to Vault (or a Pulumi secret / sensitive variable) and reference it instead of writing it in plain config",
    );
  }

  // --- TW012, TW013: what could not be judged ------------------------------------------------------
  for (const [kind, label] of UNKNOWN_KINDS) {
    for (const item of vault[kind] as (InputPolicy | InputToken | InputRole | InputSecret)[]) {
      const named = item as { name?: unknown; path?: unknown };
      const what = isStr(named.name)
        ? `${label} "${named.name}"`
        : `${label} "${String(named.path)}"`;
      for (const field of list(item.unknown)) {
        add(
          "TW012",
          "deny",
          item.source,
          `${what}: ${field} was unknown at preview, so the rules that judge it could not run`,
          "compute the value from the manifest as a plain value (not from another resource's output), or run the check on a plan where it is known",
        );
      }
    }
  }
  for (const policy of vault.policies) {
    if (isStr(policy.parse_error)) {
      add(
        "TW013",
        "deny",
        policy.source,
        `policy "${policy.name}" did not parse as HCL: ${policy.parse_error}`,
        "fix the policy's HCL at that location; its rules were not checked",
      );
    }
  }

  // --- TW014–TW028: least privilege that knows Vault ------------------------------------------
  leastPrivilegeFindings(input, add, {
    declared,
    maxTtl,
    longLived,
    needsByName,
    policyNeed,
    ruleField,
    tokenExtra,
    dur,
  });

  return [...out.values()];
}

function isWriteScope(scope: string): boolean {
  return scope
    .toLowerCase()
    .split(/[^a-z0-9*]+/)
    .some((w) => WRITE_SCOPE_WORDS.has(w));
}
