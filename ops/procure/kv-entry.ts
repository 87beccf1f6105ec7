/**
 * One need's KV v2 entry, through Vault's KV v2 HTTP API (the calls the Vault CLI's `kv` makes):
 * read the metadata (versions and custom metadata), read one version, write the next version with
 * check-and-set, destroy a version, write custom metadata. The entry's token value only ever
 * passes through here in memory.
 */
import { VaultError, type VaultClient } from "../../vault/client";

export interface VersionInfo {
  readonly version: number;
  /** ms since epoch. */
  readonly created: number;
  /** Soft-deleted (or scheduled deletion passed). */
  readonly deleted: boolean;
  readonly destroyed: boolean;
}

export interface EntryState {
  /** 0 when the entry has metadata but no version yet. */
  readonly currentVersion: number;
  /** Versions Vault still keeps, oldest first. */
  readonly versions: readonly VersionInfo[];
  readonly customMetadata: Readonly<Record<string, string>>;
}

/** Another writer stored a version after we read the entry (KV check-and-set refused ours). */
export class CasMismatch extends Error {
  override name = "CasMismatch";
}

export class KvEntry {
  constructor(
    private readonly vault: VaultClient,
    readonly mount: string,
    /** Path within the mount, e.g. "stripe/billing-stripe-charges". */
    readonly name: string,
  ) {}

  get dataPath(): string {
    return `${this.mount}/data/${this.name}`;
  }

  /** The entry's metadata at time `now` (ms); undefined when Vault has no such entry. */
  async state(now: number): Promise<EntryState | undefined> {
    const md = await this.vault.read<{
      current_version?: number;
      versions?: Record<
        string,
        { created_time?: string; deletion_time?: string; destroyed?: boolean }
      >;
      custom_metadata?: Record<string, string> | null;
    }>(`${this.mount}/metadata/${this.name}`);
    if (md === undefined) return undefined;
    const versions: VersionInfo[] = Object.entries(md.versions ?? {})
      .map(([n, v]) => {
        const deletion = v.deletion_time ? Date.parse(v.deletion_time) : NaN;
        return {
          version: Number(n),
          created: v.created_time ? Date.parse(v.created_time) : 0,
          deleted: !Number.isNaN(deletion) && deletion <= now,
          destroyed: v.destroyed === true,
        };
      })
      .sort((a, b) => a.version - b.version);
    return {
      currentVersion: md.current_version ?? 0,
      versions,
      customMetadata: { ...(md.custom_metadata ?? {}) },
    };
  }

  /** One version's data; undefined when it is deleted, destroyed or gone. */
  async read(version: number): Promise<Record<string, unknown> | undefined> {
    const res = await this.vault.request("GET", `${this.dataPath}?version=${version}`);
    if (res.status === 404) return undefined;
    if (res.status >= 400) throw vaultError("GET", this.dataPath, res.status, res.body);
    const body = res.body as { data?: { data?: Record<string, unknown> | null } } | undefined;
    return body?.data?.data ?? undefined;
  }

  /**
   * Writes the next version only if the current one is still `cas` (0: the entry has no version).
   * Returns the new version number; throws CasMismatch when someone else wrote first.
   */
  async write(data: Record<string, string>, cas: number): Promise<number> {
    const res = await this.vault.request("POST", this.dataPath, { options: { cas }, data });
    if (res.status === 400) {
      const errors = errorsOf(res.body);
      if (errors.some((e) => e.includes("check-and-set")))
        throw new CasMismatch(`${this.dataPath}: ${errors.join("; ")}`);
    }
    if (res.status >= 400) throw vaultError("POST", this.dataPath, res.status, res.body);
    const version = (res.body as { data?: { version?: number } } | undefined)?.data?.version;
    if (typeof version !== "number")
      throw new VaultError(
        `POST /v1/${this.dataPath}: no version in the answer`,
        "POST",
        this.dataPath,
        res.status,
      );
    return version;
  }

  /** Permanently removes the data of these versions (KV v2 destroy). */
  async destroy(versions: readonly number[]): Promise<void> {
    await this.vault.write(`${this.mount}/destroy/${this.name}`, { versions: [...versions] });
  }

  /**
   * Replaces the entry's custom metadata with `merged` (Vault's POST metadata replaces the whole
   * map; its max_versions and cas settings are left as they are by not sending them).
   */
  async writeCustomMetadata(merged: Readonly<Record<string, string>>): Promise<void> {
    await this.vault.write(`${this.mount}/metadata/${this.name}`, { custom_metadata: merged });
  }
}

function errorsOf(body: unknown): string[] {
  const e = (body as { errors?: unknown } | undefined)?.errors;
  return Array.isArray(e) ? e.map(String) : [];
}

function vaultError(method: string, path: string, status: number, body: unknown): VaultError {
  const errors = errorsOf(body);
  return new VaultError(
    `${method} /v1/${path}: ${status} ${errors.join("; ") || "error"}`,
    method,
    path,
    status,
    errors,
  );
}
