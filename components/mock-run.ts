/**
 * Runs the real AccessNeeds program under Pulumi's mock runtime — no engine, no Vault — and
 * collects every resource it registers, in registration order, with its inputs as the SDK
 * serialises them (Pulumi input names, secrets still marked). `tokenwarden plan` prints this;
 * parity tests compare it with the CDKTF rendering; policy results hang off it later.
 */
import * as pulumi from "@pulumi/pulumi";
import { InputError } from "../errors";
import { AccessNeeds, InvalidManifestError, planManifest } from "./access-needs";
import type { ConsumerRole } from "./consumer-role";
import type { NeedGrant } from "./need-grant";

export const SECRET_MARK = "[secret]";

export interface PlannedResource {
  /** Pulumi type token, e.g. `vault:index/policy:Policy`. */
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  /** URN of the parent resource; null for the top-level component. */
  readonly parent: string | null;
  /** False for component resources (they have no inputs of their own). */
  readonly custom: boolean;
  /** Inputs by SDK name; secret values replaced by "[secret]". */
  readonly inputs: Record<string, unknown>;
  /** URNs of explicit dependencies (`dependsOn`). */
  readonly dependsOn: readonly string[];
  /** Whether a replacement deletes before it creates (tokenwarden never asks for that). */
  readonly deleteBeforeReplace: boolean;
}

export interface CollectOptions {
  /** Name of the top-level component (default "access-needs"). */
  readonly name?: string;
  /** Clock for the mocked `time.Rotating` (default: now), so next_rotation is what an up would set. */
  readonly now?: Date;
  /**
   * Third-party token values by need name. Unset needs get a placeholder secret: the plan shows
   * that a value is stored, never the value.
   */
  readonly thirdPartyTokens?: Readonly<Record<string, string>>;
  /**
   * Keep secret input values in `inputs` instead of "[secret]" — only for tests that apply the
   * rendered resources to a Vault double; `plan` never sets it.
   */
  readonly revealSecrets?: boolean;
  /** The value the mocked Vault returns as an issued token's clientToken (tests use a canary). */
  readonly issuedTokenValue?: string;
  /**
   * What the mocked Vault says exists, for the mounts the stack checks rather than creates:
   * auth mount paths (`sys/auth`) and the secrets mount table (`sys/mounts`, path/ → {type,
   * options}). Default: every mount the manifest names exists, the KV mount as KV version 2 —
   * offline, `plan` cannot know, and says what the stack would create.
   */
  readonly vault?: {
    readonly authMounts?: readonly string[];
    readonly mounts?: Readonly<Record<string, { type: string; options?: Record<string, string> }>>;
  };
}

export interface CollectedRun {
  readonly resources: PlannedResource[];
  /** The component itself, for tests that inspect its outputs. */
  readonly component: AccessNeeds;
}

const PLACEHOLDER_TOKEN = "placeholder: supplied by tokenwarden:thirdPartyTokens at pulumi up";

// The mock runtime is process-global state: runs take turns.
let queue: Promise<unknown> = Promise.resolve();

export function collectResources(
  manifest: string | object,
  options: CollectOptions = {},
): Promise<CollectedRun> {
  const run = queue.then(() => collectOnce(manifest, options, undefined));
  queue = run.catch(() => undefined);
  return run;
}

/**
 * Needs per slice of {@link collectResourcesInSlices}. The SDK holds ~60 KB per resource in flight
 * (promises and closures for every input and output); small slices keep that to a few MB, and cost
 * no more CPU than large ones (measured at 1,000 needs: 10 → 254 MB peak RSS, 50 → 362 MB,
 * 250 → 475 MB, all at once → 515 MB; CPU 5.6, 5.3, 7.1, 8.1 s).
 */
export const SLICE_NEEDS = 20;

/**
 * The same resources as {@link collectResources}, in the same order, with memory flat per need:
 * the SDK builds every resource's promise chains the moment it is constructed, so rendering all
 * consumers at once holds all of them in flight together (~0.5 MB per need). Here the program
 * registers its store, then its consumers a slice at a time (`AccessNeeds.deferConsumers` /
 * `renderConsumer`), each slice drained and let go before the next. The component comes back
 * without consumer/grant maps or token outputs; `tokenwarden plan` needs only the resources.
 */
export function collectResourcesInSlices(
  manifest: string | object,
  options: CollectOptions & { readonly sliceNeeds?: number } = {},
): Promise<CollectedRun> {
  const run = queue.then(() => collectOnce(manifest, options, options.sliceNeeds ?? SLICE_NEEDS));
  queue = run.catch(() => undefined);
  return run;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): Parameters<typeof pulumi.runtime.deserializeProperties>[0];
  getDependenciesList(): string[];
  getDeletebeforereplace(): boolean;
}
interface MonitorLike {
  registerResource(req: RegisterRequest, callback: (err: unknown, res: unknown) => void): unknown;
}

/**
 * The SDK records a stack trace on every promise it creates (only ever printed when a promise
 * leaks); capturing and formatting those is the largest single cost of a mock run, so the run
 * captures none. Errors a user can act on carry messages, not stacks.
 */
