/**
 * The review itself: fed every distinct response in time order (collect.ts), it attributes each
 * to a need and keeps bounded per-need, per-token and per-rule tallies — never the entries — so
 * memory depends on the manifest and the number of tokens, not on the size of the logs.
 *
 * Attribution, most certain first: the token's `need` meta (tokenwarden writes it on every token
 * it issues; Vault copies meta into each audit line); else the `tw-<need>` policies the token
 * carries — a role login carries all its consumer's needs' policies, so the request's path picks
 * the need whose granted rule it matches.
 */
import type { Manifest, NeedGrantPlan } from "../../model";
import { planGrants, POLICY_PREFIX } from "../../model";
import { bestMatch, capabilityOf, compilePattern, type CompiledPattern } from "./acl-path";
import type { ResponseEntry } from "./entry";
import type { Anomaly, AnomalyRule, NeedUsage, PathUse, RuleUsage } from "./report-types";

const DAY = 86_400_000;
/**
 * A need's usual remote addresses: those seen in its first day of activity, and at least in its
 * first 10 uses (a need used a few times a day would otherwise flag its second host).
 */
const ADDRESS_BASELINE_MS = DAY;
const ADDRESS_BASELINE_USES = 10;
const MAX_ADDRESSES = 256;
const MAX_PATHS_PER_RULE = 50;
const MAX_OTHER_PATHS = 50;

export interface AnalyseOptions {
  readonly sinceMs: number;
  readonly untilMs: number;
  /** How long an older token of a need may still be used after a newer one appeared (default 24h). */
  readonly rotationGraceMs?: number;
}

interface RuleTally {
  readonly compiled: CompiledPattern;
  readonly granted: readonly string[];
  readonly used: Set<string>;
  readonly paths: Map<string, { caps: Set<string>; count: number }>;
  more: boolean;
}

export interface TokenTally {
  readonly key: string;
  displayName?: string;
  issueMs?: number;
  /** Uses in the window and the last one, per need the token was used for. */
  readonly byNeed: Map<string, { uses: number; lastMs: number }>;
}

interface NeedTally {
  readonly plan: NeedGrantPlan;
  readonly expires?: string;
  readonly expiresEndMs?: number;
  readonly rules: RuleTally[];
  readonly patterns: CompiledPattern[];
  uses: number;
  denied: number;
  failed: number;
  firstSeenMs?: number;
  lastMs?: number;
  /** Successful uses seen so far, window or not. */
  seen: number;
  readonly addresses: Map<string, number>;
  readonly daily: number[];
  readonly tokenKeys: Set<string>;
  readonly other: Map<string, { caps: Set<string>; count: number }>;
  /** Newest issue time among this need's per-need tokens seen so far. */
  newestIssueMs?: number;
}

interface AnomalyTally {
  rule: AnomalyRule;
  severity: "deny" | "warn";
  need?: string;
  consumer?: string;
  owner?: string;
  message: string;
  count: number;
  firstMs: number;
  lastMs: number;
  path?: string;
  operation?: string;
  remoteAddress?: string;
  tokenKey?: string;
}

export class AuditAnalysis {
  readonly needs = new Map<string, NeedTally>();
  private readonly byPolicy = new Map<string, NeedTally>();
  readonly tokens = new Map<string, TokenTally>();
  private readonly parent = new Map<string, string>();
  private readonly anomalies = new Map<string, AnomalyTally>();
  readonly otherTokens = new Map<string, number>();
  inWindow = 0;
  unattributed = 0;
  private readonly days: number;
  private readonly grace: number;

