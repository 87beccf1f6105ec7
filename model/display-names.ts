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
  // Most names need no change: found by one scan, they are returned as they are (no new string
  // per token-auth need, which `check` computes for thousands of needs twice).
  if (keptAsIs(requested)) return requested;
  const full = `token-${requested}`.replace(OUTSIDE_VAULT_DISPLAY_CHARS, "-");
  const trimmed = full.endsWith("-") ? full.slice(0, -1) : full;
  return trimmed.slice("token-".length);
}

/** Only `[a-zA-Z0-9-]` and no trailing `-`: Vault's sanitising leaves the name unchanged. */
function keptAsIs(name: string): boolean {
  const n = name.length;
  if (n === 0 || name.charCodeAt(n - 1) === 45) return false;
  for (let i = 0; i < n; i++) {
    const ch = name.charCodeAt(i);
    if (!(
      (ch >= 97 && ch <= 122) || // a-z
      (ch >= 48 && ch <= 57) || // 0-9
      ch === 45 || // -
      (ch >= 65 && ch <= 90) // A-Z
    ))
      return false;
  }
  return true;
}
