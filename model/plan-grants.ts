/**
 * Manifest → grant plan: every Vault object the manifest requires, fully decided here so that the
 * Pulumi components and the CDKTF constructs only render it (and so both provision the same thing).
 * Pure and deterministic: same manifest, same plan, in manifest order; no SDK imports.
 */
import type {
  AccessLevel,
  Consumer,
  LoginAuthKind,
  Manifest,
  Need,
  PathGrant,
  Provider,
  Seconds,
} from "./types";
import type {
  AuthMountPlan,
  ConsumerPlan,
  ConsumerRulesPlan,
  CredentialPlan,
  GrantPlan,
  KvEntryPlan,
  NeedRulesPlan,
  PolicyPlan,
  PolicyRule,
  PolicyRulesPlan,
  RolePlan,
  RotationPlan,
  TokenPlan,
  TokenRolePlan,
  TokenStorePlan,
  AppRoleRolePlan,
  KubernetesRolePlan,
} from "./grant-plan-types";
import { ACCESS_CAPABILITIES } from "./access-levels";
import { formatDuration } from "./duration";
import { vaultDisplayName } from "./display-names";

/** Prefix of every policy tokenwarden writes, so its objects are recognisable in Vault. */
export const POLICY_PREFIX = "tw-";
/** Marks KV entries as managed here (drift checks look for it). */
export const MANAGED_BY = "tokenwarden";
/**
 * A KV entry keeps two versions: during a rotation the new credential is written as the next
 * version while consumers may still hold the previous one; the old one is revoked after the grace
 * period, so nothing older is worth keeping.
 */
export const KV_MAX_VERSIONS = 2;
/** Why a Kubernetes or JWT consumer has no rotation clock (`plan` prints it in place of one). */
export const NO_LONG_LIVED_CREDENTIAL = {
  kubernetes:
    "no long-lived credential: logs in with its Kubernetes service-account token, which the cluster issues and expires; nothing to rotate",
  jwt: "no long-lived credential: logs in with the CI job's OIDC token, issued per run and short-lived; nothing to rotate",
} as const;

/** How long a response-wrapped SecretID can be unwrapped when the manifest does not say. */
export const DEFAULT_WRAPPING_TTL = 24 * 3600;

export function policyName(need: string): string {
  return `${POLICY_PREFIX}${need}`;
}

/** Path within the KV mount holding a third-party need's token. */
export function kvEntryName(provider: string, need: string): string {
  return `${provider}/${need}`;
}

export function planGrants(m: Manifest): GrantPlan {
  const consumers: ConsumerPlan[] = [];
  forEachConsumerPlan(m, (cp) => consumers.push(cp));
  const providers = new Map<string, Provider>(m.providers.map((p) => [p.name, p]));
  const anyThirdParty = m.needs.some((n) => providerOf(providers, n).kind !== "vault-token");
  const store: TokenStorePlan = {
    ...(anyThirdParty
      ? {
          kvMount: {
            path: m.vault.kvMount,
            description: "tokenwarden: third-party API tokens (KV v2)",
            create: m.vault.kvMountCreate,
          },
        }
      : {}),
    authMounts: planAuthMounts(m, consumers),
    ...(m.vault.audit
      ? { audit: { path: m.vault.audit.path, filePath: m.vault.audit.filePath } }
      : {}),
  };
  return { store, consumers };
}

/**
 * The consumers' part of {@link planGrants}, handed over one consumer at a time, in manifest
 * order. A caller that only reads each plan (the policy input of `check`) keeps none of them, so
 * a 10,000-need plan is never held whole: its objects die young, where collecting them is cheap.
 */
export function forEachConsumerPlan(m: Manifest, visit: (plan: ConsumerPlan) => void): void {
  // With policy text, each plan is a whole ConsumerPlan.
  planConsumers(m, true, visit as (plan: ConsumerRulesPlan) => void);
}

/**
 * {@link forEachConsumerPlan} without the policies' HCL text, for readers of the structured rules
 * alone (the policy input): rendering 10,000 policy documents nobody reads costs ~30 ms.
 */
export function forEachConsumerRules(
  m: Manifest,
  visit: (plan: ConsumerRulesPlan, needIndices: readonly number[]) => void,
): void {
  planConsumers(m, false, visit);
}

