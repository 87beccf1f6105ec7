/**
 * Reads a live Vault into the live model — the only I/O of the lifecycle commands' reading side.
 * Read-only by construction: LISTs, GETs and `lookup-accessor` (never renew, never lookup by id).
 * Every call that fails after the client's retries becomes an `Unread` entry naming the request
 * and Vault's answer; the scan goes on with the rest, so the commands can say exactly what they
 * did not see instead of reporting it clean.
 */
import { mapConcurrent, VaultError, type VaultClient } from "../../vault";
import type {
  LiveKvEntry,
  LivePolicy,
  LiveRole,
  LiveState,
  LiveToken,
  RoleKind,
  Unread,
} from "./live-types";
import { kvEntryFromMetadata, roleFromRead, tokenFromLookup } from "./normalise-live";

export interface AuthMountRef {
  readonly kind: Exclude<RoleKind, "token">;
  readonly mount: string;
}

export interface ScanOptions {
  /** KV v2 mount holding third-party tokens. */
  readonly kvMount: string;
  /** Auth mounts whose roles to read; undefined: discover approle/kubernetes/jwt mounts in sys/auth. */
  readonly authMounts?: readonly AuthMountRef[];
  /** Calls in flight at once (default 16). */
  readonly concurrency?: number;
  /** Which policies' text to read (default: none — names only). */
  readonly readPolicyText?: (name: string) => boolean;
  /** Skip parts a command does not need. */
  readonly skip?: { readonly tokens?: boolean; readonly roles?: boolean; readonly kv?: boolean };
  readonly now?: () => number;
  /** Progress lines for a person watching (never contains a token). */
  readonly progress?: (message: string) => void;
}

const ROLE_KINDS = new Set(["approle", "kubernetes", "jwt"]);

