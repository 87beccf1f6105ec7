/** A bare Vault HTTP caller for tests of the double and the contract tests (no retries, no magic). */
export interface VaultReply {
  status: number;
  headers: Headers;
  /** Parsed JSON body; undefined for 204 or an empty body. */
  body: Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export type VaultCall = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<VaultReply>;

/** Calls `<address>/v1/<path>` with `token` (override per call with an X-Vault-Token header). */
export function vaultHttp(address: string, token?: string): VaultCall {
  return async (method, path, body, headers = {}) => {
    const h: Record<string, string> = { ...headers };
    if (token && !("X-Vault-Token" in h)) h["X-Vault-Token"] = token;
    if (h["X-Vault-Token"] === "") delete h["X-Vault-Token"];
    if (body !== undefined) h["Content-Type"] = "application/json";
    const res = await fetch(`${address.replace(/\/$/, "")}/v1/${path}`, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: text.trim() === "" ? undefined : JSON.parse(text),
    };
  };
}