  constructor(
    readonly manifest: Manifest,
    readonly opts: AnalyseOptions,
  ) {
    this.days = Math.max(1, Math.min(366, Math.ceil((opts.untilMs - opts.sinceMs) / DAY)));
    this.grace = opts.rotationGraceMs ?? DAY;
    const byName = new Map(manifest.needs.map((n) => [n.name, n]));
    for (const cp of planGrants(manifest).consumers) {
      for (const np of cp.needs) {
        const need = byName.get(np.need);
        const expires = need?.expires;
        const rules: RuleTally[] = np.policy.rules.map((r) => ({
          compiled: compilePattern(r.path),
          granted: r.capabilities,
          used: new Set(),
          paths: new Map(),
          more: false,
        }));
        const t: NeedTally = {
          plan: np,
          expires,
          expiresEndMs: expires ? Date.parse(expires) + DAY : undefined,
          rules,
          patterns: rules.map((r) => r.compiled),
          uses: 0,
          seen: 0,
          denied: 0,
          failed: 0,
          addresses: new Map(),
          daily: new Array<number>(this.days).fill(0),
          tokenKeys: new Set(),
          other: new Map(),
        };
        this.needs.set(np.need, t);
        this.byPolicy.set(np.policy.name, t);
      }
    }
  }

  /** Two keys name one token (one request seen in two devices). */
  sameToken(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }

  find(key: string): string {
    let k = key;
    for (let p = this.parent.get(k); p !== undefined; p = this.parent.get(k)) k = p;
    if (k !== key) this.parent.set(key, k);
    return k;
  }

  /** Every key linked to another by sameToken. */
  aliasKeys(): IterableIterator<string> {
    return this.parent.keys();
  }

  use(e: ResponseEntry, tokenKey: string | undefined): void {
    const t = e.timeMs;
    const inWindow = t >= this.opts.sinceMs && t <= this.opts.untilMs;
    if (inWindow) this.inWindow++;
    if (e.policies.includes("root")) {
      if (inWindow)
        this.anomaly("TW074", "deny", `root:${e.path}`, t, {
          message: `root token used: ${e.operation} ${e.path}`,
          path: e.path,
          operation: e.operation,
          remoteAddress: e.remoteAddress,
          tokenKey,
        });
      return;
    }
    const need = this.attribute(e);
    if (!need) {
      if (!inWindow) return;
      const consumer = this.consumerOf(e);
      if (consumer === undefined) {
        // A token tokenwarden did not issue: counted by display name (never by token).
        this.unattributed++;
        const dn = e.displayName ?? "(no display name)";
        if (this.otherTokens.size < 10_000 || this.otherTokens.has(dn))
          this.otherTokens.set(dn, (this.otherTokens.get(dn) ?? 0) + 1);
      } else if (e.denied) {
        // A consumer's role token refused on a path none of its needs grants.
        this.anomaly("TW070", "warn", `denied:${consumer}:${e.operation}:${e.path}`, t, {
          consumer,
          message: `permission denied: ${e.operation} ${e.path} (a token of consumer ${consumer})`,
          path: e.path,
          operation: e.operation,
        });
      }
      return;
    }
    const name = need.plan.need;
    if (e.denied) {
      if (inWindow) {
        need.denied++;
        this.anomaly("TW070", "warn", `denied:${name}:${e.operation}:${e.path}`, t, {
          need: name,
          message: `permission denied: ${e.operation} ${e.path}`,
          path: e.path,
          operation: e.operation,
        });
      }
      return;
    }
    if (e.failed) {
      if (inWindow) need.failed++;
      return;
    }
    // A successful use. Baselines (addresses, token generations) learn from before the window too.
    if (need.firstSeenMs === undefined) need.firstSeenMs = t;
    need.lastMs = t;
    need.seen++;
    this.address(need, e, t, inWindow);
    this.rotation(need, e, t, inWindow, tokenKey);
    if (!inWindow) return;
    need.uses++;
    need.daily[Math.min(this.days - 1, Math.floor((t - this.opts.sinceMs) / DAY))]++;
    if (tokenKey !== undefined) {
      need.tokenKeys.add(tokenKey);
      this.tokenUse(tokenKey, e, name);
    }
    if (need.expiresEndMs !== undefined && t >= need.expiresEndMs)
      this.anomaly("TW073", "deny", `lapsed:${name}`, t, {
        need: name,
        message: `used after its review date ${need.expires} passed`,
      });
    this.rulesUse(need, e);
  }

