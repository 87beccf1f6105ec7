/**
 * Where tokens and logins live: the KV v2 mount for third-party tokens, the auth mounts the
 * consumers' roles are written into, and (when the manifest asks) a file audit device.
 *
 * A mount is either the stack's — created with the configuration its logins need — or the
 * platform team's, used as it is. A mount the stack does not create is checked before anything
 * is written into it, so a missing `approle/` or `secret/` fails the preview with a sentence
 * that says what to do, instead of a provider error halfway through `pulumi up`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import type { AuthMountPlan } from "../model/grant-plan-types";
import type { LoginAuthKind } from "../model/types";
import { TYPE_TOKENS } from "./type-tokens";

export interface TokenStoreArgs {
  /** The KV v2 mount for third-party tokens; omitted when no need uses a third-party provider. */
  readonly kvMount?: {
    readonly path: string;
    readonly description?: string;
    /** false: an existing KV v2 mount, used as it is (default true: the stack creates it). */
    readonly create?: boolean;
  };
  /** The auth mounts the consumers' roles are written into. */
  readonly authMounts?: readonly AuthMountPlan[];
  /** A file audit device at `path` writing to `filePath`. */
  readonly audit?: {
    readonly path: pulumi.Input<string>;
    readonly filePath: pulumi.Input<string>;
  };
}

/** Where a mount is named in the manifest, for messages that point at the field to change. */
const KV_FIELD = "vault.kvMount";
const authField = (kind: LoginAuthKind): string => `vault.authMounts.${kind}`;

export class TokenStore extends pulumi.ComponentResource {
  /** The KV v2 mount, when the stack creates it. */
  readonly mount?: vault.Mount;
  readonly audit?: vault.Audit;
  /** Auth mounts the stack enables, by kind. */
  readonly authBackends: ReadonlyMap<LoginAuthKind, vault.AuthBackend | vault.jwt.AuthBackend>;
  /** Kubernetes auth configuration, when the stack enables that mount. */
  readonly kubernetesConfig?: vault.kubernetes.AuthBackendConfig;
  /** The KV mount's path once it is known to exist (created, or checked); undefined: none. */
  readonly mountPath: pulumi.Output<string | undefined>;
  private readonly authPaths = new Map<LoginAuthKind, pulumi.Output<string>>();
  /** Resources what is written into the mounts must follow. */
  readonly mountResources: pulumi.Resource[] = [];

  constructor(name: string, args: TokenStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE_TOKENS.TokenStore, name, {}, opts);
    const child = { parent: this };
    const kv = args.kvMount;
    if (kv && kv.create !== false) {
      this.mount = new vault.Mount(
        `${name}-kv`,
        { path: kv.path, type: "kv", options: { version: "2" }, description: kv.description },
        child,
      );
      this.mountResources.push(this.mount);
      this.mountPath = this.mount.path;
    } else if (kv) {
      this.mountPath = checkedKvMount(kv.path, this);
    } else {
      this.mountPath = pulumi.output(undefined);
    }

    const backends = new Map<LoginAuthKind, vault.AuthBackend | vault.jwt.AuthBackend>();
    let existing: pulumi.Output<readonly string[]> | undefined;
    for (const m of args.authMounts ?? []) {
      const setup = m.setup;
      if (!setup) {
        existing ??= vault
          .getAuthBackendsOutput({}, child)
          .apply((r) => (r.paths ?? []).map(trimSlashes));
        this.authPaths.set(m.kind, checkedAuthMount(m, existing));
        continue;
      }
      const resourceName = `${name}-auth-${m.kind}`;
      switch (setup.kind) {
        case "jwt": {
          const b = new vault.jwt.AuthBackend(
            resourceName,
            {
              path: m.path,
              type: "jwt",
              description: "tokenwarden: CI jobs log in with their OIDC token",
              oidcDiscoveryUrl: setup.oidcDiscoveryUrl,
              jwksUrl: setup.jwksUrl,
              boundIssuer: setup.boundIssuer,
            },
            child,
          );
          backends.set(m.kind, b);
          this.authPaths.set(
            m.kind,
            b.path.apply((p) => p ?? m.path),
          );
          break;
        }
        case "kubernetes": {
          const b = new vault.AuthBackend(
            resourceName,
            { type: "kubernetes", path: m.path, description: "tokenwarden: Kubernetes workloads" },
            child,
          );
          this.kubernetesConfig = new vault.kubernetes.AuthBackendConfig(
            `${resourceName}-config`,
            {
              backend: b.path,
              kubernetesHost: setup.kubernetesHost,
              kubernetesCaCert: setup.kubernetesCaCert,
            },
            child,
          );
          backends.set(m.kind, b);
          this.mountResources.push(this.kubernetesConfig);
          this.authPaths.set(m.kind, b.path);
          break;
        }
        case "approle": {
          const b = new vault.AuthBackend(
            resourceName,
            { type: "approle", path: m.path, description: "tokenwarden: AppRole logins" },
            child,
          );
          backends.set(m.kind, b);
          this.authPaths.set(m.kind, b.path);
          break;
        }
      }
    }
    this.authBackends = backends;
    this.mountResources.push(...backends.values());

