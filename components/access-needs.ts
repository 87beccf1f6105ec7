/**
 * The top-level component: a manifest in, every Vault object its needs require out. It loads,
 * validates and plans the manifest (the model decides everything), then renders the plan as a
 * token store, one ConsumerRole per consumer and one NeedGrant per need under it.
 */
import * as pulumi from "@pulumi/pulumi";
import { UserError } from "../errors";
import { loadManifest, parseManifestObject, planGrants } from "../model";
import type { ConsumerPlan, GrantPlan, NeedGrantPlan } from "../model/grant-plan-types";
import type { Manifest } from "../model/types";
import { ConsumerRole, consumerRoleArgs, secretIdArgs, type AppRoleLogin } from "./consumer-role";
import { NeedGrant, type NeedGrantArgs } from "./need-grant";
import { TokenStore } from "./token-store";
import { TYPE_TOKENS } from "./type-tokens";

export interface AccessNeedsArgs {
  /** Path of an access-needs YAML/JSON file, or the manifest itself as an object. */
  readonly manifest: string | object;
  /**
   * The initial third-party token of a third-party need, by need name: written once, when the
   * need's KV entry is created. Later versions are `tokenwarden procure`/`put`'s (they own the
   * entry's versions). Values are wrapped as Pulumi secrets whatever they arrive as.
   */
  readonly thirdPartyTokens?: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * Register the store only and leave the consumers (with their needs) to `renderConsumer`, called
   * by the caller one slice at a time. Only `tokenwarden plan`'s mock run sets it: a large manifest
   * then has one slice's resources in flight at once, not all of them. `consumers`, `grants`,
   * `clientTokens` and `approleLogins` stay empty; a stack never sets it.
   */
  readonly deferConsumers?: boolean;
}

/** One line of the non-secret inventory: what was granted, to whom, until when. */
export interface InventoryEntry {
  readonly need: string;
  readonly consumer: string;
  readonly provider: string;
  readonly providerKind: NeedGrantPlan["providerKind"];
  readonly access: NeedGrantPlan["access"];
  readonly owner: string | null;
  readonly policy: string;
  /** `<auth mount>/<role>` (`token/<role>` for token roles). */
  readonly role: string;
  /** `<kv mount>/<path>` of the stored third-party token, or null. */
  readonly kvPath: string | null;
  /** Logical name of the Vault token issued for the need, or null. */
  readonly token: string | null;
  readonly rotationSeconds: number | null;
  /** Review date (ISO), or null when the manifest gives none. */
  readonly reviewDate: string | null;
}

/**
 * A manifest the model refused. A RunError, so Pulumi prints just the message (the same
 * one-line-per-issue text as `tokenwarden validate`) without a stack; `reason` keeps the model's
 * error for callers that print issues themselves.
 */
export class InvalidManifestError extends pulumi.RunError {
  constructor(readonly reason: UserError) {
    super(reason.message);
    this.name = "InvalidManifestError";
  }
}

/** Loads and plans a manifest; invalid input throws InvalidManifestError. */
export function planManifest(manifest: string | object): { manifest: Manifest; plan: GrantPlan } {
  try {
    const m =
      typeof manifest === "string"
        ? loadManifest(manifest)
        : parseManifestObject(manifest, "<manifest object>");
    return { manifest: m, plan: planGrants(m) };
  } catch (err) {
    if (err instanceof UserError) throw new InvalidManifestError(err);
    throw err;
  }
}

export function inventoryOf(manifest: Manifest, plan: GrantPlan): InventoryEntry[] {
  const reviewDates = new Map(manifest.needs.map((n) => [n.name, n.expires]));
  const rotations = new Map(manifest.needs.map((n) => [n.name, n.rotation]));
  const entries: InventoryEntry[] = [];
  for (const c of plan.consumers) {
    const mount = c.role.kind === "token" ? "token" : c.role.backend;
    for (const g of c.needs) {
      entries.push({
        need: g.need,
        consumer: g.consumer,
        provider: g.provider,
        providerKind: g.providerKind,
        access: g.access,
        owner: g.owner ?? null,
        policy: g.policy.name,
        role: `${mount}/${c.role.roleName}`,
        kvPath: g.kvEntry ? `${g.kvEntry.mount}/${g.kvEntry.name}` : null,
        token: g.token?.name ?? null,
        rotationSeconds: rotations.get(g.need) ?? null,
        reviewDate: reviewDates.get(g.need) ?? null,
      });
    }
  }
  return entries;
}