  private attribute(e: ResponseEntry): NeedTally | undefined {
    const byMeta = e.metadata.need !== undefined ? this.needs.get(e.metadata.need) : undefined;
    if (byMeta) return byMeta;
    let first: NeedTally | undefined;
    let candidates = 0;
    for (const p of e.policies) {
      if (!p.startsWith(POLICY_PREFIX)) continue;
      const n = this.byPolicy.get(p);
      if (!n) continue;
      candidates++;
      first ??= n;
      if (e.path !== "" && n.rules.some((r) => r.compiled.test(e.path))) return n;
    }
    // One candidate: it is that need's token, whatever the path (a denied request, a self-lookup).
    return candidates === 1 ? first : undefined;
  }

  private consumerOf(e: ResponseEntry): string | undefined {
    if (e.metadata.consumer !== undefined) return e.metadata.consumer;
    for (const p of e.policies) {
      const n = this.byPolicy.get(p);
      if (n) return n.plan.consumer;
    }
    return undefined;
  }

  private tokenUse(key: string, e: ResponseEntry, need: string): void {
    let tok = this.tokens.get(key);
    if (!tok) {
      tok = { key, byNeed: new Map() };
      this.tokens.set(key, tok);
    }
    tok.displayName ??= e.displayName;
    tok.issueMs ??= e.tokenIssueMs;
    const u = tok.byNeed.get(need);
    if (u) {
      u.uses++;
      u.lastMs = e.timeMs;
    } else tok.byNeed.set(need, { uses: 1, lastMs: e.timeMs });
  }

  private address(need: NeedTally, e: ResponseEntry, t: number, inWindow: boolean): void {
    const a = e.remoteAddress;
    if (a === undefined || need.addresses.has(a)) return;
    if (need.addresses.size >= MAX_ADDRESSES) return;
    need.addresses.set(a, t);
    const baselineEnd = (need.firstSeenMs ?? t) + ADDRESS_BASELINE_MS;
    if (inWindow && t > baselineEnd && need.seen > ADDRESS_BASELINE_USES)
      this.anomaly("TW071", "warn", `addr:${need.plan.need}:${a}`, t, {
        need: need.plan.need,
        message: `used from a new remote address ${a} (not seen in its first day and first ${ADDRESS_BASELINE_USES} uses)`,
        remoteAddress: a,
      });
  }

  /**
   * Per-need tokens (meta `need`) are re-issued on rotation. Once a newer one has been seen, the
   * older one should stop being used after the grace period: later uses mean a consumer still
   * holds a credential that should be gone.
   */
  private rotation(
    need: NeedTally,
    e: ResponseEntry,
    t: number,
    inWindow: boolean,
    tokenKey: string | undefined,
  ): void {
    if (e.metadata.need === undefined || e.tokenIssueMs === undefined) return;
    const issued = e.tokenIssueMs;
    if (need.newestIssueMs === undefined || issued > need.newestIssueMs) {
      need.newestIssueMs = issued;
      return;
    }
    if (issued < need.newestIssueMs && t > need.newestIssueMs + this.grace && inWindow)
      this.anomaly("TW072", "deny", `rotated:${need.plan.need}:${tokenKey ?? issued}`, t, {
        need: need.plan.need,
        message: `a token issued ${short(issued)} still used after its replacement was issued ${short(need.newestIssueMs)}`,
        tokenKey,
      });
  }

