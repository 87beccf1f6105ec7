/**
 * Manifest → policy input. The needs side comes from the model; the vault objects from the grant
 * plan (the same plan Pulumi and CDKTF render), each with `source` = the need it serves (the
 * consumer for roles), so every finding maps back to a need and its manifest line. The plan's
 * policies are already structured rules: no HCL parsing on this path, which keeps `check` on a
 * large manifest close to the cost of reading the YAML.
 */
import { forEachConsumerRules, policyName, type Manifest, type Need } from "../../model";
import type { RolePlan } from "../../model/grant-plan-types";
import {
  consumerToInput,
  limitsToInput,
  needWithLists,
  providerToInput,
  type NeedsSide,
} from "./declaration";
import { boundClaims } from "./bindings";
import type {
  InputNeed,
  InputPathRule,
  InputPolicy,
  InputRole,
  InputSecret,
  InputToken,
  PolicyInput,
} from "./types";

export function manifestToInput(manifest: Manifest, opts: { now: string }): PolicyInput {
  // The plan's policy name of each need, by the need's index in the manifest: the input's need
  // shares the plan's string instead of building its own, with no map of 10,000 names.
  const policyNames: (string | undefined)[] = new Array<string | undefined>(manifest.needs.length);
  const policies: InputPolicy[] = [];
  const tokens: InputToken[] = [];
  const roles: InputRole[] = [];
  const secrets: InputSecret[] = [];
  // One consumer's plan at a time, read and dropped. Lists and records the plan made fresh for
  // this consumer (policy rules, token policies and meta, KV metadata) become the input's own
  // instead of being copied: nothing else holds them.
  forEachConsumerRules(manifest, (c, needIndices) => {
    roles.push(roleInput(c.consumer, c.role));
    for (let k = 0; k < c.needs.length; k++) {
      const n = c.needs[k];
      policyNames[needIndices[k]] = n.policy.name;
      policies.push({
        name: n.policy.name,
        source: n.need,
        need: n.need,
        rules: handOver(n.policy.rules) as InputPathRule[],
      });
      if (n.token) {
        const t = n.token;
        tokens.push({
          // As Vault shows it (and as the Pulumi and Terraform resources set it): the display name.
          name: t.displayName,
          source: n.need,
          need: n.need,
          policies: handOver(t.policies),
          ttl_seconds: t.ttl || null,
          explicit_max_ttl_seconds: t.explicitMaxTtl || null,
          period_seconds: null,
          renewable: t.renewable,
          no_parent: t.noParent,
          no_default_policy: t.noDefaultPolicy,
          meta: t.meta,
          display_name: t.displayName || null,
          // The plan sets no use limit: Vault's default, unlimited.
          num_uses: null,
        });
      }
      if (n.kvEntry) {
        secrets.push({
          path: `${n.kvEntry.mount}/${n.kvEntry.name}`,
          source: n.need,
          need: n.need,
          custom_metadata: n.kvEntry.customMetadata,
        });
      }
    }
  });
  return {
    now: opts.now,
    limits: limitsToInput(manifest.limits),
    needs: manifest.needs.map((n, i) => needInput(n, policyNames[i] ?? policyName(n.name))),
    consumers: manifest.consumers.map(consumerToInput),
    providers: manifest.providers.map(providerToInput),
    vault: { policies, tokens, roles, secrets },
    has_declaration: true,
  };
}

/**
 * A need as the input shows it, with the model's own lists (scopes, path grants, waivers —
 * validated by the loader, in exactly the input's shapes, never changed after) shared rather than
 * copied, so 10,000 needs do not allocate their lists twice.
 */
function needInput(need: Need, policy: string): InputNeed {
  return needWithLists(
    need,
    policy,
    need.scopes as string[],
    need.paths as InputPathRule[],
    need.waivers as InputNeed["waivers"],
  );
}

/**
 * A list the grant plan made for one consumer alone (see manifestToInput), handed over to the input
 * instead of copied; the plan is dropped right after, so nothing else ever sees it.
 */
function handOver<T>(xs: readonly T[]): T[] {
  return xs as T[];
}

/**
 * A planned role as the rules read it, with its login bindings and token shape (TW017–TW028).
 * Written out field by field in the input's key order — the shared fields, then the kind's own,
 * then `consumer` — with no spreads of partial records.
 */
function roleInput(consumer: string, role: RolePlan): InputRole {
  const token = role.kind === "token";
  const r: InputRole = {
    name: role.roleName,
    kind: role.kind,
    source: consumer,
    // A token role has no policies or TTLs of its own: it allows policies and caps every token
    // created against it (token_explicit_max_ttl), so that is what the rules judge for it.
    token_policies: handOver(token ? role.allowedPolicies : role.tokenPolicies),
    token_ttl_seconds: token ? null : role.tokenTtl || null,
    token_max_ttl_seconds: token ? null : role.tokenMaxTtl || null,
    secret_id_ttl_seconds: role.kind === "approle" ? role.secretIdTtl || null : null,
    token_bound_cidrs: [],
    token_period_seconds: null,
    token_explicit_max_ttl_seconds: null,
    token_type: null,
    token_num_uses: null,
  };
  switch (role.kind) {
    case "approle":
      r.secret_id_num_uses = role.secretIdNumUses;
      r.secret_id_bound_cidrs = role.secretIdBoundCidrs ? role.secretIdBoundCidrs.slice() : [];
      break;
    case "kubernetes":
      r.bound_service_account_names = role.boundServiceAccountNames.slice();
      r.bound_service_account_namespaces = role.boundServiceAccountNamespaces.slice();
      break;
    case "jwt":
      r.bound_audiences = role.boundAudiences.slice();
      r.bound_subject = null;
      r.bound_claims = boundClaims(role.boundClaims, false);
      r.bound_claims_type = null;
      break;
    case "token":
      // set in the places the shared fields above hold
      r.token_explicit_max_ttl_seconds = role.tokenExplicitMaxTtl || null;
      r.token_type = role.tokenType;
      r.token_bound_cidrs = role.tokenBoundCidrs ? role.tokenBoundCidrs.slice() : [];
      r.allowed_policies = role.allowedPolicies.slice();
      r.allowed_policies_glob = [];
      r.orphan = role.orphan;
      break;
  }
  r.consumer = consumer;
  return r;
}

/**
 * The needs side of a manifest, for judging resources rendered from it (the policy pack's
 * `manifest` config, `tokenwarden plan`): pass it as `declaration` to pulumiResourcesToInput.
 */
export function needsSideOf(manifest: Manifest, opts: { now: string }): NeedsSide {
  const { limits, needs, consumers, providers } = manifestToInput(manifest, opts);
  return { limits, needs, consumers, providers };
}