export async function scanVault(client: VaultClient, options: ScanOptions): Promise<LiveState> {
  const limit = options.concurrency ?? 16;
  const progress = options.progress ?? (() => undefined);
  const unread: Unread[] = [];
  let requests = 0;
  const scannedAt = (options.now ?? Date.now)();

  /** One call; a VaultError becomes an Unread entry and `undefined`. */
  async function attempt<T>(what: string, request: string, call: () => Promise<T>) {
    requests++;
    try {
      return { ok: true as const, value: await call() };
    } catch (err) {
      if (!(err instanceof VaultError)) throw err;
      unread.push({ what, request, status: err.status, why: explain(err) });
      return { ok: false as const };
    }
  }

  // Policies: names, and the text of those asked for.
  progress("reading ACL policies…");
  let policies: LivePolicy[] | undefined;
  const names = await attempt("the ACL policy list", "LIST sys/policies/acl/", () =>
    client.list("sys/policies/acl"),
  );
  if (names.ok) {
    const want = options.readPolicyText ?? (() => false);
    policies = await mapConcurrent(names.value, limit, async (name) => {
      if (name === "root" || !want(name)) return { name };
      const path = `sys/policies/acl/${encodeURIComponent(name)}`;
      const r = await attempt(`ACL policy ${name}`, `GET ${path}`, () => client.readPolicy(name));
      return r.ok && r.value !== undefined ? { name, hcl: r.value } : { name };
    });
  }

  // Roles: token roles, and the roles of each auth mount.
  const roles: LiveRole[] = [];
  const unreadRoles: string[] = [];
  if (!options.skip?.roles) {
    progress("reading auth roles…");
    let mounts = options.authMounts;
    if (mounts === undefined) {
      const auth = await attempt("the enabled auth methods", "GET sys/auth", () =>
        client.read<Record<string, unknown>>("sys/auth"),
      );
      mounts = auth.ok ? authMountsOf(auth.value ?? {}) : [];
    }
    const sources: { kind: RoleKind; mount: string; list: string; item: (n: string) => string }[] =
      [
        {
          kind: "token",
          mount: "token",
          list: "auth/token/roles",
          item: (n) => `auth/token/roles/${encodeURIComponent(n)}`,
        },
        ...mounts.map((m) => ({
          kind: m.kind,
          mount: m.mount,
          list: `auth/${m.mount}/role`,
          item: (n: string) => `auth/${m.mount}/role/${encodeURIComponent(n)}`,
        })),
      ];
    for (const s of sources) {
      const listed = await attempt(`the roles of auth/${s.mount}`, `LIST ${s.list}/`, () =>
        client.list(s.list),
      );
      if (!listed.ok) continue;
      const read = await mapConcurrent(listed.value, limit, async (name) => {
        const path = s.item(name);
        const r = await attempt(`${s.kind} role ${name} on auth/${s.mount}`, `GET ${path}`, () =>
          client.read(path),
        );
        if (!r.ok) unreadRoles.push(`${s.mount}/${name}`);
        return r.ok && r.value ? roleFromRead(s.kind, s.mount, name, r.value) : undefined;
      });
      for (const r of read) if (r) roles.push(r);
    }
  }

  // KV entries under the tokens mount: metadata only, never the values.
  let kvEntries: LiveKvEntry[] | undefined;
  if (!options.skip?.kv) {
    progress(`reading KV metadata under ${options.kvMount}/…`);
    kvEntries = await scanKv(options.kvMount);
  }

  // Tokens: the accessor list needs `sudo`; each one is looked up, never renewed.
  let tokens: LiveToken[] | undefined;
  let tokensPartial = false;
  let kvPartial = false;
  if (!options.skip?.tokens) {
    progress("listing token accessors…");
    const listed = await attempt(
      "the token list (listing accessors needs `sudo` on auth/token/accessors)",
      "LIST auth/token/accessors/",
      () => client.list("auth/token/accessors"),
    );
    if (listed.ok) {
      const total = listed.value.length;
      const found = await mapConcurrent(
        listed.value,
        limit,
        async (accessor) => {
          const r = await attempt(
            `token with accessor ${accessor}`,
            `POST auth/token/lookup-accessor (accessor ${accessor})`,
            () => client.lookupAccessor(accessor),
          );
          if (!r.ok) tokensPartial = true;
          // undefined: expired or revoked between the list and the lookup — gone, not unseen.
          return r.ok && r.value ? tokenFromLookup(accessor, r.value) : undefined;
        },
        (done) => {
          if (done % 500 === 0 || done === total) progress(`looked up ${done}/${total} tokens…`);
        },
      );
      tokens = found.filter((t): t is LiveToken => t !== undefined);
    }
  }

  return {
    address: client.address,
    scannedAt,
    ...(tokens !== undefined ? { tokens } : {}),
    ...(policies !== undefined ? { policies } : {}),
    roles,
    kvMount: options.kvMount,
    ...(kvEntries !== undefined ? { kvEntries } : {}),
    unread,
    partial: { tokens: tokensPartial, kv: kvPartial, roles: unreadRoles },
    requests,
  };

  async function scanKv(mount: string): Promise<LiveKvEntry[] | undefined> {
    const leaves: string[] = [];
    let folders = [""];
    let complete = true;
    // Breadth first, one level at a time, each level's LISTs in parallel.
    while (folders.length > 0) {
      const next: string[] = [];
      await mapConcurrent(folders, limit, async (prefix) => {
        const listPath = `${mount}/metadata/${prefix}`;
        const r = await attempt(
          `KV entries under ${mount}/${prefix}`,
          `LIST ${listPath.replace(/\/?$/, "/")}`,
          () => client.list(listPath),
        );
        if (!r.ok) {
          complete = false;
          return;
        }
        for (const key of r.value) (key.endsWith("/") ? next : leaves).push(prefix + key);
      });
      folders = next;
    }
    const entries = await mapConcurrent(leaves, limit, async (path) => {
      const r = await attempt(
        `KV metadata of ${mount}/${path}`,
        `GET ${mount}/metadata/${path}`,
        () => client.readKvMetadata(mount, path),
      );
      if (!r.ok) complete = false;
      return r.ok && r.value ? kvEntryFromMetadata(mount, path, r.value) : undefined;
    });
    if (!complete) kvPartial = true;
    const seen = entries.filter((e): e is LiveKvEntry => e !== undefined);
    // A partly listed mount still yields what was seen; `unread` says what was not.
    return complete || seen.length > 0 ? seen : undefined;
  }
}

/** approle / kubernetes / jwt mounts from `sys/auth` data (`{"approle/": {"type": "approle"}}`). */
export function authMountsOf(data: Readonly<Record<string, unknown>>): AuthMountRef[] {
  const out: AuthMountRef[] = [];
  for (const [path, v] of Object.entries(data)) {
    const type = (v as { type?: unknown } | null)?.type;
    if (typeof type === "string" && ROLE_KINDS.has(type)) {
      out.push({ kind: type as AuthMountRef["kind"], mount: path.replace(/\/+$/, "") });
    }
  }
  return out.sort((a, b) => (a.mount < b.mount ? -1 : a.mount > b.mount ? 1 : 0));
}

function explain(err: VaultError): string {
  const said = err.errors.length > 0 ? err.errors.join("; ") : err.message;
  return err.status === 0 ? said : `${err.status} ${said}`;
}
