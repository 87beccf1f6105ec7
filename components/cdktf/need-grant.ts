/**
 * Everything one need is granted, as Terraform resources: its ACL policy, the token issued for a
 * token-auth consumer (with the rotation clock that re-issues it), and the KV v2 entry (with
 * custom metadata) for a third-party token. Mirrors the Pulumi NeedGrant component; it renders
 * the NeedGrantPlan and decides nothing.
 *
 * Token rotation: a `time_rotating` per token need, with the plan's period in minutes. When the
 * period has passed, the provider drops it from state and the next plan re-creates it; the token
 * names its `rotation_rfc3339` in `replace_triggered_by` with `create_before_destroy`, so the new
 * token exists before the old one is revoked.
 *
 * Who owns a KV entry: the stack owns its metadata and the policy that reads it; `tokenwarden
 * procure`/`put` own its versions. The value arrives once, when the entry is created, through an
 * ephemeral, sensitive input variable (`TF_VAR_tw_token_<need>`) into the write-only
 * `data_json_wo` with a constant `data_json_wo_version`: Terraform keeps it out of plan and state
 * and never writes it again, and `disable_read` keeps procured values out of the state.
 */
import { Construct } from "constructs";
import { Fn, TerraformVariable, type ITerraformDependable } from "cdktf";
import { Rotating } from "@cdktf/provider-time/lib/rotating";
import { KvSecretV2 } from "@cdktf/provider-vault/lib/kv-secret-v2";
import { Policy } from "@cdktf/provider-vault/lib/policy";
import { Token } from "@cdktf/provider-vault/lib/token";
import type { NeedGrantPlan } from "../../model/grant-plan-types";
import { tokenVariableName } from "./terraform-names";
import { plainReference } from "./consumer-role";
import { terraformLiterals } from "./terraform-literals";

/**
 * The token metadata key that records when the need's token falls due, read from its rotation
 * clock at apply time. The Pulumi NeedGrant writes the same key.
 */
export const NEXT_ROTATION_KEY = "next_rotation";

/** The write-only value's version: constant, so the value is written when the entry is created only. */
export const INITIAL_VALUE_VERSION = 1;

export interface NeedGrantProps {
  readonly grant: NeedGrantPlan;
  /** What the need's token is created against (its consumer's token role), created first. */
  readonly tokenDependsOn?: readonly ITerraformDependable[];
  /** What the need's KV entry lives in (the KV mount, or its check), first. */
  readonly kvDependsOn?: readonly ITerraformDependable[];
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
      // No explicit_max_ttl: the token role carries it (Vault warns when both set one).
      this.token = new Token(this, "token", {
        displayName: t.displayName,
        policies: [...t.policies],
        ttl: t.ttl > 0 ? `${t.ttl}s` : undefined,
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
        description: `The initial ${grant.provider} token for need ${grant.need}, written once when ${kv.mount}/${kv.name} is created (later versions: tokenwarden procure/put); never in state`,
      });
      this.tokenVariable.overrideLogicalId(tokenVariableName(grant.need));
      // Ephemeral (Terraform ≥ 1.10, OpenTofu ≥ 1.11): the value is not even kept in a saved plan.
      this.tokenVariable.addOverride("ephemeral", true);
      this.kvEntry = new KvSecretV2(this, "kv", {
        mount: kv.mount,
        name: kv.name,
        dataJsonWo: Fn.jsonencode({ token: this.tokenVariable.value }),
        dataJsonWoVersion: INITIAL_VALUE_VERSION,
        disableRead: true,
        customMetadata: { maxVersions: kv.maxVersions, data: { ...kv.customMetadata } },
        // Removing the need removes the stored token, not just its latest version.
        deleteAllVersions: true,
        dependsOn: [...(props.kvDependsOn ?? [])],
      });
    }
  }
}
