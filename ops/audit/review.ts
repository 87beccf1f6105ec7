/**
 * The audit review end to end: read the logs (collect.ts) into the analysis (analyse.ts), match
 * HMAC'd accessors where Vault can help (accessor-match.ts), then assemble the report every
 * renderer reads.
 */
import type { Manifest } from "../../model";
import { planGrants } from "../../model";
import type { VaultClient } from "../../vault";
import { AuditAnalysis, iso } from "./analyse";
import { matchAccessors } from "./accessor-match";
import { collect, splitTokenKey, type CollectStats } from "./collect";
import { proposePolicy } from "./propose";
import type { AuditReport, DeviceSummary, PolicyProposal, TokenUsage } from "./report-types";

export interface ReviewOptions {
  readonly files: readonly string[];
  readonly manifest: Manifest;
  readonly sinceMs: number;
  readonly untilMs: number;
  /** Explicit device (Vault audit path) per file, from --device. */
  readonly deviceOf?: (file: string) => string | undefined;
  /** Reach Vault to match HMAC'd accessors (sys/audit-hash); absent: no Vault. */
  readonly vault?: VaultClient;
  /** Why Vault is not used, for the report (e.g. "VAULT_ADDR is not set"). */
  readonly noVaultReason?: string;
  readonly rotationGraceMs?: number;
  readonly onProgress?: (lines: number) => void;
}

