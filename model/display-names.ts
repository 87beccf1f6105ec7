/**
 * The display name Vault gives a token. Vault's token store prefixes the requested name with
 * `token-`, replaces every character outside `[a-zA-Z0-9-]` with `-` and drops one trailing `-`
 * (vault/token_store.go, `displayNameSanitize` in handleCreateCommon). terraform-provider-vault
 * reads it back with the `token-` prefix trimmed (resource_token.go, tokenRead) and compares it
 * with the declared `display_name`, which forces a new token when they differ. So the plan asks
 * for the name Vault will hand back, and two needs whose names would meet there are refused.
 */

const OUTSIDE_VAULT_DISPLAY_CHARS = /[^a-zA-Z0-9-]/g;

/** What `display_name` reads back as (without `token-`), for a requested name. */
export function vaultDisplayName(requested: string): string {
  const full = `token-${requested}`.replace(OUTSIDE_VAULT_DISPLAY_CHARS, "-");
  const trimmed = full.endsWith("-") ? full.slice(0, -1) : full;
  return trimmed.slice("token-".length);
}