/**
 * Plans consumer by consumer. `visit` also gets, for each of the plan's needs in order, its index
 * in `m.needs`: a reader keyed by need (the policy input) places what it reads by index instead of
 * building a map of 10,000 names.
 */
function planConsumers(
  m: Manifest,
  withHcl: boolean,
  visit: (plan: ConsumerRulesPlan, needIndices: readonly number[]) => void,
): void {
  const providers = new Map<string, Provider>(m.providers.map((p) => [p.name, p]));
  const indicesByConsumer = new Map<string, number[]>();
  const needs = m.needs;
  for (let i = 0; i < needs.length; i++) {
    const list = indicesByConsumer.get(needs[i].consumer);
    if (list) list.push(i);
    else indicesByConsumer.set(needs[i].consumer, [i]);
  }
  // Indexed loops: until optimised, `for…of` allocates an iterator result per step. The loop
  // stays this small on purpose: with a consumer's planning inlined into it, its optimising
  // compile cost more than the whole loop ran.
  for (let ci = 0; ci < m.consumers.length; ci++) {
    const consumer = m.consumers[ci];
    const indices = indicesByConsumer.get(consumer.name);
    // A consumer with no needs gets nothing: a role without policies would be access granted
    // for no declared reason.
    if (!indices || indices.length === 0) continue;
    visit(planConsumer(m, providers, consumer, indices, withHcl), indices);
  }
}

/** One consumer's plan: its role, its credential and its needs' objects (`indices` into m.needs). */
function planConsumer(
  m: Manifest,
  providers: Map<string, Provider>,
  consumer: Consumer,
  indices: readonly number[],
  withHcl: boolean,
): ConsumerRulesPlan {
  const needs = m.needs;
  const own: Need[] = new Array<Need>(indices.length);
  // Each policy name is built once and shared by the role's list and the need's policy.
  const names: string[] = new Array<string>(indices.length);
  for (let k = 0; k < indices.length; k++) {
    own[k] = needs[indices[k]];
    names[k] = policyName(own[k].name);
  }
  const role = planRole(m, consumer, own, names);
  const cp: Building<ConsumerRulesPlan> = { consumer: consumer.name, auth: consumer.auth };
  if (consumer.owner !== undefined) cp.owner = consumer.owner;
  cp.role = role;
  cp.credential = planCredential(consumer, own);
  const planned: NeedRulesPlan[] = new Array<NeedRulesPlan>(own.length);
  for (let k = 0; k < own.length; k++) {
    const need = own[k];
    planned[k] = planNeed(m, consumer, providerOf(providers, need), need, names[k], role, withHcl);
  }
  cp.needs = planned;
  return cp as ConsumerRulesPlan;
}

/** One entry per auth kind the planned consumers log in with (token auth needs no mount). */
function planAuthMounts(m: Manifest, consumers: readonly ConsumerPlan[]): AuthMountPlan[] {
  const kinds: LoginAuthKind[] = [];
  for (const c of consumers) {
    if (c.auth !== "token" && !kinds.includes(c.auth)) kinds.push(c.auth);
  }
  return kinds.map((kind) => {
    const setup = m.vault.authMountSetup[kind];
    return { kind, path: m.vault.authMounts[kind], ...(setup ? { setup } : {}) };
  });
}

/**
 * What the consumer logs in with, and whether the stack re-issues it. An AppRole SecretID
 * rotates on the consumer's shortest rotation period; Kubernetes and JWT consumers present a
 * token their platform issues per run, so there is nothing long-lived to rotate.
 */
function planCredential(consumer: Consumer, needs: readonly Need[]): CredentialPlan {
  switch (consumer.auth) {
    case "approle": {
      const metadata: Record<string, string> = { consumer: consumer.name };
      if (consumer.owner !== undefined) metadata.owner = consumer.owner;
      metadata.managed_by = MANAGED_BY;
      const rotation = planRotation(minPositive(minRotation(needs)));
      return {
        kind: "secret-id",
        wrappingTtl: consumer.approle.wrappingTtl ?? DEFAULT_WRAPPING_TTL,
        ttl: secretIdTtl(consumer, needs),
        numUses: consumer.approle.secretIdNumUses ?? 0,
        metadata,
        ...(rotation ? { rotation } : {}),
      };
    }
    case "kubernetes":
    case "jwt":
      return { kind: "none", reason: NO_LONG_LIVED_CREDENTIAL[consumer.auth] };
    case "token":
      return { kind: "token-per-need" };
  }
}