export class AccessNeeds extends pulumi.ComponentResource {
  readonly plan: GrantPlan;
  readonly store: TokenStore;
  readonly consumers: ReadonlyMap<string, ConsumerRole>;
  readonly grants: ReadonlyMap<string, NeedGrant>;
  /** Per need: consumer, provider, policy, role, KV path, rotation, review date. Never secret. */
  readonly inventory: pulumi.Output<InventoryEntry[]>;
  /** Issued Vault tokens by need name — a Pulumi secret. */
  readonly clientTokens: pulumi.Output<Record<string, string>>;
  /** AppRole consumers' role IDs and response-wrapped SecretIDs, by consumer — a Pulumi secret. */
  readonly approleLogins: pulumi.Output<Record<string, AppRoleLogin>>;

  constructor(name: string, args: AccessNeedsArgs, opts?: pulumi.ComponentResourceOptions) {
    // Plan before registering anything: an invalid manifest registers nothing at all.
    const { manifest, plan } = planManifest(args.manifest);
    const thirdParty = args.thirdPartyTokens ?? {};
    super(TYPE_TOKENS.AccessNeeds, name, {}, opts);
    this.plan = plan;

    this.store = new TokenStore(
      `${name}-store`,
      {
        kvMount: plan.store.kvMount && { ...plan.store.kvMount },
        authMounts: plan.store.authMounts,
        audit: plan.store.audit && {
          path: plan.store.audit.path,
          filePath: plan.store.audit.filePath,
        },
      },
      { parent: this },
    );

    const consumers = new Map<string, ConsumerRole>();
    const grants = new Map<string, NeedGrant>();
    for (const c of args.deferConsumers ? [] : plan.consumers) {
      const { role, needs } = this.renderConsumer(c, thirdParty);
      consumers.set(c.consumer, role);
      for (const [need, grant] of needs) grants.set(need, grant);
    }
    this.consumers = consumers;
    this.grants = grants;

    this.inventory = pulumi.output(inventoryOf(manifest, plan));
    const tokens = [...grants].filter(([, g]) => g.token);
    this.clientTokens = pulumi.secret(
      pulumi
        .all(tokens.map(([, g]) => g.clientToken))
        .apply((values) => Object.fromEntries(tokens.map(([need], i) => [need, values[i] ?? ""]))),
    );
    const logins = [...consumers].filter(([, r]) => r.login);
    this.approleLogins = pulumi.secret(
      pulumi
        .all(logins.map(([, r]) => r.login as pulumi.Output<AppRoleLogin>))
        .apply((values) => Object.fromEntries(logins.map(([c], i) => [c, values[i]]))),
    );
    this.registerOutputs({
      inventory: this.inventory,
      clientTokens: this.clientTokens,
      approleLogins: this.approleLogins,
    });
  }

  /** One consumer's role and, under it, a NeedGrant per need (the constructor calls it per consumer). */
  renderConsumer(
    c: ConsumerPlan,
    thirdParty: Readonly<Record<string, pulumi.Input<string>>>,
  ): { role: ConsumerRole; needs: [string, NeedGrant][] } {
    const planned = consumerRoleArgs(c.role);
    // Written into a mount known to exist: created by the store, or checked there.
    const roleArgs =
      c.role.kind === "token" || planned.kind === "token"
        ? planned
        : { ...planned, backend: this.store.authMountPath(planned.kind, c.role.backend) };
    const role = new ConsumerRole(
      c.consumer,
      {
        ...roleArgs,
        secretId: secretIdArgs(c.credential),
        dependsOn: [...this.store.mountResources],
      },
      { parent: this },
    );
    const needs: [string, NeedGrant][] = c.needs.map((g) => [
      g.need,
      new NeedGrant(g.need, needGrantArgs(g, role, this.store, thirdParty[g.need]), {
        parent: role,
      }),
    ]);
    return { role, needs };
  }
}

function needGrantArgs(
  g: NeedGrantPlan,
  role: ConsumerRole,
  store: TokenStore,
  value: pulumi.Input<string> | undefined,
): NeedGrantArgs {
  const t = g.token;
  const kv = g.kvEntry;
  return {
    policy: { name: g.policy.name, hcl: g.policy.hcl },
    token: t && {
      policies: [...t.policies],
      ttl: t.ttl,
      renewable: t.renewable,
      noParent: t.noParent,
      noDefaultPolicy: t.noDefaultPolicy,
      roleName: t.roleName,
      meta: { ...t.meta },
      displayName: t.displayName,
    },
    kvEntry: kv && {
      // Known to exist by the time it is used: created by the store, or checked there.
      mount: store.mountPath.apply((p) => p ?? kv.mount),
      name: kv.name,
      customMetadata: { ...kv.customMetadata },
      maxVersions: kv.maxVersions,
      value: value === undefined ? undefined : pulumi.secret(value),
    },
    rotationMinutes: g.rotation?.rotationMinutes,
    issuesAfter: [
      ...(t?.roleName !== undefined ? [role.role] : []),
      ...(kv ? store.mountResources.filter((r) => r === store.mount) : []),
    ],
  };
}
