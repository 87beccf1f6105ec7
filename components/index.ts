/** tokenwarden's Pulumi components: the package's main entry point. */
export { AccessNeeds, InvalidManifestError, inventoryOf, planManifest } from "./access-needs";
export type { AccessNeedsArgs, InventoryEntry } from "./access-needs";
export { ConsumerRole, consumerRoleArgs } from "./consumer-role";
export type { AuthRole, ConsumerRoleArgs } from "./consumer-role";
export { NeedGrant, NEXT_ROTATION_KEY } from "./need-grant";
export type { NeedGrantArgs, NeedGrantKvArgs, NeedGrantTokenArgs } from "./need-grant";
export { Rotation } from "./rotation";
export type { RotationArgs } from "./rotation";
export { TokenStore } from "./token-store";
export type { TokenStoreArgs } from "./token-store";
export { TYPE_TOKENS } from "./type-tokens";
