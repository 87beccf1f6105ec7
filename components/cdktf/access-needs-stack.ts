/**
 * The whole grant plan as one Terraform stack: the token store, then per consumer its needs'
 * grants and its one auth role. Mirrors the Pulumi AccessNeeds component.
 *
 * The providers carry no credentials: the Vault provider reads VAULT_ADDR, VAULT_TOKEN,
 * VAULT_NAMESPACE and VAULT_CACERT from the environment, like the Vault CLI, so no token value can
 * reach the synthesized JSON. `skip_child_token` is set because the provider otherwise works
 * through a short-lived child token (20 minutes by default), and every `vault_token` created
 * under it as parent would be revoked with it, long before the need's TTL.
 */
import { Construct, type Node } from "constructs";
import {
  LocalBackend,
  TerraformOutput,
  TerraformStack,
  type ITerraformDependable,
  type TerraformElement,
} from "cdktf";
import { TimeProvider } from "@cdktf/provider-time/lib/provider";
import { VaultProvider } from "@cdktf/provider-vault/lib/provider";
import type { ConsumerPlan, GrantPlan } from "../../model/grant-plan-types";
import { ConsumerRole } from "./consumer-role";
import { NeedGrant } from "./need-grant";
import { TokenStore } from "./token-store";
import { terraformIdentifier } from "./terraform-names";
import { terraformLiterals } from "./terraform-literals";

/** The Terraform output that carries the manifest's declaration (see AccessNeedsStackProps). */
export const DECLARATION_OUTPUT = "tokenwarden_declaration";

export interface AccessNeedsStackProps {
  readonly plan: GrantPlan;
  /**
   * The manifest's embedded declaration (plain JSON, no secrets), written as the output
   * `tokenwarden_declaration` so that `tokenwarden check` can judge the synthesized resources
   * against the declared needs. Omitted: no output.
   */
  readonly declaration?: unknown;
}

export class AccessNeedsStack extends TerraformStack {
  readonly store: TokenStore;
  readonly consumers: ReadonlyMap<string, { role: ConsumerRole; needs: readonly NeedGrant[] }>;

  constructor(scope: Construct, id: string, props: AccessNeedsStackProps) {
    super(scope, id);
    // Relative, so the state lands beside cdk.tf.json wherever the directory is moved to.
    new LocalBackend(this, { path: "terraform.tfstate" });
    new VaultProvider(this, "vault", { skipChildToken: true });
    new TimeProvider(this, "time", {});

    this.store = new TokenStore(this, "store", { store: props.plan.store });
    const consumers = new Map<string, { role: ConsumerRole; needs: readonly NeedGrant[] }>();
    for (const consumer of props.plan.consumers) {
      consumers.set(consumer.consumer, this.renderConsumer(consumer));
    }
    this.consumers = consumers;

    if (props.declaration !== undefined) {
      const output = new TerraformOutput(this, DECLARATION_OUTPUT, {
        value: terraformLiterals(props.declaration),
        description: "tokenwarden: the declared access needs these grants were planned from",
      });
      output.overrideLogicalId(DECLARATION_OUTPUT);
    }
  }

  /** Addresses start with the consumer's name, which may begin with a digit; Terraform's may not. */
  protected override allocateLogicalId(element: TerraformElement | Node): string {
    return terraformIdentifier(super.allocateLogicalId(element));
  }

  private renderConsumer(plan: ConsumerPlan): { role: ConsumerRole; needs: readonly NeedGrant[] } {
    const scope = new Construct(this, plan.consumer);
    const kvDependsOn: ITerraformDependable[] = this.store.kvMount
      ? [this.store.kvMount]
      : this.store.kvMountCheck
        ? [this.store.kvMountCheck]
        : [];
    const mountDeps =
      plan.role.kind === "token" ? [] : [...(this.store.authMountDeps.get(plan.role.kind) ?? [])];
    // A token role must exist before tokens are created against it; the other auth kinds log in
    // later, so their role only has to follow the policies it names and the mount it lives in.
    const needs: NeedGrant[] = [];
    let role: ConsumerRole;
    if (plan.role.kind === "token") {
      role = new ConsumerRole(scope, "role", { role: plan.role, credential: plan.credential });
      for (const grant of plan.needs) {
        needs.push(
          new NeedGrant(scope, grant.need, {
            grant,
            tokenDependsOn: [role.resource],
            kvDependsOn,
          }),
        );
      }
    } else {
      for (const grant of plan.needs) {
        needs.push(new NeedGrant(scope, grant.need, { grant, kvDependsOn }));
      }
      role = new ConsumerRole(scope, "role", {
        role: plan.role,
        credential: plan.credential,
        dependsOn: [...needs.map((n) => n.policy), ...mountDeps],
      });
    }
    return { role, needs };
  }
}
