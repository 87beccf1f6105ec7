/**
 * Everything one need is granted, as Terraform resources: its ACL policy, the token issued for a
 * token-auth consumer, the KV v2 entry (with custom metadata) for a third-party token, and the
 * rotation clock that re-issues them. Mirrors the Pulumi NeedGrant component; it renders the
 * NeedGrantPlan and decides nothing.
 *
 * Rotation on the Terraform side: a `time_rotating` per need, with the plan's period in minutes.
 * When the period has passed, the provider drops it from state and the next plan re-creates it;
 *  - the token names the rotation's `rotation_rfc3339` in `replace_triggered_by` with
 *    `create_before_destroy`, so the new token exists before the old one is revoked;
 *  - the KV entry is NOT replaced: destroying a `vault_kv_secret_v2` deletes the secret's latest
 *    version, which after a create-before-destroy would be the new one. Instead its write-only
 *    `data_json_wo_version` follows the rotation clock, so the next apply writes the token from
 *    the need's variable as a new KV version and the previous version stays readable meanwhile.
 *
 * Token values never enter the configuration: a third-party token arrives through an ephemeral,
 * sensitive input variable (`TF_VAR_tw_token_<need>`) into the write-only `data_json_wo`, which
 * Terraform keeps out of both plan and state; `disable_read` keeps the provider from copying the
 * stored value back into state.
 */
import { Construct } from "constructs";
import { Fn, Lazy, TerraformStack, TerraformVariable, type TerraformResource } from "cdktf";
import { Rotating } from "@cdktf/provider-time/lib/rotating";
import { KvSecretV2 } from "@cdktf/provider-vault/lib/kv-secret-v2";
import { Policy } from "@cdktf/provider-vault/lib/policy";
import { Token } from "@cdktf/provider-vault/lib/token";
import type { NeedGrantPlan } from "../model/grant-plan-types";
import { tokenVariableName } from "./terraform-names";
import { terraformLiterals } from "./terraform-literals";

/**
 * The metadata key (token meta and KV custom metadata) that records when the need's credential
 * falls due, read from its rotation clock at apply time. The Pulumi NeedGrant writes the same key;
 * it is the one value both renderers add to the plan, because only the clock knows it.
 */
export const NEXT_ROTATION_KEY = "next_rotation";

export interface NeedGrantProps {
  readonly grant: NeedGrantPlan;
  /** What the need's token is created against (its consumer's token role), created first. */
  readonly tokenDependsOn?: readonly TerraformResource[];
  /** What the need's KV entry lives in (the KV mount), created first. */
  readonly kvDependsOn?: readonly TerraformResource[];
}

export class NeedGrant extends Construct {
  readonly policy: Policy;
  readonly rotation?: Rotating;
  readonly token?: Token;
  readonly kvEntry?: KvSecretV2;
  /** The sensitive input variable carrying the third-party token, when the need has a KV entry. */
  readonly tokenVariable?: TerraformVariable;

  constructor(scope: Construct, id: string, props: NeedGrantProps) {
    super(scope, id);
    const grant = terraformLiterals(props.grant);
    this.policy = new Policy(this, "policy", { name: grant.policy.name, policy: grant.policy.hcl });

    if (grant.rotation) {
      this.rotation = new Rotating(this, "rotation", {
        rotationMinutes: grant.rotation.rotationMinutes,
      });
    }

    const rotationMeta: Record<string, string> = this.rotation
      ? { [NEXT_ROTATION_KEY]: this.rotation.rotationRfc3339 }
      : {};

    if (grant.token) {
      const t = grant.token;
      this.token = new Token(this, "token", {
        displayName: t.displayName,
        policies: [...t.policies],
        ttl: `${t.ttl}s`,
        explicitMaxTtl: `${t.explicitMaxTtl}s`,
        renewable: t.renewable,
        noParent: t.noParent,
        noDefaultPolicy: t.noDefaultPolicy,
        roleName: t.roleName,
        metadata: { ...t.meta, ...rotationMeta },
        dependsOn: [this.policy, ...(props.tokenDependsOn ?? [])],
        lifecycle: this.rotation
          ? {
              createBeforeDestroy: true,
              replaceTriggeredBy: [plainReference(this.rotation, "rotation_rfc3339")],
            }
          : undefined,
      });
    }

    if (grant.kvEntry) {
      const kv = grant.kvEntry;
      this.tokenVariable = new TerraformVariable(this, "token-value", {
        type: "string",
        sensitive: true,
        nullable: false,
        description: `The ${grant.provider} token for need ${grant.need} (stored in Vault at ${kv.mount}/${kv.name}; never in state)`,
      });
      this.tokenVariable.overrideLogicalId(tokenVariableName(grant.need));
      // Ephemeral (Terraform ≥ 1.10, OpenTofu ≥ 1.11): the value is not even kept in a saved plan.
      this.tokenVariable.addOverride("ephemeral", true);
      this.kvEntry = new KvSecretV2(this, "kv", {
        mount: kv.mount,
        name: kv.name,
        dataJsonWo: Fn.jsonencode({ token: this.tokenVariable.value }),
        dataJsonWoVersion: this.rotation ? this.rotation.unix : 1,
        disableRead: true,
        customMetadata: {
          maxVersions: kv.maxVersions,
          data: { ...kv.customMetadata, ...rotationMeta },
        },
        // Removing the need revokes the stored token, not just its latest version.
        deleteAllVersions: true,
        dependsOn: [...(props.kvDependsOn ?? [])],
      });
    }
  }
}

/**
 * `time_rotating.<id>.rotation_rfc3339` as a bare reference. Terraform reads `replace_triggered_by`
 * entries as references, not templates, and rejects the `${…}` form CDKTF renders for a resource
 * object; an attribute (not the whole resource) also fires when the rotation is re-created rather
 * than updated, which is how `time_rotating` rotates.
 */
function plainReference(resource: TerraformResource, attribute: string): string {
  return Lazy.stringValue({
    produce: () =>
      `${resource.terraformResourceType}.${TerraformStack.of(resource).getLogicalId(resource)}.${attribute}`,
  });
}
