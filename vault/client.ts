/**
 * A small Vault HTTP client, addressed the way the Vault CLI is (VAULT_ADDR, VAULT_TOKEN,
 * VAULT_NAMESPACE, VAULT_CACERT, VAULT_MAX_RETRIES, VAULT_CLIENT_TIMEOUT). It never logs or puts
 * the token into an error message. A leaf: it knows nothing of tokenwarden.
 *
 * Retries are decided per call. A request marked idempotent (every GET/LIST, and writes whose
 * second application changes nothing: a policy PUT, a role write, KV metadata, lookup-accessor,
 * revoke-accessor) is retried on anything temporary — 5xx, 429, a sealed or standby node (503),
 * a network failure — with capped exponential backoff. Any other write (token create, SecretID
 * generation, a KV data write without `cas`) may already have happened when the answer is lost,
 * and a retry would mint a second credential nobody records; it is retried only when Vault's answer
 * proves the request was never handled: 429 (refused by a rate-limit quota before it ran), 503
 * (sealed or standby: nothing runs), or a connection that was refused before anything was sent.
 */
import { readFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";

export interface VaultClientOptions {
  /** e.g. https://vault.example.com:8200 */
  readonly address: string;
  readonly token?: string;
  /** Enterprise namespace, sent as X-Vault-Namespace. */
  readonly namespace?: string;
  /** PEM CA bundle to trust instead of the system store. */
  readonly caCert?: string;
  /** Attempts after the first for a temporary failure (default 4; VAULT_MAX_RETRIES in fromEnv). */
  readonly retries?: number;
  /** First backoff in ms (default 250), doubled each attempt, capped at maxBackoffMs (default 4000). */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Per-attempt timeout in ms (default 30000). */
  readonly timeoutMs?: number;
  /** Where retry notices go (default: nowhere). Lines never contain the token. */
  readonly log?: (line: string) => void;
}

/** How one call may be retried. */
export interface RequestOptions {
  /**
   * Whether sending the request twice leaves Vault as sending it once. Defaults to true for GET
   * (reads and LISTs) and false for everything else: a write must say it is safe to repeat.
   */
  readonly idempotent?: boolean;
}

export interface VaultResponse {
  readonly status: number;
  /** Parsed JSON body, or undefined for an empty body (204). */
  readonly body: unknown;
}

/** A Vault error response or a failure to reach Vault. */
export class VaultError extends Error {
  constructor(
    message: string,
    readonly method: string,
    readonly path: string,
    /** HTTP status; 0 when Vault could not be reached. */
    readonly status: number,
    /** Vault's `errors` array, if it sent one. */
    readonly errors: readonly string[] = [],
  ) {
    super(message);
    this.name = "VaultError";
  }
}

/** The environment did not say how to reach Vault. */
export class VaultConfigError extends Error {
  override name = "VaultConfigError";
}

type Env = Readonly<Record<string, string | undefined>>;

/** Answers worth asking again for an idempotent request: temporary by Vault's own account. */
const RETRYABLE = (status: number) => status === 429 || status >= 500;
/**
 * Answers that prove a request was not handled, so even a non-idempotent one may be sent again:
 * a rate-limit quota refuses before the handler runs; a sealed or standby node (503) runs nothing.
 */
const NOT_HANDLED = (status: number) => status === 429 || status === 503;
/** Socket errors raised before a request left this process: nothing reached Vault. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);

export class VaultClient {
  private readonly base: URL;
  private readonly retries: number;
  private readonly minBackoff: number;
  private readonly maxBackoff: number;
  private readonly timeout: number;
  private readonly log: (line: string) => void;
  private readonly agent?: https.Agent;

  constructor(private readonly options: VaultClientOptions) {
    let base: URL;
    try {
      base = new URL(options.address);
    } catch {
      throw new VaultConfigError(`VAULT_ADDR is not a URL: ${JSON.stringify(options.address)}`);
    }
    if (base.protocol !== "http:" && base.protocol !== "https:") {
      throw new VaultConfigError(`VAULT_ADDR must be http:// or https://, got ${base.protocol}`);
    }
    this.base = base;
    this.retries = options.retries ?? 4;
    this.minBackoff = options.minBackoffMs ?? 250;
    this.maxBackoff = options.maxBackoffMs ?? 4000;
    this.timeout = options.timeoutMs ?? 30_000;
    this.log = options.log ?? (() => undefined);
    if (options.caCert !== undefined) this.agent = new https.Agent({ ca: options.caCert });
  }

  /**
   * From VAULT_ADDR / VAULT_TOKEN / VAULT_NAMESPACE / VAULT_CACERT (a file path), and, as the Vault
   * CLI reads them, VAULT_MAX_RETRIES (retries after the first attempt) and VAULT_CLIENT_TIMEOUT
   * (seconds per attempt).
   */
  static fromEnv(env: Env = process.env, extra: Partial<VaultClientOptions> = {}): VaultClient {
    const address = env.VAULT_ADDR;
    if (!address) throw new VaultConfigError("VAULT_ADDR is not set");
    let caCert: string | undefined;
    if (env.VAULT_CACERT) {
      try {
        caCert = readFileSync(env.VAULT_CACERT, "utf8");
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
        throw new VaultConfigError(`VAULT_CACERT ${env.VAULT_CACERT}: cannot be read (${code})`);
      }
    }
    const retries = wholeNumberEnv(env, "VAULT_MAX_RETRIES");
    const timeoutS = wholeNumberEnv(env, "VAULT_CLIENT_TIMEOUT");
    return new VaultClient({
      address,
      token: env.VAULT_TOKEN || undefined,
      namespace: env.VAULT_NAMESPACE || undefined,
      caCert,
      ...(retries !== undefined ? { retries } : {}),
      ...(timeoutS !== undefined && timeoutS > 0 ? { timeoutMs: timeoutS * 1000 } : {}),
      ...extra,
    });
  }

  get address(): string {
    return this.base.origin;
  }

  /**
   * One API call: `path` is relative to /v1 (e.g. "sys/policies/acl/x"). Resolves with any answer
   * that is not a temporary failure (the caller decides what a 404 means); throws VaultError once
   * the retries a call allows (see the module comment and RequestOptions) are spent or refused.
   */
  async request(
    method: string,
    path: string,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<VaultResponse> {
    const idempotent = options.idempotent ?? method.toUpperCase() === "GET";
    const url = new URL(`/v1/${path.replace(/^\/+/, "")}`, this.base);
    let failure: VaultError | undefined;
    let wait = 0;
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (failure) {
        this.log(`vault: ${failure.message}; retry ${attempt}/${this.retries} in ${wait}ms`);
        await sleep(wait);
      }
      try {
        const res = await this.send(method, url, body);
        if (!RETRYABLE(res.status)) return { status: res.status, body: res.body };
        failure = this.errorFor(method, path, res.status, res.body);
        if (!idempotent && !NOT_HANDLED(res.status)) throw failure;
        wait = retryAfterMs(res.retryAfter, this.maxBackoff) ?? this.backoff(attempt + 1);
      } catch (err) {
        if (err instanceof VaultError) throw err;
        const code = errorCode(err);
        failure = new VaultError(
          `${method} /v1/${path}: cannot reach Vault at ${this.base.origin}: ${describeNetworkError(err)}`,
          method,
          path,
          0,
        );
        // A request that may have reached Vault is not sent again unless it is safe to repeat.
        if (!idempotent && !(code !== undefined && NOT_SENT_CODES.has(code))) {
          throw new VaultError(
            `${failure.message} (not retried: the request may have been handled, and repeating it is not safe)`,
            method,
            path,
            0,
          );
        }
        wait = this.backoff(attempt + 1);
      }
    }
    throw failure as VaultError;
  }

  /** GET and return `data`; undefined when Vault answers 404. */
  async read<T = Record<string, unknown>>(path: string): Promise<T | undefined> {
    return this.dataOf<T>("GET", path);
  }

  /**
   * POST write; returns `data` if Vault sent any. Not retried after a failure that may have
   * reached Vault unless `{ idempotent: true }` says a second write changes nothing (a policy or
   * role write, KV metadata, a KV data write with `cas`).
   */
  async write<T = Record<string, unknown>>(
    path: string,
    body: unknown,
    options: RequestOptions = {},
  ): Promise<T | undefined> {
    return this.dataOf<T>("POST", path, body, options);
  }

  /**
   * LIST keys under a path; [] when there are none (Vault answers 404). Sent as GET with
   * `?list=true` on the path with its trailing slash, as Vault's API description spells lists.
   */
  async list(path: string): Promise<string[]> {
    const data = await this.dataOf<{ keys?: string[] }>("GET", `${trimSlashes(path)}/?list=true`);
    return data?.keys ?? [];
  }

  /** DELETE: removing what is already gone leaves Vault the same, so it is retried. */
  async delete(path: string): Promise<void> {
    await this.dataOf("DELETE", path, undefined, { idempotent: true });
  }

  /** An ACL policy's text (`sys/policies/acl/<name>`). */
  async readPolicy(name: string): Promise<string | undefined> {
    const data = await this.read<{ policy?: string }>(
      `sys/policies/acl/${encodeURIComponent(name)}`,
    );
    return data?.policy;
  }

  /** A role of an auth method, e.g. readAuthRole("approle", "billing-api"). */
  readAuthRole(mount: string, role: string): Promise<Record<string, unknown> | undefined> {
    return this.read(`auth/${trimSlashes(mount)}/role/${encodeURIComponent(role)}`);
  }

  /** A token role (`auth/token/roles/<name>`). */
  readTokenRole(role: string): Promise<Record<string, unknown> | undefined> {
    return this.read(`auth/token/roles/${encodeURIComponent(role)}`);
  }

  /** KV v2 metadata of one entry (versions, custom_metadata, max_versions). */
  readKvMetadata(mount: string, path: string): Promise<Record<string, unknown> | undefined> {
    return this.read(`${trimSlashes(mount)}/metadata/${trimSlashes(path)}`);
  }

  /** KV v2 current data of one entry (`data.data`). */
  async readKvData(mount: string, path: string): Promise<Record<string, unknown> | undefined> {
    const d = await this.read<{ data?: Record<string, unknown> }>(
      `${trimSlashes(mount)}/data/${trimSlashes(path)}`,
    );
    return d?.data;
  }

  /**
   * Writes a KV v2 entry's next version. With `cas` (the version the caller read) a repeat cannot
   * add a second version — Vault refuses it as a check-and-set mismatch — so it is retried like
   * any idempotent call; without `cas` it is not, since a lost answer may hide a version written.
   */
  async writeKvData(
    mount: string,
    path: string,
    data: Record<string, unknown>,
    cas?: number,
  ): Promise<Record<string, unknown> | undefined> {
    return this.write(
      `${trimSlashes(mount)}/data/${trimSlashes(path)}`,
      cas === undefined ? { data } : { data, options: { cas } },
      { idempotent: cas !== undefined },
    );
  }

  /**
   * Looks a token up by accessor — never renews it. Undefined when Vault no longer knows it
   * (expired or revoked: Vault answers 400 "invalid accessor").
   */
  async lookupAccessor(accessor: string): Promise<Record<string, unknown> | undefined> {
    // A POST only so the accessor stays out of URLs and logs; it reads, so it is safe to repeat.
    const res = await this.request(
      "POST",
      "auth/token/lookup-accessor",
      { accessor },
      { idempotent: true },
    );
    if (res.status === 400 || res.status === 404) return undefined;
    const data = this.unwrap<Record<string, unknown>>("POST", "auth/token/lookup-accessor", res);
    if (data) delete data.id; // Vault blanks it for accessor lookups; never pass a token id on.
    return data;
  }

  /**
   * Revokes a token (and its children) by accessor. "revoked" when Vault did it; "gone" when Vault
   * no longer knows the accessor (expired, or revoked earlier). Repeating a revocation leaves Vault
   * the same, so it is retried like a read.
   */
  async revokeAccessor(accessor: string): Promise<"revoked" | "gone"> {
    const path = "auth/token/revoke-accessor";
    const res = await this.request("POST", path, { accessor }, { idempotent: true });
    if (res.status === 400 || res.status === 404) return "gone";
    if (res.status >= 400) throw this.errorFor("POST", path, res.status, res.body);
    return "revoked";
  }

  private async dataOf<T>(
    method: string,
    path: string,
    body?: unknown,
    options?: RequestOptions,
  ): Promise<T | undefined> {
    const res = await this.request(method, path, body, options);
    if (res.status === 404) return undefined;
    return this.unwrap<T>(method, path, res);
  }

  private unwrap<T>(method: string, path: string, res: VaultResponse): T | undefined {
    if (res.status >= 400) throw this.errorFor(method, path, res.status, res.body);
    const b = res.body as { data?: T } | undefined;
    return b?.data;
  }

  private errorFor(method: string, path: string, status: number, body: unknown): VaultError {
    const errors = Array.isArray((body as { errors?: unknown })?.errors)
      ? ((body as { errors: unknown[] }).errors.map(String) as string[])
      : [];
    const why = errors.length > 0 ? errors.join("; ") : (http.STATUS_CODES[status] ?? "error");
    return new VaultError(`${method} /v1/${path}: ${status} ${why}`, method, path, status, errors);
  }

  private backoff(attempt: number): number {
    const exp = Math.min(this.maxBackoff, this.minBackoff * 2 ** (attempt - 1));
    // Full jitter in the upper half: spreads retries without ever waiting less than half.
    return Math.round(exp / 2 + Math.random() * (exp / 2));
  }

  private async send(
    method: string,
    url: URL,
    body: unknown,
  ): Promise<{ status: number; body: unknown; retryAfter: string | null }> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.options.token) headers["x-vault-token"] = this.options.token;
    if (this.options.namespace) headers["x-vault-namespace"] = this.options.namespace;
    if (body !== undefined) headers["content-type"] = "application/json";
    const payload = body === undefined ? undefined : JSON.stringify(body);
    // fetch cannot take a custom CA without undici's Agent; node:https can.
    const res = this.agent
      ? await this.sendHttps(method, url, headers, payload)
      : await this.sendFetch(method, url, headers, payload);
    let parsed: unknown;
    if (res.text.trim() !== "") {
      try {
        parsed = JSON.parse(res.text);
      } catch {
        parsed = { errors: [res.text.slice(0, 200)] };
      }
    }
    return { status: res.status, body: parsed, retryAfter: res.retryAfter };
  }

  private async sendFetch(
    method: string,
    url: URL,
    headers: Record<string, string>,
    payload: string | undefined,
  ): Promise<{ status: number; text: string; retryAfter: string | null }> {
    const res = await fetch(url, {
      method,
      headers,
      body: payload,
      signal: AbortSignal.timeout(this.timeout),
    });
    return {
      status: res.status,
      text: await res.text(),
      retryAfter: res.headers.get("retry-after"),
    };
  }

  private sendHttps(
    method: string,
    url: URL,
    headers: Record<string, string>,
    payload: string | undefined,
  ): Promise<{ status: number; text: string; retryAfter: string | null }> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        { method, headers, agent: this.agent, timeout: this.timeout },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const ra = res.headers["retry-after"];
            resolve({
              status: res.statusCode ?? 0,
              text: Buffer.concat(chunks).toString("utf8"),
              retryAfter: typeof ra === "string" ? ra : null,
            });
          });
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`timed out after ${this.timeout}ms`)));
      req.on("error", reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }
}

function errorCode(err: unknown): string | undefined {
  // fetch wraps the socket error in `cause`; node:https raises it directly.
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  const code = e?.cause?.code ?? e?.code;
  return typeof code === "string" ? code : undefined;
}

function describeNetworkError(err: unknown): string {
  const message = (err as Error)?.message ?? String(err);
  const code = errorCode(err);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/** A non-negative whole number from the environment; a malformed value is a config error. */
function wholeNumberEnv(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  if (!/^\d+$/.test(raw))
    throw new VaultConfigError(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

function trimSlashes(s: string): string {
  return s.replace(/^\/+|\/+$/g, "");
}

/** Retry-After in seconds or as an HTTP date, capped; undefined when absent or unusable. */
function retryAfterMs(value: string | null, cap: number): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, cap) : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
