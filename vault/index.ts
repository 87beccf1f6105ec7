/** Vault HTTP client (a leaf: knows nothing of tokenwarden). */
export { VaultClient, VaultConfigError, VaultError } from "./client";
export type { RequestOptions, VaultClientOptions, VaultResponse } from "./client";
export { mapConcurrent } from "./concurrency";