export async function reviewAuditLogs(o: ReviewOptions): Promise<AuditReport> {
  const analysis = new AuditAnalysis(o.manifest, {
    sinceMs: o.sinceMs,
    untilMs: o.untilMs,
    rotationGraceMs: o.rotationGraceMs,
  });
  const stats = await collect(o.files, {
    deviceOf: o.deviceOf,
    onResponse: (e, key) => analysis.use(e, key),
    onSameToken: (a, b) => analysis.sameToken(a, b),
    onProgress: o.onProgress,
  });

  // Token groups: every key a token was seen under (one per device), by root.
  const groups = new Map<string, string[]>();
  for (const k of new Set([...analysis.tokens.keys(), ...analysis.aliasKeys()])) {
    const root = analysis.find(k);
    const g = groups.get(root) ?? [];
    g.push(k);
    groups.set(root, g);
  }

  const hashedKeys = new Set<string>();
  for (const [root, keys] of groups) {
    if (keys.some((k) => splitTokenKey(k).raw) || splitTokenKey(root).raw) continue;
    for (const k of keys) hashedKeys.add(k);
  }
  const explicit = new Set(
    stats.devices
      .filter((d) => d.files.some((f) => o.deviceOf?.(f) !== undefined))
      .map((d) => d.name),
  );
  const notes: string[] = [];
  for (const d of stats.devices) {
    if (d.rawAccessors > 0 && d.hashedAccessors === 0)
      notes.push(`device ${d.name}: accessors logged raw (hmac_accessor=false): used as they are`);
  }
  let byKey = new Map<string, string>();
  const rawGroups = [...groups.values()].filter((ks) =>
    ks.some((k) => splitTokenKey(k).raw),
  ).length;
  if (stats.devices.some((d) => d.hashedAccessors > 0)) {
    if (rawGroups > 0)
      notes.push(
        `${rawGroups} token(s) logged HMAC'd by one device and raw by another were matched through the shared request ids`,
      );
    if (hashedKeys.size === 0) {
      // Every HMAC'd accessor already has its raw twin.
    } else if (o.vault) {
      const m = await matchAccessors(o.vault, stats.devices, hashedKeys, explicit);
      byKey = m.byKey;
      notes.push(...m.notes);
    } else {
      for (const d of stats.devices.filter((x) => x.hashedAccessors > 0)) {
        const left = [...hashedKeys].filter((k) => splitTokenKey(k).device === d.name).length;
        if (left > 0)
          notes.push(
            `device ${d.name}: accessors stay HMAC'd (${left} token(s)) — Vault not used to match them through sys/audit-hash (${o.noVaultReason ?? "no Vault"})`,
          );
      }
    }
  }

  const tokenName = (key: string): { name: string; by: TokenUsage["identifiedBy"] } => {
    const root = analysis.find(key);
    const keys = groups.get(root) ?? [key];
    for (const k of keys) {
      const s = splitTokenKey(k);
      if (s.raw) return { name: s.accessor, by: "raw" };
    }
    for (const k of keys) {
      const a = byKey.get(k);
      if (a !== undefined) return { name: a, by: "audit-hash" };
    }
    const s = splitTokenKey(root);
    // "hmac-sha256:" and 12 hex digits: enough to tell tokens apart in a report.
    return { name: `${s.device}:${s.accessor.slice(0, 24)}…`, by: "hmac" };
  };

  const since = iso(o.sinceMs);
  const until = iso(o.untilMs);
  const plans = new Map(
    planGrants(o.manifest)
      .consumers.flatMap((c) => c.needs)
      .map((n) => [n.need, n]),
  );
  const needs = [...analysis.needs.values()].map((n) => {
    // Merge the need's token keys by token (a token seen in two devices is one token).
    const byRoot = new Map<
      string,
      { uses: number; lastMs: number; issueMs?: number; dn?: string }
    >();
    for (const k of n.tokenKeys) {
      const tok = analysis.tokens.get(k);
      const u = tok?.byNeed.get(n.plan.need);
      if (!tok || !u) continue;
      const root = analysis.find(k);
      const acc = byRoot.get(root) ?? {
        uses: 0,
        lastMs: 0,
        issueMs: tok.issueMs,
        dn: tok.displayName,
      };
      acc.uses += u.uses;
      acc.lastMs = Math.max(acc.lastMs, u.lastMs);
      byRoot.set(root, acc);
    }
    const tokens: TokenUsage[] = [...byRoot.entries()]
      .sort((a, b) => b[1].lastMs - a[1].lastMs)
      .map(([root, v]) => {
        const t = tokenName(root);
        return {
          token: t.name,
          identifiedBy: t.by,
          ...(v.dn !== undefined ? { displayName: v.dn } : {}),
          ...(v.issueMs !== undefined ? { issued: iso(v.issueMs) } : {}),
          uses: v.uses,
          lastUse: iso(v.lastMs),
        };
      });
    return analysis.needUsage(n, tokens);
  });
  const proposals: PolicyProposal[] = [];
  for (const u of needs) {
    const plan = plans.get(u.need);
    const p = plan && proposePolicy(o.manifest, u, plan.policy.hcl, { since, until });
    if (p) proposals.push(p);
  }
  const anomalies = analysis
    .anomalyList((k) => tokenName(k).name)
    .sort(
      (a, b) =>
        sevRank(a.severity) - sevRank(b.severity) ||
        a.rule.localeCompare(b.rule) ||
        a.last.localeCompare(b.last),
    );
  const days = Math.max(1, Math.ceil((o.untilMs - o.sinceMs) / 86_400_000));
  return {
    manifest: o.manifest.source.file,
    window: { since, until, days },
    devices: stats.devices.map(deviceSummary),
    accessorMatching: notes,
    stats: {
      lines: stats.lines,
      requests: stats.requests,
      responses: stats.responses,
      duplicates: stats.duplicates,
      requestsWithoutResponse: stats.requestsWithoutResponse,
      responsesWithoutRequest: stats.responsesWithoutRequest,
      inWindow: analysis.inWindow,
      unattributed: analysis.unattributed,
    },
    problems: {
      count: stats.problemCount,
      kinds: stats.problemKinds,
      examples: stats.problems,
    },
    needs,
    unused: needs.filter((n) => n.uses === 0).map((n) => n.need),
    proposals,
    anomalies,
    otherTokens: [...analysis.otherTokens.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 20)
      .map(([displayName, requests]) => ({ displayName, requests })),
  };
}

function sevRank(s: "deny" | "warn"): number {
  return s === "deny" ? 0 : 1;
}

function deviceSummary(d: CollectStats["devices"][number]): DeviceSummary {
  return {
    name: d.name,
    files: d.files,
    entries: d.entries,
    accessors:
      d.hashedAccessors > 0 && d.rawAccessors > 0
        ? "mixed"
        : d.hashedAccessors > 0
          ? "hmac"
          : d.rawAccessors > 0
            ? "raw"
            : "none",
  };
}