    if (args.audit) {
      this.audit = new vault.Audit(
        `${name}-audit`,
        { type: "file", path: args.audit.path, options: { file_path: args.audit.filePath } },
        child,
      );
    }
    this.registerOutputs({ mountPath: this.mountPath });
  }

  /** The path of the auth mount a role of `kind` is written into, once it is known to exist. */
  authMountPath(kind: LoginAuthKind, fallback: string): pulumi.Output<string> {
    return this.authPaths.get(kind) ?? pulumi.output(fallback);
  }
}

function trimSlashes(p: string): string {
  return p.replace(/^\/+|\/+$/g, "");
}

/** The mount's path, or a preview-time error naming the field when Vault has no such mount. */
function checkedAuthMount(
  m: AuthMountPlan,
  existing: pulumi.Output<readonly string[]>,
): pulumi.Output<string> {
  return existing.apply((paths) => requireAuthMount(m, paths));
}

/** `m.path` when `paths` (Vault's enabled auth mounts) has it; else a RunError saying what to do. */
export function requireAuthMount(m: AuthMountPlan, paths: readonly string[]): string {
  if (paths.map(trimSlashes).includes(trimSlashes(m.path))) return m.path;
  throw new pulumi.RunError(
    `auth mount "${m.path}/" (${authField(m.kind)}) is not enabled in this Vault: enable it ` +
      `(vault auth enable -path=${m.path} ${m.kind}) or let the stack create it with ` +
      `${authField(m.kind)}: { path: ${m.path}, create: true${m.kind === "approle" ? "" : ", …"} } (see docs/pulumi.md)`,
  );
}

/**
 * An existing KV mount must be KV version 2: third-party tokens are versioned, so a rotation can
 * overlap. Read from the mount table (`GET sys/mounts`), which names every secrets mount.
 */
function checkedKvMount(path: string, parent: pulumi.Resource): pulumi.Output<string> {
  return vault.generic
    .getSecretOutput({ path: "sys/mounts" }, { parent })
    .apply((r) => requireKvV2Mount(path, r.dataJson));
}

/** `path` when the mount table (JSON of `GET sys/mounts`) has it as KV v2; else a RunError. */
export function requireKvV2Mount(path: string, mountTableJson: string | undefined): string {
  let table: Record<string, unknown>;
  try {
    table = JSON.parse(mountTableJson || "{}") as Record<string, unknown>;
  } catch {
    table = {};
  }
  const entry = table[`${trimSlashes(path)}/`];
  const info = (typeof entry === "object" && entry !== null ? entry : undefined) as
    { type?: unknown; options?: { version?: unknown } | null } | undefined;
  if (!info) {
    throw new pulumi.RunError(
      `KV mount "${path}/" (${KV_FIELD}) does not exist in this Vault: enable it ` +
        `(vault secrets enable -path=${path} -version=2 kv) or let the stack create it ` +
        `(${KV_FIELD}: ${path})`,
    );
  }
  if (info.type !== "kv" || String(info.options?.version ?? "1") !== "2") {
    throw new pulumi.RunError(
      `mount "${path}/" (${KV_FIELD}) is a ${String(info.type)} mount` +
        `${info.type === "kv" ? " of version 1" : ""}, not KV version 2: third-party tokens need ` +
        `versions (vault kv enable-versioning ${path}/, or name another mount)`,
    );
  }
  return path;
}