  private rulesUse(need: NeedTally, e: ResponseEntry): void {
    const cap = capabilityOf(e.operation);
    const i = bestMatch(need.patterns, e.path);
    if (i === -1 || cap === undefined || !need.rules[i].granted.includes(cap)) {
      // Granted by another policy (e.g. `default` for auth/token/lookup-self): not this need's rule.
      if (cap === undefined && e.path.startsWith("auth/")) return;
      const p = need.other.get(e.path);
      if (p) {
        p.count++;
        if (cap) p.caps.add(cap);
      } else if (need.other.size < MAX_OTHER_PATHS)
        need.other.set(e.path, { caps: new Set(cap ? [cap] : []), count: 1 });
      return;
    }
    const r = need.rules[i];
    r.used.add(cap);
    const p = r.paths.get(e.path);
    if (p) {
      p.count++;
      p.caps.add(cap);
    } else if (r.paths.size < MAX_PATHS_PER_RULE)
      r.paths.set(e.path, { caps: new Set([cap]), count: 1 });
    else r.more = true;
  }

  private anomaly(
    rule: AnomalyRule,
    severity: "deny" | "warn",
    key: string,
    t: number,
    fields: Omit<AnomalyTally, "rule" | "severity" | "count" | "firstMs" | "lastMs">,
  ): void {
    const k = `${rule}:${key}`;
    const a = this.anomalies.get(k);
    if (a) {
      a.count++;
      a.lastMs = Math.max(a.lastMs, t);
      return;
    }
    const need = fields.need ? this.needs.get(fields.need) : undefined;
    this.anomalies.set(k, {
      rule,
      severity,
      consumer: need?.plan.consumer,
      owner: need?.plan.owner,
      ...fields,
      count: 1,
      firstMs: t,
      lastMs: t,
    });
  }

  /** Anomalies found while streaming; `tokenName` turns a token key into what a report shows. */
  anomalyList(tokenName: (key: string) => string): Anomaly[] {
    const out: Anomaly[] = [];
    for (const a of this.anomalies.values()) {
      out.push({
        rule: a.rule,
        severity: a.severity,
        ...(a.need !== undefined ? { need: a.need } : {}),
        ...(a.consumer !== undefined ? { consumer: a.consumer } : {}),
        ...(a.owner !== undefined ? { owner: a.owner } : {}),
        message: a.message,
        count: a.count,
        first: iso(a.firstMs),
        last: iso(a.lastMs),
        ...(a.path !== undefined ? { path: a.path } : {}),
        ...(a.operation !== undefined ? { operation: a.operation } : {}),
        ...(a.remoteAddress !== undefined ? { remoteAddress: a.remoteAddress } : {}),
        ...(a.tokenKey !== undefined ? { token: tokenName(a.tokenKey) } : {}),
      });
    }
    return out;
  }

  needUsage(n: NeedTally, tokens: NeedUsage["tokens"]): NeedUsage {
    const rules: RuleUsage[] = n.rules.map((r) => ({
      path: r.compiled.pattern,
      granted: [...r.granted],
      used: r.granted.filter((c) => r.used.has(c)),
      paths: pathUses(r.paths),
      morePaths: r.more,
    }));
    return {
      need: n.plan.need,
      consumer: n.plan.consumer,
      ...(n.plan.owner !== undefined ? { owner: n.plan.owner } : {}),
      provider: n.plan.provider,
      access: n.plan.access,
      ...(n.expires !== undefined ? { expires: n.expires } : {}),
      uses: n.uses,
      denied: n.denied,
      failed: n.failed,
      ...(n.lastMs !== undefined ? { lastUse: iso(n.lastMs) } : {}),
      remoteAddresses: [...n.addresses.keys()].sort(),
      daily: n.daily,
      tokens,
      rules,
      otherPaths: pathUses(n.other),
    };
  }
}

function pathUses(m: Map<string, { caps: Set<string>; count: number }>): PathUse[] {
  return [...m.entries()]
    .map(([path, v]) => ({ path, capabilities: [...v.caps].sort(), count: v.count }))
    .sort((a, b) => b.count - a.count || a.path.localeCompare(b.path));
}

/** "2026-11-05 00:00Z": minutes are enough in a sentence. */
function short(ms: number): string {
  return iso(ms).slice(0, 16).replace("T", " ") + "Z";
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
