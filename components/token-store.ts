/**
 * Where third-party tokens live: one KV v2 mount, and (when the manifest asks) a file audit device
 * so every use of a token is recorded.
 */
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { TYPE_TOKENS } from "./type-tokens";

export interface TokenStoreArgs {
  /** The KV v2 mount for third-party tokens; omitted when no need uses a third-party provider. */
  readonly kvMount?: {
    readonly path: pulumi.Input<string>;
    readonly description?: pulumi.Input<string>;
  };
  /** A file audit device at `path` writing to `filePath`. */
  readonly audit?: {
    readonly path: pulumi.Input<string>;
    readonly filePath: pulumi.Input<string>;
  };
}

export class TokenStore extends pulumi.ComponentResource {
  /** The KV v2 mount (absent when the plan has no third-party needs). */
  readonly mount?: vault.Mount;
  readonly audit?: vault.Audit;
  readonly mountPath: pulumi.Output<string | undefined>;

  constructor(name: string, args: TokenStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE_TOKENS.TokenStore, name, {}, opts);
    if (args.kvMount) {
      this.mount = new vault.Mount(
        `${name}-kv`,
        {
          path: args.kvMount.path,
          type: "kv",
          options: { version: "2" },
          description: args.kvMount.description,
        },
        { parent: this },
      );
    }
    if (args.audit) {
      this.audit = new vault.Audit(
        `${name}-audit`,
        { type: "file", path: args.audit.path, options: { file_path: args.audit.filePath } },
        { parent: this },
      );
    }
    this.mountPath = this.mount ? this.mount.path : pulumi.output(undefined);
    this.registerOutputs({ mountPath: this.mountPath });
  }
}
