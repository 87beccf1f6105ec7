/**
 * Declared vs live: every difference between what the manifest's grant plan says Vault should
 * hold and what a scan saw, as report results (rules TW050–TW066). Pure: the caller scans Vault
 * and parses the policies whose text differs; this only compares. Parts the scan could not read
 * yield no findings here — the command says they were not seen instead of calling them clean.
 */
import type { ReportResult, Severity } from "../../report";
import { MANAGED_BY } from "../../model";
import { classifyToken, isExpired, reviewLapsesAt } from "./classify";
import { isManagedPolicy, roleKey, type Declared, type DeclaredNeed } from "./declared";
import type { LiveState } from "./live-types";
import { policyDifferences, sameText, type RulesLike } from "./policy-compare";
import { rotationDue } from "./rotation-due";

/** Parsed live policy text (only needed for policies whose text differs from the plan's). */
export type ParsedLivePolicy =
  | { readonly ok: true; readonly rules: readonly RulesLike[] }
  | { readonly ok: false; readonly error: string };

export interface DriftInput {
  readonly declared: Declared;
  readonly live: LiveState;
  readonly parsed: ReadonlyMap<string, ParsedLivePolicy>;
  readonly now: number;
}

/** Policies whose live text differs from the plan's HCL: the ones the caller must parse. */
export function policiesToParse(d: Declared, live: LiveState): { name: string; hcl: string }[] {
  const out: { name: string; hcl: string }[] = [];
  for (const p of live.policies ?? []) {
    const want = d.policies.get(p.name);
    if (want && p.hcl !== undefined && !sameText(p.hcl, want.grant.policy.hcl))
      out.push({ name: p.name, hcl: p.hcl });
  }
  return out;
}