function minPositive(v: Seconds): Seconds | undefined {
  return v > 0 ? v : undefined;
}

/**
 * The shortest rotation of `needs`; 0 (Vault's "use the mount default") when none is set — the
 * policy rules flag that. Read off the needs in place: a list of their rotations would be a new
 * array each time (and, holding integers or undefined, of another elements kind than the last —
 * each a deoptimisation of the code reading it).
 */
function minRotation(needs: readonly Need[]): Seconds {
  let min: Seconds | undefined;
  for (let i = 0; i < needs.length; i++) {
    const v = needs[i].rotation;
    if (v !== undefined && (min === undefined || v < min)) min = v;
  }
  return min ?? 0;
}

/** A SecretID is a credential too: it lives no longer than the consumer's shortest rotation. */
function secretIdTtl(consumer: Consumer & { auth: "approle" }, needs: readonly Need[]): Seconds {
  return consumer.approle.secretIdTtl ?? minRotation(needs);
}

function providerOf(providers: Map<string, Provider>, need: Need): Provider {
  const p = providers.get(need.provider);
  // The loader guarantees references resolve; a hand-built Manifest that breaks this is a bug.
  if (!p) throw new Error(`planGrants: need ${need.name} names unknown provider ${need.provider}`);
  return p;
}

type Building<T> = { -readonly [K in keyof T]?: T[K] };

function planNeed(
  m: Manifest,
  consumer: Consumer,
  provider: Provider,
  need: Need,
  name: string,
  role: RolePlan,
  withHcl: boolean,
): NeedRulesPlan {
  // One literal (no spreads of optional parts): a 10,000-need plan should not allocate twice what
  // it returns. Its key order is the order consumers see in JSON.
  // A third-party need's KV entry name, built once for its policy path and its entry.
  const entry = provider.kind === "vault-token" ? "" : kvEntryName(provider.name, need.name);
  const rules = policyRules(m, provider, need, entry);
  const policy: PolicyRulesPlan = withHcl ? policyWithHcl(name, rules) : { name, rules };
  const token = role.kind === "token" ? planToken(consumer, need, policy.name, role) : undefined;
  // Every field present, the ones that do not apply holding undefined (JSON leaves them out): one
  // shape for every need's plan, so its readers look fields up at fixed offsets.
  return {
    need: need.name,
    consumer: consumer.name,
    provider: provider.name,
    providerKind: provider.kind,
    access: need.access,
    owner: need.owner,
    policy,
    token,
    kvEntry: provider.kind !== "vault-token" ? planKvEntry(m, provider, need, entry) : undefined,
    // Only what the stack issues itself is re-issued on a clock: the need's token.
    rotation: token && need.rotation !== undefined ? planRotation(need.rotation) : undefined,
  };
}

/**
 * vault-token needs: exactly the need's paths. A path's declared capabilities are kept as declared
 * — that is the reviewed intent, and rule TW002 is what flags capabilities beyond the access level;
 * silently trimming them here would hide the finding. A path that declares none gets its access
 * level's set. Third-party needs: read on their one KV v2 data path, nothing else.
 */
export function planPolicy(m: Manifest, provider: Provider, need: Need): PolicyPlan {
  const entry = provider.kind === "vault-token" ? "" : kvEntryName(provider.name, need.name);
  return policyWithHcl(policyName(need.name), policyRules(m, provider, need, entry));
}

function policyWithHcl(name: string, rules: readonly PolicyRule[]): PolicyPlan {
  return { name, hcl: renderPolicyHcl(rules), rules };
}

/** `entry`: the need's KV entry name (third-party providers only). */
function policyRules(m: Manifest, provider: Provider, need: Need, entry: string): PolicyRule[] {
  if (provider.kind !== "vault-token")
    return [{ path: `${m.vault.kvMount}/data/${entry}`, capabilities: ["read"] }];
  // Lists of exactly their length (a literal, or map): they become the policy input's, and a
  // list grown by push from empty would reserve room for 17 rules per need.
  const paths = need.paths;
  if (paths.length === 1) return [pathRule(paths[0], need.access)];
  return paths.map((p) => pathRule(p, need.access));
}

