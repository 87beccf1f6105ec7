/**
 * A consumer's one auth role, of the consumer's auth kind, carrying the policies of all its needs
 * and the TTLs the plan decided. The auth mounts themselves are the platform team's: this only
 * writes roles into them.
 */
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import type { RolePlan } from "./model/grant-plan-types";
import { TYPE_TOKENS } from "./type-tokens";

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
export interface TokenRoleArgs extends RoleArgsBase {
  readonly kind: "token";
  readonly allowedPolicies: Strings;
  readonly renewable: pulumi.Input<boolean>;
  readonly orphan: pulumi.Input<boolean>;
}
/** The kind is plain (it picks the resource type); everything else may be an Input. */
export type ConsumerRoleArgs = AppRoleArgs | KubernetesRoleArgs | JwtRoleArgs | TokenRoleArgs;

/** A plan's role as component args (copies the readonly arrays the SDK's input types reject). */
export function consumerRoleArgs(plan: RolePlan): ConsumerRoleArgs {
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
    case "token":
      return {
        ...base,
        kind: "token",
        allowedPolicies: [...plan.allowedPolicies],
        renewable: plan.renewable,
        orphan: plan.orphan,
      };
  }
}

export type AuthRole =
  | vault.approle.AuthBackendRole
  | vault.kubernetes.AuthBackendRole
  | vault.jwt.AuthBackendRole
  | vault.tokenauth.AuthBackendRole;

export class ConsumerRole extends pulumi.ComponentResource {
  readonly role: AuthRole;
  readonly roleName: pulumi.Output<string>;

  constructor(name: string, args: ConsumerRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE_TOKENS.ConsumerRole, name, {}, opts);
    const child = { parent: this };
    const ttls = {
      roleName: args.roleName,
      tokenPolicies: args.tokenPolicies,
      tokenTtl: args.tokenTtl,
      tokenMaxTtl: args.tokenMaxTtl,
    };
    const roleName = `${name}-role`;
    switch (args.kind) {
      case "approle":
        this.role = new vault.approle.AuthBackendRole(
          roleName,
          {
            ...ttls,
            backend: args.backend,
            secretIdTtl: args.secretIdTtl,
            secretIdNumUses: args.secretIdNumUses,
          },
          child,
        );
        break;
      case "kubernetes":
        this.role = new vault.kubernetes.AuthBackendRole(
          roleName,
          {
            ...ttls,
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
            ...ttls,
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
            ...ttls,
            allowedPolicies: args.allowedPolicies,
            renewable: args.renewable,
            orphan: args.orphan,
          },
          child,
        );
        break;
    }
    this.roleName = this.role.roleName;
    this.registerOutputs({ roleName: this.roleName });
  }
}
