/**
 * The token store as Terraform resources: the KV v2 mount that holds third-party tokens, and a
 * file audit device when the manifest asks for one. Mirrors the Pulumi TokenStore component.
 */
import { Construct } from "constructs";
import { Audit } from "@cdktf/provider-vault/lib/audit";
import { Mount } from "@cdktf/provider-vault/lib/mount";
import type { TokenStorePlan } from "../model/grant-plan-types";
import { terraformLiterals } from "./terraform-literals";

export interface TokenStoreProps {
  readonly store: TokenStorePlan;
}

export class TokenStore extends Construct {
  /** Absent when no need stores a third-party token. */
  readonly kvMount?: Mount;
  readonly audit?: Audit;

  constructor(scope: Construct, id: string, props: TokenStoreProps) {
    super(scope, id);
    const { kvMount, audit } = terraformLiterals(props.store);
    if (kvMount) {
      this.kvMount = new Mount(this, "kv", {
        path: kvMount.path,
        type: "kv",
        options: { version: "2" },
        description: kvMount.description,
      });
    }
    if (audit) {
      this.audit = new Audit(this, "audit", {
        path: audit.path,
        type: "file",
        options: { file_path: audit.filePath },
      });
    }
  }
}