/** A declared path grant as a policy rule: its capabilities as declared, else its access level's. */
function pathRule(p: PathGrant, access: AccessLevel): PolicyRule {
  return {
    path: p.path,
    capabilities:
      p.capabilities.length > 0 ? p.capabilities.slice() : ACCESS_CAPABILITIES[access].slice(),
  };
}

/** Deterministic HCL: one `path` block per rule, in rule order, separated by a blank line. */
export function renderPolicyHcl(rules: readonly PolicyRule[]): string {
  let hcl = "";
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    let caps = "";
    for (let k = 0; k < r.capabilities.length; k++)
      caps += (k ? ', "' : '"') + r.capabilities[k] + '"';
    hcl += `${i ? "\n" : ""}path ${JSON.stringify(r.path)} {\n  capabilities = [${caps}]\n}\n`;
  }
  return hcl;
}

/**
 * One role per consumer, named after it, carrying all its needs' policies (sorted, so the role is
 * stable whatever the need order). Its TTLs are the strictest of its needs': a role's token serves
 * every need of the consumer, so it may live no longer than the shortest-lived one allows.
 */
function planRole(
  m: Manifest,
  consumer: Consumer,
  needs: readonly Need[],
  policyNames: readonly string[],
): RolePlan {
  let tokenMaxTtl: Seconds | undefined;
  let ttl: Seconds | undefined;
  for (let i = 0; i < needs.length; i++) {
    const n = needs[i];
    if (n.maxTtl !== undefined && (tokenMaxTtl === undefined || n.maxTtl < tokenMaxTtl))
      tokenMaxTtl = n.maxTtl;
    if (n.ttl !== undefined && (ttl === undefined || n.ttl < ttl)) ttl = n.ttl;
  }
  tokenMaxTtl ??= 0; // 0: Vault's "use the mount default" (the policy rules flag that)
  let tokenTtl = ttl ?? 0;
  // One need may set only a ttl and another only a maxTtl: never plan a ttl above the max.
  if (tokenMaxTtl > 0 && tokenTtl > tokenMaxTtl) tokenTtl = tokenMaxTtl;
  const tokenPolicies = sortedCopy(policyNames);
  // Each kind's object is written out whole, in the plan's key order (consumer, roleName,
  // tokenPolicies, tokenTtl, tokenMaxTtl, kind, …), rather than spread from a shared base.
  switch (consumer.auth) {
    case "approle": {
      const role: { -readonly [K in keyof AppRoleRolePlan]: AppRoleRolePlan[K] } = {
        consumer: consumer.name,
        roleName: consumer.name,
        tokenPolicies,
        tokenTtl,
        tokenMaxTtl,
        kind: "approle",
        backend: m.vault.authMounts.approle,
        secretIdTtl: secretIdTtl(consumer, needs),
        secretIdNumUses: consumer.approle.secretIdNumUses ?? 0,
      };
      if (consumer.cidrs?.length) role.secretIdBoundCidrs = consumer.cidrs.slice();
      return role;
    }
    case "kubernetes": {
      const role: { -readonly [K in keyof KubernetesRolePlan]: KubernetesRolePlan[K] } = {
        consumer: consumer.name,
        roleName: consumer.name,
        tokenPolicies,
        tokenTtl,
        tokenMaxTtl,
        kind: "kubernetes",
        backend: m.vault.authMounts.kubernetes,
        boundServiceAccountNames: consumer.kubernetes.serviceAccounts.slice(),
        boundServiceAccountNamespaces: consumer.kubernetes.namespaces.slice(),
      };
      if (consumer.kubernetes.audience !== undefined) role.audience = consumer.kubernetes.audience;
      return role;
    }
    case "jwt": {
      // Vault's bound_claims takes a comma-separated string for "any of these values".
      const boundClaims: Record<string, string> = {};
      const claims = consumer.jwt.boundClaims;
      for (const k of Object.keys(claims)) {
        const v = claims[k];
        boundClaims[k] = typeof v === "string" ? v : v.join(",");
      }
      return {
        consumer: consumer.name,
        roleName: consumer.name,
        tokenPolicies,
        tokenTtl,
        tokenMaxTtl,
        kind: "jwt",
        backend: m.vault.authMounts.jwt,
        boundAudiences: consumer.jwt.boundAudiences.slice(),
        boundClaims,
        userClaim: consumer.jwt.userClaim,
      };
    }
    case "token": {
      // Only what Vault's token roles take; each token carries its own TTL (planToken).
      const role: { -readonly [K in keyof TokenRolePlan]: TokenRolePlan[K] } = {
        kind: "token",
        consumer: consumer.name,
        roleName: consumer.name,
        allowedPolicies: tokenPolicies,
        tokenExplicitMaxTtl: tokenMaxTtl,
        tokenType: "service",
        renewable: true,
        orphan: false,
      };
      if (consumer.cidrs?.length) role.tokenBoundCidrs = consumer.cidrs.slice();
      return role;
    }
  }
}