async function collectOnce(
  manifest: string | object,
  options: CollectOptions,
  sliceNeeds: number | undefined,
): Promise<CollectedRun> {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return await collectWithMocks(manifest, options, sliceNeeds);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

async function collectWithMocks(
  manifest: string | object,
  options: CollectOptions,
  sliceNeeds: number | undefined,
): Promise<CollectedRun> {
  const now = options.now ?? new Date();
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: mockState(args, now, options) }),
      call: (args) => mockInvoke(args, manifest, options),
    },
    "tokenwarden",
    "plan",
    true,
  );

  const recorded: { urn?: string; entry: Omit<PlannedResource, "urn"> }[] = [];
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const slot: (typeof recorded)[number] = {
      entry: {
        type: req.getType(),
        name: req.getName(),
        parent: req.getParent() || null,
        custom: req.getCustom(),
        dependsOn: [...req.getDependenciesList()].sort(),
        deleteBeforeReplace: req.getDeletebeforereplace(),
        inputs: maskSecrets(
          pulumi.runtime.deserializeProperties(req.getObject()),
          options.revealSecrets === true,
        ) as Record<string, unknown>,
      },
    };
    recorded.push(slot);
    return register(req, (err, res) => {
      if (!err && res) slot.urn = (res as { getUrn(): string }).getUrn();
      callback(err, res);
    });
  };

  // Every third-party need has a value: the caller's, else a placeholder ("[secret]" either way).
  const given = options.thirdPartyTokens ?? {};
  const thirdPartyTokens = new Proxy({} as Record<string, pulumi.Input<string>>, {
    has: () => true,
    get: (_target, key) =>
      typeof key === "string" ? pulumi.secret(given[key] ?? PLACEHOLDER_TOKEN) : undefined,
  });
  let component: AccessNeeds;
  try {
    component = new AccessNeeds(options.name ?? "access-needs", {
      manifest,
      thirdPartyTokens,
      deferConsumers: sliceNeeds !== undefined,
    });
  } catch (err) {
    // Hand back the model's own error (a ManifestError keeps its issues for the caller to print).
    if (err instanceof InvalidManifestError) throw err.reason;
    if (pulumi.RunError.isInstance(err)) throw new InputError(err.message);
    throw err;
  }
  await waitForRegistrations(component);
  if (sliceNeeds !== undefined) await renderInSlices(component, thirdPartyTokens, sliceNeeds);
  return {
    component,
    resources: treeOrder(recorded.map(({ urn, entry }) => ({ ...entry, urn: urn ?? "" }))),
  };
}

/**
 * A need's Vault objects in one fixed order. Registration order alone is not stable for them: a
 * need's token waits for its consumer's role, its KV entry for the store's mount, and which
 * registers first depends on how many other resources are in flight (all of them in one run, a
 * slice of them in {@link collectResourcesInSlices}).
 */
const SIBLING_RANK: Readonly<Record<string, number>> = {
  "vault:index/policy:Policy": 0,
  "vault:kv/secretV2:SecretV2": 1,
  "vault:index/token:Token": 2,
};
const rankOf = (r: PlannedResource): number => SIBLING_RANK[r.type] ?? SIBLING_RANK_OTHER;
const SIBLING_RANK_OTHER = 3;

/**
 * Parents before children; among siblings a component's own Vault objects come before its child
 * components, each group in registration order (a need's objects by SIBLING_RANK): a stable,
 * readable listing.
 */
export function treeOrder(resources: readonly PlannedResource[]): PlannedResource[] {
  const known = new Set(resources.map((r) => r.urn));
  const children = new Map<string | null, PlannedResource[]>();
  for (const r of resources) {
    const parent = r.parent !== null && known.has(r.parent) ? r.parent : null;
    const list = children.get(parent) ?? [];
    list.push(r);
    children.set(parent, list);
  }
  const out: PlannedResource[] = [];
  const visit = (parent: string | null): void => {
    const siblings = children.get(parent) ?? [];
    const own = siblings.filter((x) => x.custom).sort((a, b) => rankOf(a) - rankOf(b));
    for (const r of [...own, ...siblings.filter((x) => !x.custom)]) {
      out.push(r);
      visit(r.urn);
    }
  };
  visit(null);
  return out;
}

/** What the mocked providers answer: the inputs back, plus the computed outputs code reads. */
function mockState(
  args: pulumi.runtime.MockResourceArgs,
  now: Date,
  options: CollectOptions,
): Record<string, unknown> {
  const inputs = args.inputs as Record<string, unknown>;
  switch (args.type) {
    case "time:index/rotating:Rotating": {
      const minutes = Number(inputs.rotationMinutes ?? 0);
      const next = new Date(now.getTime() + minutes * 60_000);
      return { ...inputs, rfc3339: rfc3339(now), rotationRfc3339: rfc3339(next) };
    }
    case "vault:index/token:Token":
      return { ...inputs, clientToken: options.issuedTokenValue ?? "hvs.mock-token" };
    case "vault:appRole/authBackendRole:AuthBackendRole":
      return { ...inputs, roleId: `${args.name}-role-id` };
    case "vault:appRole/authBackendRoleSecretId:AuthBackendRoleSecretId":
      return {
        ...inputs,
        accessor: `${args.name}-accessor`,
        wrappingAccessor: `${args.name}-wrapping-accessor`,
        wrappingToken: options.issuedTokenValue ?? "hvs.mock-wrapping-token",
      };
    default:
      return inputs;
  }
}

