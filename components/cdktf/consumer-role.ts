/**
 * A consumer's one auth role, of its auth kind, carrying every policy its needs were granted —
 * and for an AppRole consumer the SecretID it logs in with: response-wrapped, exposed as a
 * sensitive output, re-issued on its rotation clock with `create_before_destroy` (the new one
 * exists before the old one is destroyed). Mirrors the Pulumi ConsumerRole component; every value
 * comes from the plan's RolePlan and CredentialPlan.
 */
import { Construct } from "constructs";
import {
  Lazy,
  TerraformOutput,
  TerraformStack,
  type ITerraformDependable,
  type TerraformResource,
} from "cdktf";
import { Rotating } from "@cdktf/provider-time/lib/rotating";
import { ApproleAuthBackendRole } from "@cdktf/provider-vault/lib/approle-auth-backend-role";
import { ApproleAuthBackendRoleSecretId } from "@cdktf/provider-vault/lib/approle-auth-backend-role-secret-id";
import { JwtAuthBackendRole } from "@cdktf/provider-vault/lib/jwt-auth-backend-role";
import { KubernetesAuthBackendRole } from "@cdktf/provider-vault/lib/kubernetes-auth-backend-role";
import { TokenAuthBackendRole } from "@cdktf/provider-vault/lib/token-auth-backend-role";
import type { CredentialPlan, RolePlan } from "../../model/grant-plan-types";
import { terraformLiterals } from "./terraform-literals";
import { secretIdOutputName } from "./terraform-names";

export interface ConsumerRoleProps {
  readonly role: RolePlan;
  readonly credential?: CredentialPlan;
  /** What the role must follow: the policies it names, the mount it is written into. */
  readonly dependsOn?: readonly ITerraformDependable[];
}

export class ConsumerRole extends Construct {
  readonly resource:
    ApproleAuthBackendRole | KubernetesAuthBackendRole | JwtAuthBackendRole | TokenAuthBackendRole;
  readonly secretId?: ApproleAuthBackendRoleSecretId;
  readonly rotation?: Rotating;

  constructor(scope: Construct, id: string, props: ConsumerRoleProps) {
    super(scope, id);
    const role = terraformLiterals(props.role);
    const dependsOn = props.dependsOn ? [...props.dependsOn] : undefined;
    if (role.kind === "token") {
      // Only what POST auth/token/roles/:name accepts; each token carries its own TTL.
      this.resource = new TokenAuthBackendRole(this, "token", {
        roleName: role.roleName,
        allowedPolicies: [...role.allowedPolicies],
        tokenExplicitMaxTtl: role.tokenExplicitMaxTtl > 0 ? role.tokenExplicitMaxTtl : undefined,
        tokenType: role.tokenType,
        renewable: role.renewable,
        orphan: role.orphan,
        tokenBoundCidrs: role.tokenBoundCidrs ? [...role.tokenBoundCidrs] : undefined,
        dependsOn,
      });
      return;
    }
    const common = {
      roleName: role.roleName,
      tokenPolicies: [...role.tokenPolicies],
      tokenTtl: role.tokenTtl,
      tokenMaxTtl: role.tokenMaxTtl,
      dependsOn,
    };
    switch (role.kind) {
      case "approle":
        this.resource = new ApproleAuthBackendRole(this, "approle", {
          ...common,
          backend: role.backend,
          secretIdTtl: role.secretIdTtl,
          secretIdNumUses: role.secretIdNumUses,
          secretIdBoundCidrs: role.secretIdBoundCidrs ? [...role.secretIdBoundCidrs] : undefined,
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
    }
    const credential = props.credential && terraformLiterals(props.credential);
    if (role.kind === "approle" && credential?.kind === "secret-id") {
      if (credential.rotation) {
        this.rotation = new Rotating(this, "secret-id-rotation", {
          rotationMinutes: credential.rotation.rotationMinutes,
        });
      }
      this.secretId = new ApproleAuthBackendRoleSecretId(this, "secret-id", {
        backend: role.backend,
        roleName: role.roleName,
        // The due date rides in the metadata (as in the Pulumi component), so it reaches the
        // tokens issued at login and, through them, every audit line.
        metadata: this.rotation
          ? JSON.stringify({ ...credential.metadata, next_rotation: NEXT }).replace(
              JSON.stringify(NEXT),
              `"${this.rotation.rotationRfc3339}"`,
            )
          : JSON.stringify(credential.metadata),
        ttl: credential.ttl > 0 ? credential.ttl : undefined,
        numUses: credential.numUses > 0 ? credential.numUses : undefined,
        wrappingTtl: `${credential.wrappingTtl}s`,
        // Identified by the SecretID's accessor: unwrapping it must not look like it is gone.
        withWrappedAccessor: true,
        dependsOn: [this.resource],
        lifecycle: this.rotation
          ? {
              createBeforeDestroy: true,
              replaceTriggeredBy: [plainReference(this.rotation, "rotation_rfc3339")],
            }
          : undefined,
      });
      const output = new TerraformOutput(this, "wrapped-secret-id", {
        value: this.secretId.wrappingToken,
        sensitive: true,
        description: `Response-wrapped SecretID for ${props.role.consumer} (vault unwrap it once)`,
      });
      output.overrideLogicalId(secretIdOutputName(props.role.consumer));
    }
  }
}

/** Stands in for the clock's reference while the metadata JSON is built. */
const NEXT = "\u0000next-rotation\u0000";

/** `<type>.<name>.<attribute>` as a bare reference, as `replace_triggered_by` requires. */
export function plainReference(resource: TerraformResource, attribute: string): string {
  return Lazy.stringValue({
    produce: () =>
      `${resource.terraformResourceType}.${TerraformStack.of(resource).getLogicalId(resource)}.${attribute}`,
  });
}
