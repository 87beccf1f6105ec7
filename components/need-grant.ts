/**
 * Everything one need is granted: its ACL policy, and what it issues — a Vault token (token-auth
 * consumers of Vault needs) or the KV v2 entry holding a third-party token — plus the rotation
 * clock that re-issues it. Names, HCL, TTLs and metadata all come from the grant plan.
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
  /** Seconds. */
  readonly ttl: pulumi.Input<number>;
  /** Seconds. */
  readonly explicitMaxTtl: pulumi.Input<number>;
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
   * The third-party token to store. Always treated as a secret (wrapped again here), and written
   * as `{"token": <value>}`: a new value becomes the entry's next KV version.
   */
  readonly value: pulumi.Input<string>;
}

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
          ttl: pulumi.output(t.ttl).apply(seconds),
          explicitMaxTtl: pulumi.output(t.explicitMaxTtl).apply(seconds),
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
      const dataJson = pulumi.secret(
        pulumi.output(kv.value).apply((token) => JSON.stringify({ token })),
      );
      // Updated in place (never replaced: old and new would share one path, and deleting the old
      // would delete the new). A new value is written as the next version; old versions stay
      // readable up to maxVersions, which is the overlap consumers need.
      this.kvEntry = new vault.kv.SecretV2(
        `${name}-kv`,
        {
          mount: kv.mount,
          name: kv.name,
          dataJson,
          customMetadata: {
            maxVersions: kv.maxVersions,
            data: { ...kv.customMetadata, ...rotationMeta },
          },
          // Revoking the grant removes the stored token, not just its latest version.
          deleteAllVersions: true,
        },
        issueOpts,
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