/** The data sources the components read: the auth mount list and the secrets mount table. */
function mockInvoke(
  args: pulumi.runtime.MockCallArgs,
  manifest: string | object,
  options: CollectOptions,
): Record<string, unknown> {
  switch (args.token) {
    case "vault:index/getAuthBackends:getAuthBackends": {
      const paths = options.vault?.authMounts ?? declaredMounts(manifest).auth;
      return { paths: paths.map((p) => `${p}/`), accessors: paths.map(() => "auth_mock"), id: "x" };
    }
    case "vault:generic/getSecret:getSecret": {
      const mounts =
        options.vault?.mounts ??
        Object.fromEntries(
          [declaredMounts(manifest).kv].map((p) => [
            `${p}/`,
            { type: "kv", options: { version: "2" } },
          ]),
        );
      return { ...args.inputs, dataJson: JSON.stringify(mounts), data: {}, id: "x" };
    }
    default:
      return args.inputs;
  }
}

/** The mount paths a manifest names (used only when the caller says nothing about Vault). */
function declaredMounts(manifest: string | object): { auth: string[]; kv: string } {
  try {
    const { plan } = planManifest(manifest);
    return {
      auth: plan.store.authMounts.map((m) => m.path),
      kv: plan.store.kvMount?.path ?? "tokens",
    };
  } catch {
    return { auth: [], kv: "tokens" };
  }
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function isSecretValue(v: unknown): v is { value: unknown } {
  return (
    typeof v === "object" &&
    v !== null &&
    (v as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
  );
}

function maskSecrets(v: unknown, reveal = false): unknown {
  if (isSecretValue(v)) return reveal ? maskSecrets(v.value, reveal) : SECRET_MARK;
  if (Array.isArray(v)) return v.map((x) => maskSecrets(x, reveal));
  if (typeof v === "object" && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = maskSecrets(x, reveal);
    return out;
  }
  return v;
}

/**
 * Renders the deferred consumers a slice of about `sliceNeeds` needs at a time, waiting for each
 * slice to register before building the next. A finished slice is dropped from the component's
 * child set (the SDK keeps one per parent only to expand `dependsOn` on a component, and nothing
 * rendered later depends on an earlier consumer), so its resource objects can be collected.
 */
async function renderInSlices(
  component: AccessNeeds,
  thirdPartyTokens: Record<string, pulumi.Input<string>>,
  sliceNeeds: number,
): Promise<void> {
  const children = (component as unknown as { __childResources?: Set<pulumi.Resource> })
    .__childResources;
  const consumers = component.plan.consumers;
  for (let i = 0; i < consumers.length;) {
    const roles: ConsumerRole[] = [];
    const grants: NeedGrant[] = [];
    for (let needs = 0; i < consumers.length && needs < sliceNeeds; i++) {
      const { role, needs: rendered } = component.renderConsumer(consumers[i], thirdPartyTokens);
      roles.push(role);
      for (const [, grant] of rendered) grants.push(grant);
      needs += rendered.length;
    }
    await settle(roles, grants);
    for (const role of roles) children?.delete(role);
  }
}

async function waitForRegistrations(component: AccessNeeds): Promise<void> {
  const urns: pulumi.Output<string>[] = [component.urn, component.store.urn];
  for (const b of component.store.authBackends.values()) urns.push(b.urn);
  if (component.store.kubernetesConfig) urns.push(component.store.kubernetesConfig.urn);
  if (component.store.mount) urns.push(component.store.mount.urn);
  if (component.store.audit) urns.push(component.store.audit.urn);
  await settle(component.consumers.values(), component.grants.values(), urns);
}

/** Waits until every resource of these consumers and grants has registered, then the RPC queue. */
async function settle(
  consumers: Iterable<ConsumerRole>,
  grants: Iterable<NeedGrant>,
  urns: pulumi.Output<string>[] = [],
): Promise<void> {
  for (const c of consumers) {
    urns.push(c.urn, c.role.urn);
    if (c.secretId) urns.push(c.secretId.urn);
    if (c.rotation) urns.push(c.rotation.urn, c.rotation.clock.urn);
  }
  for (const g of grants) {
    urns.push(g.urn, g.policy.urn);
    if (g.rotation) urns.push(g.rotation.urn, g.rotation.clock.urn);
    if (g.token) urns.push(g.token.urn);
    if (g.kvEntry) urns.push(g.kvEntry.urn);
  }
  await new Promise<void>((resolve) => pulumi.all(urns).apply(() => resolve()));
  // registerOutputs calls and any stragglers drain through the runtime's RPC queue.
  const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> })
    .waitForRPCs;
  if (waitForRPCs) await waitForRPCs();
}
