/**
 * A consumer's one auth role, of the consumer's auth kind, carrying the policies of all its needs
 * and the TTLs the plan decided — and, for an AppRole consumer, the SecretID it logs in with:
 * issued response-wrapped, delivered as a secret output, and re-issued on its rotation period
 * (the new SecretID is created before the old one is destroyed). Kubernetes and JWT consumers
 * log in with a token their platform issues, so they hold nothing here to rotate.
 */
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import type { CredentialPlan, RolePlan } from "../model/grant-plan-types";
import { Rotation } from "./rotation";
import { TYPE_TOKENS, seconds } from "./type-tokens";

type Strings = pulumi.Input<pulumi.Input<string>[]>;

interface RoleArgsBase {
  readonly roleName: pulumi.Input<string>;
  readonly tokenPolicies: Strings;
  /** Seconds. */
  readonly tokenTtl: pulumi.Input<number>;
  /** Seconds. */
  readonly tokenMaxTtl: pulumi.Input<number>;
}
export interface AppRoleArgs extends RoleArgsBase {
  readonly kind: "approle";
  readonly backend: pulumi.Input<string>;
  readonly secretIdTtl: pulumi.Input<number>;
  readonly secretIdNumUses: pulumi.Input<number>;
  /** The consumer's fixed addresses, when it has them. */
  readonly secretIdBoundCidrs?: Strings;
}
export interface KubernetesRoleArgs extends RoleArgsBase {
  readonly kind: "kubernetes";
  readonly backend: pulumi.Input<string>;
  readonly boundServiceAccountNames: Strings;
  readonly boundServiceAccountNamespaces: Strings;
  readonly audience?: pulumi.Input<string>;
}
export interface JwtRoleArgs extends RoleArgsBase {
  readonly kind: "jwt";
  readonly backend: pulumi.Input<string>;
  readonly boundAudiences: Strings;
  readonly boundClaims: pulumi.Input<Record<string, pulumi.Input<string>>>;
  readonly userClaim: pulumi.Input<string>;
}
/** A token role: only what `POST auth/token/roles/:name` accepts (no token_ttl/max_ttl/policies). */
export interface TokenRoleArgs {
  readonly kind: "token";
  readonly roleName: pulumi.Input<string>;
  readonly allowedPolicies: Strings;
  /** Seconds; 0 leaves it unset (Vault's system max). */
  readonly tokenExplicitMaxTtl: number;
  readonly tokenType: pulumi.Input<string>;
  readonly renewable: pulumi.Input<boolean>;
  readonly orphan: pulumi.Input<boolean>;
  /** The consumer's fixed addresses, when it has them. */
  readonly tokenBoundCidrs?: Strings;
}
/** The kind is plain (it picks the resource type); everything else may be an Input. */
export type ConsumerRoleArgs = (AppRoleArgs | KubernetesRoleArgs | JwtRoleArgs | TokenRoleArgs) & {
  /** The AppRole SecretID to issue (AppRole consumers only). */
  readonly secretId?: SecretIdArgs;
  /** Resources the role must follow: the policies it names, the mount it is written into. */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
};

export interface SecretIdArgs {
  /** Seconds the response-wrapped SecretID can be unwrapped. */
  readonly wrappingTtl: number;
  /** Seconds; 0: the role's secret_id_ttl. */
  readonly ttl: number;
  readonly numUses: number;
  readonly metadata: Readonly<Record<string, string>>;
  /** Rotation period in whole minutes; absent: the SecretID is only re-issued when it is gone. */
  readonly rotationMinutes?: number;
}

/** The plan's credential as SecretID args (AppRole consumers), else undefined. */
export function secretIdArgs(credential: CredentialPlan): SecretIdArgs | undefined {
  if (credential.kind !== "secret-id") return undefined;
  return {
    wrappingTtl: credential.wrappingTtl,
    ttl: credential.ttl,
    numUses: credential.numUses,
    metadata: { ...credential.metadata },
    rotationMinutes: credential.rotation?.rotationMinutes,
  };
}

/** A plan's role as component args (copies the readonly arrays the SDK's input types reject). */
export function consumerRoleArgs(plan: RolePlan): ConsumerRoleArgs {
  if (plan.kind === "token") {
    return {
      kind: "token",
      roleName: plan.roleName,
      allowedPolicies: [...plan.allowedPolicies],
      tokenExplicitMaxTtl: plan.tokenExplicitMaxTtl,
      tokenType: plan.tokenType,
      renewable: plan.renewable,
      orphan: plan.orphan,
      ...(plan.tokenBoundCidrs ? { tokenBoundCidrs: [...plan.tokenBoundCidrs] } : {}),
    };
  }
  const base = {
    roleName: plan.roleName,
    tokenPolicies: [...plan.tokenPolicies],
    tokenTtl: plan.tokenTtl,
    tokenMaxTtl: plan.tokenMaxTtl,
  };
  switch (plan.kind) {
    case "approle":
      return {
        ...base,
        kind: "approle",
        backend: plan.backend,
        secretIdTtl: plan.secretIdTtl,
        secretIdNumUses: plan.secretIdNumUses,
        ...(plan.secretIdBoundCidrs ? { secretIdBoundCidrs: [...plan.secretIdBoundCidrs] } : {}),
      };
    case "kubernetes":
      return {
        ...base,
        kind: "kubernetes",
        backend: plan.backend,
        boundServiceAccountNames: [...plan.boundServiceAccountNames],
        boundServiceAccountNamespaces: [...plan.boundServiceAccountNamespaces],
        audience: plan.audience,
      };
    case "jwt":
      return {
        ...base,
        kind: "jwt",
        backend: plan.backend,
        boundAudiences: [...plan.boundAudiences],
        boundClaims: { ...plan.boundClaims },
        userClaim: plan.userClaim,
      };
  }
}

