/**
 * CDKTF constructs that render a GrantPlan as Terraform resources of the Vault and time providers.
 * They mirror the Pulumi components in components/*.ts and, like them, only render the plan.
 */
export { TokenStore, type TokenStoreProps } from "./token-store";
export { ConsumerRole, type ConsumerRoleProps } from "./consumer-role";
export { NeedGrant, NEXT_ROTATION_KEY, type NeedGrantProps } from "./need-grant";
export {
  AccessNeedsStack,
  DECLARATION_OUTPUT,
  type AccessNeedsStackProps,
} from "./access-needs-stack";
export { terraformIdentifier, tokenVariableName } from "./terraform-names";
export { terraformLiteral, terraformLiterals } from "./terraform-literals";
export {
  CONFIG_FILE,
  STACK_NAME,
  synthesizeToDirectory,
  synthesizeToString,
  type SynthOptions,
  type SynthResult,
} from "./synth";
