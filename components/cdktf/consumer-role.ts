/**
 * A consumer's one auth role, of its auth kind, carrying every policy its needs were granted.
 * Mirrors the Pulumi ConsumerRole component; every value comes from the plan's RolePlan.
 */
import { Construct } from "constructs";
import type { TerraformResource } from "cdktf";
import { ApproleAuthBackendRole } from "@cdktf/provider-vault/lib/approle-auth-backend-role";
import { JwtAuthBackendRole } from "@cdktf/provider-vault/lib/jwt-auth-backend-role";
import { KubernetesAuthBackendRole } from "@cdktf/provider-vault/lib/kubernetes-auth-backend-role";
import { TokenAuthBackendRole } from "@cdktf/provider-vault/lib/token-auth-backend-role";
import type { RolePlan } from "../model/grant-plan-types";
import { terraformLiterals } from "./terraform-literals";

export interface ConsumerRoleProps {
  readonly role: RolePlan;
  /** Resources the role must follow (the policies it names), so Vault never sees a dangling name. */
  readonly dependsOn?: readonly TerraformResource[];
}

export class ConsumerRole extends Construct {
  readonly resource:
    ApproleAuthBackendRole | KubernetesAuthBackendRole | JwtAuthBackendRole | TokenAuthBackendRole;

  constructor(scope: Construct, id: string, props: ConsumerRoleProps) {
    super(scope, id);
    const role = terraformLiterals(props.role);
    const common = {
      roleName: role.roleName,
      tokenPolicies: [...role.tokenPolicies],
      tokenTtl: role.tokenTtl,
      tokenMaxTtl: role.tokenMaxTtl,
      dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
    };
    switch (role.kind) {
      case "approle":
        this.resource = new ApproleAuthBackendRole(this, "approle", {
          ...common,
          backend: role.backend,
          secretIdTtl: role.secretIdTtl,
          secretIdNumUses: role.secretIdNumUses,
        });
        break;
      case "kubernetes":
        this.resource = new KubernetesAuthBackendRole(this, "kubernetes", {
          ...common,
          backend: role.backend,
          boundServiceAccountNames: [...role.boundServiceAccountNames],
          boundServiceAccountNamespaces: [...role.boundServiceAccountNamespaces],
          audience: role.audience,
        });
        break;
      case "jwt":
        this.resource = new JwtAuthBackendRole(this, "jwt", {
          ...common,
          backend: role.backend,
          roleType: "jwt",
          boundAudiences: [...role.boundAudiences],
          boundClaims: { ...role.boundClaims },
          userClaim: role.userClaim,
        });
        break;
      case "token":
        this.resource = new TokenAuthBackendRole(this, "token", {
          ...common,
          allowedPolicies: [...role.allowedPolicies],
          renewable: role.renewable,
          orphan: role.orphan,
        });
        break;
    }
  }
}
