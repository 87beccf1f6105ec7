/** Pulumi type tokens of tokenwarden's components: `<package>:<module>:<Type>`, stable across releases. */
export const TYPE_TOKENS = {
  AccessNeeds: "tokenwarden:index:AccessNeeds",
  TokenStore: "tokenwarden:index:TokenStore",
  ConsumerRole: "tokenwarden:index:ConsumerRole",
  NeedGrant: "tokenwarden:index:NeedGrant",
  Rotation: "tokenwarden:index:Rotation",
} as const;

/** Vault TTL strings as `vault.Token` takes them; the plan holds seconds. */
export function seconds(s: number): string {
  return `${s}s`;
}