export type AuthRole =
  | vault.approle.AuthBackendRole
  | vault.kubernetes.AuthBackendRole
  | vault.jwt.AuthBackendRole
  | vault.tokenauth.AuthBackendRole;

/** What an AppRole consumer logs in with, delivered after `pulumi up` (a Pulumi secret). */
export interface AppRoleLogin {
  readonly roleId: string;
  /** The response-wrapping token: `vault unwrap` it (once) to get the SecretID. */
  readonly wrappedSecretId: string;
  /** Accessor of the SecretID (can look it up or destroy it, not log in). */
  readonly secretIdAccessor: string;
}

export class ConsumerRole extends pulumi.ComponentResource {
  readonly role: AuthRole;
  readonly roleName: pulumi.Output<string>;
  /** The AppRole SecretID (AppRole consumers). */
  readonly secretId?: vault.approle.AuthBackendRoleSecretId;
  /** The clock that re-issues the SecretID. */
  readonly rotation?: Rotation;
  /** For AppRole consumers: role ID and wrapped SecretID, as a Pulumi secret. */
  readonly login?: pulumi.Output<AppRoleLogin>;

  constructor(name: string, args: ConsumerRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE_TOKENS.ConsumerRole, name, {}, opts);
    const child: pulumi.CustomResourceOptions = { parent: this, dependsOn: args.dependsOn };
    const roleName = `${name}-role`;
    switch (args.kind) {
      case "approle":
        this.role = new vault.approle.AuthBackendRole(
          roleName,
          {
            ...ttlsOf(args),
            backend: args.backend,
            secretIdTtl: args.secretIdTtl,
            secretIdNumUses: args.secretIdNumUses,
            secretIdBoundCidrs: args.secretIdBoundCidrs,
          },
          child,
        );
        break;
      case "kubernetes":
        this.role = new vault.kubernetes.AuthBackendRole(
          roleName,
          {
            ...ttlsOf(args),
            backend: args.backend,
            boundServiceAccountNames: args.boundServiceAccountNames,
            boundServiceAccountNamespaces: args.boundServiceAccountNamespaces,
            audience: args.audience,
          },
          child,
        );
        break;
      case "jwt":
        this.role = new vault.jwt.AuthBackendRole(
          roleName,
          {
            ...ttlsOf(args),
            backend: args.backend,
            roleType: "jwt",
            boundAudiences: args.boundAudiences,
            boundClaims: args.boundClaims,
            userClaim: args.userClaim,
          },
          child,
        );
        break;
      case "token":
        this.role = new vault.tokenauth.AuthBackendRole(
          roleName,
          {
            roleName: args.roleName,
            allowedPolicies: args.allowedPolicies,
            // 0 would read back as unset: leave it out rather than write a value Vault drops.
            tokenExplicitMaxTtl:
              args.tokenExplicitMaxTtl > 0 ? args.tokenExplicitMaxTtl : undefined,
            tokenType: args.tokenType,
            renewable: args.renewable,
            orphan: args.orphan,
            tokenBoundCidrs: args.tokenBoundCidrs,
          },
          child,
        );
        break;
    }
    this.roleName = this.role.roleName;

    if (args.kind === "approle" && args.secretId) {
      const s = args.secretId;
      const approle = this.role as vault.approle.AuthBackendRole;
      if (s.rotationMinutes !== undefined) {
        this.rotation = new Rotation(
          `${name}-secret-id-rotation`,
          { rotationMinutes: s.rotationMinutes },
          { parent: this },
        );
      }
      const next = this.rotation ? { next_rotation: this.rotation.nextRotation } : {};
      // metadata forces a new SecretID in the provider: a new next_rotation re-issues it, and
      // Pulumi creates the replacement before it destroys the old one (never deleteBeforeReplace).
      this.secretId = new vault.approle.AuthBackendRoleSecretId(
        `${name}-secret-id`,
        {
          backend: args.backend,
          roleName: approle.roleName,
          metadata: pulumi.output({ ...s.metadata, ...next }).apply((m) => JSON.stringify(m)),
          ttl: s.ttl > 0 ? s.ttl : undefined,
          numUses: s.numUses > 0 ? s.numUses : undefined,
          wrappingTtl: seconds(s.wrappingTtl),
          // Identify it by the SecretID's accessor, not the wrapping token's: unwrapping it (what
          // the consumer does) must not make the next refresh think it is gone.
          withWrappedAccessor: true,
        },
        { parent: this },
      );
      this.login = pulumi.secret(
        pulumi
          .all([approle.roleId, this.secretId.wrappingToken, this.secretId.accessor])
          .apply(([roleId, wrappedSecretId, secretIdAccessor]) => ({
            roleId,
            wrappedSecretId,
            secretIdAccessor,
          })),
      );
    }
    this.registerOutputs({ roleName: this.roleName });
  }
}

function ttlsOf(args: AppRoleArgs | KubernetesRoleArgs | JwtRoleArgs) {
  return {
    roleName: args.roleName,
    tokenPolicies: args.tokenPolicies,
    tokenTtl: args.tokenTtl,
    tokenMaxTtl: args.tokenMaxTtl,
  };
}
