/**
 * Everything one need is granted: its ACL policy, and what it issues — a Vault token (token-auth
 * consumers) or the KV v2 entry holding a third-party token — plus, for a token, the rotation
 * clock that re-issues it. Names, HCL, TTLs and metadata all come from the grant plan.
 *
 * Who owns a KV entry: the stack owns the entry's metadata (custom metadata, max versions) and
 * the policy that reads it; `tokenwarden procure`/`put` own its versions — the token values. The
 * stack writes a value only when it creates the entry (write-only `data_json_wo` at a constant
 * version 1, so the provider never sends it again; Pulumi keeps the input only as an encrypted
 * secret), never reads values back (`disable_read`, so no procured token is copied into the
 * state), and so an `up` after a procurement leaves the procured version in place.
 */
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { Rotation } from "./rotation";
import { TYPE_TOKENS, seconds } from "./type-tokens";

/** Metadata keys are plain (policies read them at preview); values may be Inputs. */
type StringMap = Readonly<Record<string, pulumi.Input<string>>>;

/** The metadata key that carries the rotation clock into what a need issues. */
export const NEXT_ROTATION_KEY = "next_rotation";

export interface NeedGrantTokenArgs {
  readonly policies: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Seconds; 0 leaves it to Vault. The explicit max TTL is the token role's (the plan's
   * `explicitMaxTtl`): Vault warns when a token created against a role that has one sets its own.
   */
  readonly ttl: number;
  readonly renewable: pulumi.Input<boolean>;
  readonly noParent: pulumi.Input<boolean>;
  readonly noDefaultPolicy: pulumi.Input<boolean>;
  readonly roleName?: pulumi.Input<string>;
  readonly meta: StringMap;
  readonly displayName: pulumi.Input<string>;
}

export interface NeedGrantKvArgs {
  readonly mount: pulumi.Input<string>;
  /** Path within the mount. */
  readonly name: pulumi.Input<string>;
  readonly customMetadata: StringMap;
  readonly maxVersions: pulumi.Input<number>;
  /**
   * The third-party token to store when the entry is created, as `{"token": <value>}`; later
   * versions come from `tokenwarden procure`/`put`. Absent: the entry starts with an empty
   * version 1 (`{}`) and waits for procurement. Always treated as a secret.
   */
  readonly value?: pulumi.Input<string>;
}

/** The write-only value's version: constant, so the value is written when the entry is created only. */
export const INITIAL_VALUE_VERSION = 1;

export interface NeedGrantArgs {
  readonly policy: { readonly name: pulumi.Input<string>; readonly hcl: pulumi.Input<string> };
  readonly token?: NeedGrantTokenArgs;
  readonly kvEntry?: NeedGrantKvArgs;
  /** Rotation period in whole minutes; absent when the need has none. */
  readonly rotationMinutes?: pulumi.Input<number>;
  /** Resources what the need issues must exist after (the token role, the KV mount). */
  readonly issuesAfter?: pulumi.Input<pulumi.Resource>[];
}

export class NeedGrant extends pulumi.ComponentResource {
  readonly policy: vault.Policy;
  readonly policyName: pulumi.Output<string>;
  readonly rotation?: Rotation;
  readonly token?: vault.Token;
  readonly kvEntry?: vault.kv.SecretV2;
  /** The issued Vault token — a Pulumi secret; undefined when the need issues none. */
  readonly clientToken: pulumi.Output<string | undefined>;
  /** The token's accessor (not a secret: it can look up and revoke, never authenticate). */
  readonly tokenAccessor: pulumi.Output<string | undefined>;

  constructor(name: string, args: NeedGrantArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE_TOKENS.NeedGrant, name, {}, opts);
    this.policy = new vault.Policy(
      `${name}-policy`,
      { name: args.policy.name, policy: args.policy.hcl },
      { parent: this },
    );
    this.policyName = this.policy.name;

    if (args.rotationMinutes !== undefined) {
      this.rotation = new Rotation(
        `${name}-rotation`,
        { rotationMinutes: args.rotationMinutes },
        { parent: this },
      );
    }
    const rotationMeta: StringMap = this.rotation
      ? { [NEXT_ROTATION_KEY]: this.rotation.nextRotation }
      : {};
    // Never deleteBeforeReplace: the new credential must exist before the old one goes.
    const issueOpts: pulumi.CustomResourceOptions = {
      parent: this,
      dependsOn: [this.policy, ...(args.issuesAfter ?? [])],
    };

    if (args.token) {
      const t = args.token;
      // renewMinLease/renewIncrement stay unset: a `pulumi refresh` must never renew a token.
      this.token = new vault.Token(
        `${name}-token`,
        {
          policies: t.policies,
          ttl: t.ttl > 0 ? seconds(t.ttl) : undefined,
          renewable: t.renewable,
          noParent: t.noParent,
          noDefaultPolicy: t.noDefaultPolicy,
          roleName: t.roleName,
          // metadata forces replacement in the provider, so a new next_rotation re-issues the token.
          metadata: { ...t.meta, ...rotationMeta },
          displayName: t.displayName,
        },
        issueOpts,
      );
    }

    if (args.kvEntry) {
      const kv = args.kvEntry;
      const value = kv.value;
      const initial = pulumi.secret(
        value === undefined
          ? pulumi.output("{}")
          : pulumi.output(value).apply((token) => JSON.stringify({ token })),
      );
      // Updated in place, never replaced: old and new would share one path, and deleting the old
      // would delete the new. Only the metadata is the stack's to update.
      this.kvEntry = new vault.kv.SecretV2(
        `${name}-kv`,
        {
          mount: kv.mount,
          name: kv.name,
          dataJsonWo: initial,
          dataJsonWoVersion: INITIAL_VALUE_VERSION,
          // The versions are procurement's: never copy them into the state, never diff them.
          disableRead: true,
          customMetadata: { maxVersions: kv.maxVersions, data: { ...kv.customMetadata } },
          // Removing the need removes the stored token, not just its latest version.
          deleteAllVersions: true,
        },
        { ...issueOpts, ignoreChanges: ["dataJsonWo"] },
      );
    }

    this.clientToken = this.token
      ? pulumi.secret(this.token.clientToken)
      : pulumi.output<string | undefined>(undefined);
    this.tokenAccessor = this.token ? this.token.id : pulumi.output<string | undefined>(undefined);
    this.registerOutputs({
      policyName: this.policyName,
      clientToken: this.clientToken,
      tokenAccessor: this.tokenAccessor,
    });
  }
}
