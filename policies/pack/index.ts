/**
 * The tokenwarden Pulumi policy pack: `pulumi preview --policy-pack policies` runs this (compiled
 * to dist/policies/pack/index.js, named by policies/PulumiPolicy.yaml). Constructing the pack
 * starts the analyzer's gRPC server and prints its port, as the Pulumi CLI expects.
 */
import { PolicyPack } from "@pulumi/policy";
import { tokenwardenPolicies } from "./policies";

new PolicyPack("tokenwarden", {
  description: "tokenwarden: least privilege and rotation of Vault token grants, checked in Rego",
  policies: tokenwardenPolicies(),
});
