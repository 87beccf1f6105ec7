/**
 * The token store as Terraform resources: the KV v2 mount that holds third-party tokens, the auth
 * mounts the consumers' roles are written into, and a file audit device when the manifest asks
 * for one. Mirrors the Pulumi TokenStore component: a mount the stack creates is a resource; a
 * mount it uses as it is is read with a data source whose postcondition stops `terraform plan`
 * with a sentence naming the manifest field when the mount is missing.
 */
import { Construct } from "constructs";
import type { TerraformResource } from "cdktf";
import { Audit } from "@cdktf/provider-vault/lib/audit";
import { AuthBackend } from "@cdktf/provider-vault/lib/auth-backend";
import { DataVaultAuthBackends } from "@cdktf/provider-vault/lib/data-vault-auth-backends";
import { DataVaultGenericSecret } from "@cdktf/provider-vault/lib/data-vault-generic-secret";
import { JwtAuthBackend } from "@cdktf/provider-vault/lib/jwt-auth-backend";
import { KubernetesAuthBackendConfig } from "@cdktf/provider-vault/lib/kubernetes-auth-backend-config";
import { Mount } from "@cdktf/provider-vault/lib/mount";
import type { TokenStorePlan } from "../../model/grant-plan-types";
import type { LoginAuthKind } from "../../model/types";
import { terraformLiterals } from "./terraform-literals";

export interface TokenStoreProps {
  readonly store: TokenStorePlan;
}

export class TokenStore extends Construct {
  /** The KV v2 mount, when the stack creates it. */
  readonly kvMount?: Mount;
  /** The mount table read that checks an existing KV mount. */
  readonly kvMountCheck?: DataVaultGenericSecret;
  readonly audit?: Audit;
  /** Per auth kind: what a role must follow (the created mount and its config, or the check). */
  readonly authMountDeps: ReadonlyMap<
    LoginAuthKind,
    readonly (TerraformResource | DataVaultAuthBackends)[]
  >;

  constructor(scope: Construct, id: string, props: TokenStoreProps) {
    super(scope, id);
    const { kvMount, audit, authMounts } = terraformLiterals(props.store);
    if (kvMount?.create) {
      this.kvMount = new Mount(this, "kv", {
        path: kvMount.path,
        type: "kv",
        options: { version: "2" },
        description: kvMount.description,
      });
    } else if (kvMount) {
      // Mount paths match [A-Za-z0-9_.-/] (the loader checks): safe inside the expression.
      const entry = `jsondecode(self.data_json)["${kvMount.path}/"]`;
      this.kvMountCheck = new DataVaultGenericSecret(this, "kv-check", {
        path: "sys/mounts",
        lifecycle: {
          postcondition: [
            {
              condition: `\${try(${entry}.type, "") == "kv" && try(${entry}.options.version, "1") == "2"}`,
              errorMessage:
                `KV mount "${kvMount.path}/" (vault.kvMount) is missing or not KV version 2 in this Vault: ` +
                `enable it (vault secrets enable -path=${kvMount.path} -version=2 kv) or let the stack ` +
                `create it (vault.kvMount: ${kvMount.path})`,
            },
          ],
        },
      });
    }
    const deps = new Map<LoginAuthKind, (TerraformResource | DataVaultAuthBackends)[]>();
    const checks: { condition: string; errorMessage: string }[] = [];
    const existingKinds: LoginAuthKind[] = [];
    for (const m of authMounts) {
      const setup = m.setup;
      if (!setup) {
        checks.push({
          condition: `\${contains([for p in self.paths : trimsuffix(p, "/")], "${m.path}")}`,
          errorMessage:
            `auth mount "${m.path}/" (vault.authMounts.${m.kind}) is not enabled in this Vault: enable ` +
            `it (vault auth enable -path=${m.path} ${m.kind}) or let the stack create it with ` +
            `vault.authMounts.${m.kind}: { path: ${m.path}, create: true } (see docs/terraform.md)`,
        });
        existingKinds.push(m.kind);
        continue;
      }
      const id = `auth-${m.kind}`;
      if (setup.kind === "jwt") {
        deps.set(m.kind, [
          new JwtAuthBackend(this, id, {
            path: m.path,
            type: "jwt",
            description: "tokenwarden: CI jobs log in with their OIDC token",
            oidcDiscoveryUrl: setup.oidcDiscoveryUrl,
            jwksUrl: setup.jwksUrl,
            boundIssuer: setup.boundIssuer,
          }),
        ]);
      } else {
        const backend = new AuthBackend(this, id, {
          type: setup.kind,
          path: m.path,
          description:
            setup.kind === "approle"
              ? "tokenwarden: AppRole logins"
              : "tokenwarden: Kubernetes workloads",
        });
        const list: TerraformResource[] = [backend];
        if (setup.kind === "kubernetes") {
          list.push(
            new KubernetesAuthBackendConfig(this, `${id}-config`, {
              backend: backend.path,
              kubernetesHost: setup.kubernetesHost,
              kubernetesCaCert: setup.kubernetesCaCert,
            }),
          );
        }
        deps.set(m.kind, list);
      }
    }
    if (checks.length > 0) {
      const existing = new DataVaultAuthBackends(this, "auth-mounts", {
        lifecycle: { postcondition: checks },
      });
      for (const kind of existingKinds) deps.set(kind, [existing]);
    }
    this.authMountDeps = deps;
    if (audit) {
      this.audit = new Audit(this, "audit", {
        path: audit.path,
        type: "file",
        options: { file_path: audit.filePath },
      });
    }
  }
}