/**
 * The names in sort order (as `slice().sort()` orders text), as a new list. A consumer's needs are
 * usually written in name order already: one look along the list then replaces the sort, whose
 * comparisons were most of planning a role.
 */
function sortedCopy(names: readonly string[]): string[] {
  const out = names.slice();
  for (let i = 1; i < out.length; i++) if (out[i - 1] > out[i]) return out.sort();
  return out;
}

/**
 * Token-auth consumers get one token per need, carrying only that need's policy. Not an orphan (it
 * dies with its parent), renewable up to its explicit max TTL, and without Vault's `default` policy
 * unless the need asked for it. Its meta ties every audit line back to the declared need.
 */
function planToken(consumer: Consumer, need: Need, policy: string, role: TokenRolePlan): TokenPlan {
  const meta: Record<string, string> = { need: need.name, consumer: consumer.name };
  if (need.owner !== undefined) meta.owner = need.owner;
  meta.provider = need.provider;
  // The role caps every token created against it at the consumer's strictest max TTL; a TTL
  // above that cap would be cut by Vault (with a warning), so the plan asks for what Vault gives.
  const cap = role.tokenExplicitMaxTtl;
  const ttl = need.ttl ?? 0;
  return {
    name: `${consumer.name}-${need.name}`,
    policies: [policy],
    ttl: cap > 0 && ttl > cap ? cap : ttl,
    explicitMaxTtl: cap,
    renewable: true,
    noParent: false,
    noDefaultPolicy: !need.defaultPolicy,
    roleName: role.roleName,
    meta,
    displayName: vaultDisplayName(need.name),
  };
}

/** Custom metadata Vault stores next to the token; `next_rotation` is added by the renderers. */
function planKvEntry(m: Manifest, provider: Provider, need: Need, entry: string): KvEntryPlan {
  const md: Record<string, string> = {};
  if (need.owner !== undefined) md.owner = need.owner;
  md.consumer = need.consumer;
  md.need = need.name;
  md.provider = provider.name;
  // (most needs request one scope: that text is the joined list, without a join per need)
  md.scopes = need.scopes.length === 1 ? need.scopes[0] : need.scopes.join(",");
  if (need.rotation !== undefined) md.rotation_period = rotationText(need.rotation);
  if (need.expires !== undefined) md.review_date = need.expires;
  md.managed_by = MANAGED_BY;
  return {
    mount: m.vault.kvMount,
    name: entry,
    maxVersions: KV_MAX_VERSIONS,
    customMetadata: md,
  };
}

/** A manifest repeats a handful of rotation periods thousands of times: format each once. */
const rotationTexts = new Map<Seconds, string>();

function rotationText(rotation: Seconds): string {
  let text = rotationTexts.get(rotation);
  if (text === undefined) {
    text = formatDuration(rotation);
    if (rotationTexts.size < 4096) rotationTexts.set(rotation, text);
  }
  return text;
}

/** `time_rotating`/`time.Rotating` count in whole minutes: round up, never rotate early. */
export function planRotation(rotation: Seconds | undefined): RotationPlan | undefined {
  if (rotation === undefined) return undefined;
  return { periodSeconds: rotation, rotationMinutes: Math.ceil(rotation / 60) };
}