export function findDrift(input: DriftInput): ReportResult[] {
  const { declared: d, live, now } = input;
  const file = d.manifest.source.file;
  const out: ReportResult[] = [];
  const at = (path: readonly (string | number)[]) => {
    const pos = d.manifest.source.locate(path);
    return pos ? { file, line: pos.line, column: pos.column } : { file };
  };
  const needAt = (n: DeclaredNeed, field?: string) =>
    at(field ? ["needs", n.index, field] : ["needs", n.index]);
  const consumerAt = (name: string) => {
    const i = d.manifest.consumers.findIndex((c) => c.name === name);
    return i >= 0 ? at(["consumers", i]) : { file };
  };
  const add = (
    ruleId: string,
    severity: Severity,
    message: string,
    remediation: string,
    source: string,
    location: ReportResult["location"],
    extra: { need?: string; field?: string; logical?: string } = {},
  ) => out.push({ ruleId, severity, message, remediation, source, location, ...extra });

  // Needs past their review date: a manifest fact, but drift is where it stops being theory.
  for (const n of d.needs.values()) {
    const lapses = n.need.expires !== undefined ? reviewLapsesAt(n.need.expires) : undefined;
    if (lapses !== undefined && lapses <= now) {
      add(
        "TW062",
        "deny",
        `need ${n.need.name} is past its review date ${n.need.expires}; its grants are still live`,
        "Review the need: extend `expires` with a fresh justification, or remove the need and revoke its grants (`tokenwarden revoke --lapsed`).",
        n.need.name,
        needAt(n, "expires"),
        { need: n.need.name, field: "expires" },
      );
    }
  }

  // Policies.
  if (live.policies) {
    const liveByName = new Map(live.policies.map((p) => [p.name, p]));
    for (const [name, n] of d.policies) {
      const p = liveByName.get(name);
      if (!p) {
        add(
          "TW054",
          "deny",
          `policy ${name} of need ${n.need.name} is not in Vault`,
          "Run `pulumi up` (or apply the Terraform) to write it; if it was deleted on purpose, remove the need.",
          n.need.name,
          needAt(n),
          { need: n.need.name, logical: `sys/policies/acl/${name}` },
        );
        continue;
      }
      const parsed = input.parsed.get(name);
      if (p.hcl === undefined || !parsed) continue; // same text, or not read (then in `unread`)
      const diffs = parsed.ok
        ? policyDifferences(n.grant.policy.rules, parsed.rules)
        : [`its text does not parse: ${parsed.error}`];
      if (diffs.length > 0) {
        add(
          "TW055",
          "deny",
          `policy ${name} in Vault differs from need ${n.need.name}: ${diffs.join("; ")}`,
          "Find out who edited it and why; `pulumi up` writes the declared rules back. If the change is needed, declare it in the manifest.",
          n.need.name,
          needAt(n, "paths"),
          { need: n.need.name, logical: `sys/policies/acl/${name}` },
        );
      }
    }
    for (const p of live.policies) {
      if (isManagedPolicy(p.name) && !d.policies.has(p.name)) {
        add(
          "TW053",
          "deny",
          `policy ${p.name} is in Vault but no need declares it`,
          "Declare the need it serves, or delete the policy (and revoke the tokens carrying it).",
          p.name,
          { file },
          { logical: `sys/policies/acl/${p.name}` },
        );
      }
    }
  }

  // Roles: declared ones must exist and match; a role on a declared mount carrying tw- policies
  // that no consumer declares is a shadow role.
  const liveRoles = new Map(live.roles.map((r) => [roleKey(r.mount, r.name), r]));
  const seenMounts = new Set(live.roles.map((r) => r.mount));
  const unreadMount = (mount: string) =>
    live.unread.some(
      (u) => u.what === `the roles of auth/${mount}` || u.what === "the enabled auth methods",
    );
  for (const [key, want] of d.roles) {
    const logical =
      want.kind === "token"
        ? `auth/token/roles/${want.name}`
        : `auth/${want.mount}/role/${want.name}`;
    const got = liveRoles.get(key);
    if (!got) {
      if (unreadMount(want.mount) || live.partial.roles.includes(key)) continue;
      add(
        "TW056",
        "deny",
        `${want.kind} role ${want.name} of consumer ${want.consumer.consumer} is not in Vault${seenMounts.has(want.mount) || want.mount === "token" ? "" : ` (is auth/${want.mount} enabled?)`}`,
        "Run `pulumi up` to create it, and check that the auth mount named in `vault.authMounts` is enabled.",
        want.consumer.consumer,
        consumerAt(want.consumer.consumer),
        { logical },
      );
      continue;
    }
    if (got.policies.join(",") !== want.policies.join(",")) {
      add(
        "TW057",
        "deny",
        `${want.kind} role ${want.name} grants [${got.policies.join(", ")}] in Vault; the manifest declares [${want.policies.join(", ")}]`,
        "`pulumi up` writes the declared policies back; declare a need for any policy the consumer really needs.",
        want.consumer.consumer,
        consumerAt(want.consumer.consumer),
        { logical },
      );
    }
    const ttlDiffs: string[] = [];
    if (want.ttl !== undefined && got.ttl !== undefined && got.ttl !== want.ttl)
      ttlDiffs.push(`token TTL ${got.ttl}s in Vault, declared ${want.ttl}s`);
    if (want.maxTtl !== undefined && got.maxTtl !== undefined && got.maxTtl !== want.maxTtl)
      ttlDiffs.push(`max TTL ${got.maxTtl}s in Vault, declared ${want.maxTtl}s`);
    if (ttlDiffs.length > 0) {
      add(
        "TW058",
        "deny",
        `${want.kind} role ${want.name}: ${ttlDiffs.join("; ")}`,
        "`pulumi up` writes the declared TTLs back (the strictest of the consumer's needs); change the needs' ttl/maxTtl if they must differ.",
        want.consumer.consumer,
        consumerAt(want.consumer.consumer),
        { logical },
      );
    }
  }
  for (const r of live.roles) {
    if (d.roles.has(roleKey(r.mount, r.name))) continue;
    const managed = r.policies.filter(isManagedPolicy);
    if (managed.length === 0) continue;
    add(
      "TW059",
      "deny",
      `${r.kind} role ${r.name} on auth/${r.mount} grants ${managed.join(", ")} but no consumer declares it`,
      "Declare the consumer and its needs, or delete the role.",
      r.name,
      { file },
      {
        logical:
          r.kind === "token" ? `auth/token/roles/${r.name}` : `auth/${r.mount}/role/${r.name}`,
      },
    );
  }

  // Tokens.
  if (live.tokens) {
    const liveForNeed = new Map<string, number>();
    for (const t of live.tokens) {
      const c = classifyToken(d, t);
      const logical = `auth/token/accessors/${t.accessor}`;
      if (c.kind === "shadow") {
        add(
          "TW050",
          "deny",
          `shadow token ${t.accessor} (${t.displayName || "no display name"}, policies ${t.policies.join(", ") || "none"}): ${c.reason}`,
          "Find who created it (the audit log has its accessor); declare the need it serves, or revoke it (`tokenwarden revoke --shadow`).",
          t.accessor,
          c.need ? needAt(c.need) : { file },
          { ...(c.need ? { need: c.need.need.name } : {}), logical },
        );
      } else if (c.kind === "declared") {
        const n = c.need;
        const want = n.grant.token!;
        if (isExpired(t, now)) {
          add(
            "TW052",
            "deny",
            `token ${t.accessor} of need ${n.need.name} expired at ${t.expireTime} but Vault still lists it`,
            "Revoke it (`tokenwarden revoke --expired`) and run `pulumi up` to issue a fresh one.",
            n.need.name,
            needAt(n),
            { need: n.need.name, logical },
          );
          continue;
        }
        liveForNeed.set(n.need.name, (liveForNeed.get(n.need.name) ?? 0) + 1);
        const allowed = new Set(want.policies);
        if (!want.noDefaultPolicy) allowed.add("default");
        const extra = t.policies.filter((p) => !allowed.has(p));
        const missing = want.policies.filter((p) => !t.policies.includes(p));
        if (extra.length > 0 || missing.length > 0) {
          add(
            "TW064",
            "deny",
            `token ${t.accessor} of need ${n.need.name} carries [${t.policies.join(", ")}]; declared [${want.policies.join(", ")}]`,
            "Re-issue the token from the manifest (`pulumi up` after revoking this one).",
            n.need.name,
            needAt(n),
            { need: n.need.name, logical },
          );
        }
        const due = t.meta.next_rotation !== undefined ? Date.parse(t.meta.next_rotation) : NaN;
        if (!Number.isNaN(due) && due <= now) {
          add(
            "TW066",
            "warn",
            `token ${t.accessor} of need ${n.need.name} was due for rotation at ${t.meta.next_rotation}`,
            "Run `pulumi up` (it refreshes first): the rotation clock re-issues the token.",
            n.need.name,
            needAt(n, "rotation"),
            { need: n.need.name, logical },
          );
        }
      }
    }
    for (const n of d.needs.values()) {
      if (!n.grant.token || liveForNeed.has(n.need.name) || live.partial.tokens) continue;
      add(
        "TW051",
        "deny",
        `need ${n.need.name} declares a token, but Vault holds no live token for it (expired, revoked, or never issued)`,
        "Run `pulumi up`: it issues the token again (a `pulumi refresh` shows it as deleted).",
        n.need.name,
        needAt(n),
        { need: n.need.name },
      );
    }
  }

  // KV entries holding third-party tokens.
  if (live.kvEntries) {
    const liveKv = new Map(live.kvEntries.map((e) => [`${e.mount}/${e.path}`, e]));
    for (const [key, n] of d.kvEntries) {
      const e = liveKv.get(key);
      const logical = `${n.grant.kvEntry!.mount}/metadata/${n.grant.kvEntry!.name}`;
      if (!e && live.partial.kv) continue;
      if (!e) {
        add(
          "TW060",
          "deny",
          `KV entry ${key} of need ${n.need.name} is not in Vault`,
          "Run `pulumi up` with the token in `tokenwarden:thirdPartyTokens`, or procure it again.",
          n.need.name,
          needAt(n),
          { need: n.need.name, logical },
        );
        continue;
      }
      const due = rotationDue(e);
      if (due !== undefined && due.at <= now) {
        add(
          "TW061",
          "warn",
          `KV entry ${key} of need ${n.need.name} is overdue for rotation (due ${new Date(due.at).toISOString()}, ${due.basis})`,
          "Rotate it: procure a new token and run `pulumi up`, which writes it as the next version.",
          n.need.name,
          needAt(n, "rotation"),
          { need: n.need.name, logical },
        );
      }
      const want = n.grant.kvEntry!.customMetadata;
      const diffs = Object.keys(want)
        .filter((k) => e.customMetadata[k] !== want[k])
        .map(
          (k) =>
            `${k}: Vault ${JSON.stringify(e.customMetadata[k] ?? null)}, declared ${JSON.stringify(want[k])}`,
        );
      if (diffs.length > 0) {
        add(
          "TW065",
          "warn",
          `KV entry ${key} metadata differs from need ${n.need.name}: ${diffs.join("; ")}`,
          "`pulumi up` writes the declared metadata back.",
          n.need.name,
          needAt(n),
          { need: n.need.name, logical },
        );
      }
    }
    for (const e of live.kvEntries) {
      const key = `${e.mount}/${e.path}`;
      if (d.kvEntries.has(key) || e.customMetadata.managed_by !== MANAGED_BY) continue;
      add(
        "TW063",
        "warn",
        `KV entry ${key} is marked managed_by=${MANAGED_BY} but no need declares it${e.customMetadata.need ? ` (its metadata names need ${e.customMetadata.need})` : ""}`,
        "Declare the need, or destroy the entry (and revoke the token at its provider).",
        key,
        { file },
        { logical: `${e.mount}/metadata/${e.path}` },
      );
    }
  }
  return out;
}
