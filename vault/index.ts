/** Vault HTTP client (a leaf: knows nothing of tokenwarden). */
export { VaultClient, VaultConfigError, VaultError } from "./client";
export type { VaultClientOptions, VaultResponse } from "./client";
