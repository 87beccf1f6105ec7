/**
 * Turning HMAC'd accessors back into accessors. Vault HMACs accessors in its audit log with a salt
 * of each audit device, so nothing in the log reveals them; `sys/audit-hash/<device>` computes that
 * device's HMAC of a given string. Hashing every live accessor (`LIST auth/token/accessors`, which
 * needs sudo) and looking the hashes up among those seen in the log tells which token made each
 * request. Tokens expired or revoked since cannot be listed and stay HMAC'd; the report says how
 * many were matched.
 */
import { basename } from "node:path";
import type { VaultClient } from "../../vault";
import { VaultError } from "../../vault";
import { logStem, splitTokenKey } from "./collect";

export interface LogDevice {
  readonly name: string;
  readonly files: readonly string[];
  readonly hashedAccessors: number;
}

export interface AccessorMatch {
  /** Token key (`<device>|hmac-sha256:…`) → accessor. */
  readonly byKey: Map<string, string>;
  /** One sentence per device (or about Vault as a whole) saying what was done. */
  readonly notes: string[];
}

const MAX_ACCESSORS = 20_000;
const CONCURRENCY = 8;

export async function matchAccessors(
  client: VaultClient,
  devices: readonly LogDevice[],
  observedKeys: ReadonlySet<string>,
  /** Device names given with --device: they are Vault audit device paths already. */
  explicit: ReadonlySet<string>,
): Promise<AccessorMatch> {
  const byKey = new Map<string, string>();
  const notes: string[] = [];
  const hashed = devices.filter((d) => d.hashedAccessors > 0);
  if (hashed.length === 0) return { byKey, notes };

  // Which Vault audit device wrote each log.
  const vaultPathOf = new Map<string, string>();
  let listed: Record<string, unknown> | undefined;
  if (hashed.some((d) => !explicit.has(d.name))) {
    try {
      const res = await client.request("GET", "sys/audit");
      if (res.status === 200) {
        const body = res.body as { data?: Record<string, unknown> } & Record<string, unknown>;
        listed = body.data ?? body;
      } else
        notes.push(
          `cannot list Vault's audit devices (GET sys/audit answered ${res.status}; it needs sudo): log files are matched to devices by name`,
        );
    } catch (err) {
      notes.push(`cannot list Vault's audit devices: ${(err as Error).message}`);
    }
  }
  for (const d of hashed) {
    if (explicit.has(d.name)) {
      vaultPathOf.set(d.name, d.name);
      continue;
    }
    const found = listed ? deviceForFiles(listed, d) : undefined;
    if (found) vaultPathOf.set(d.name, found);
    else if (listed && Object.keys(listed).some((k) => trim(k) === d.name))
      vaultPathOf.set(d.name, d.name);
    else
      notes.push(
        `device ${d.name}: no Vault audit device writes ${d.files.map((f) => basename(f)).join(", ")}; its accessors stay HMAC'd (say which with --device <vault-path>=<file>)`,
      );
  }
  if (vaultPathOf.size === 0) return { byKey, notes };

  let accessors: string[];
  try {
    accessors = await client.list("auth/token/accessors");
  } catch (err) {
    const why =
      err instanceof VaultError && err.status === 403
        ? "LIST auth/token/accessors needs sudo"
        : (err as Error).message;
    for (const d of vaultPathOf.keys())
      notes.push(`device ${d}: accessors stay HMAC'd: cannot list token accessors (${why})`);
    return { byKey, notes };
  }
  const truncated = accessors.length > MAX_ACCESSORS;
  if (truncated) accessors = accessors.slice(0, MAX_ACCESSORS);

  for (const [device, vaultPath] of vaultPathOf) {
    const seen = [...observedKeys].filter((k) => splitTokenKey(k).device === device);
    let matched = 0;
    let failure: string | undefined;
    let next = 0;
    const worker = async () => {
      while (next < accessors.length && failure === undefined) {
        const accessor = accessors[next++];
        try {
          const res = await client.request(
            "POST",
            `sys/audit-hash/${encodeURIComponent(vaultPath)}`,
            {
              input: accessor,
            },
          );
          if (res.status !== 200) {
            failure = `sys/audit-hash/${vaultPath} answered ${res.status}`;
            return;
          }
          const body = res.body as { data?: { hash?: string }; hash?: string };
          const hash = body.data?.hash ?? body.hash;
          const key = `${device}|${hash}`;
          if (hash !== undefined && observedKeys.has(key) && !byKey.has(key)) {
            byKey.set(key, accessor);
            matched++;
          }
        } catch (err) {
          failure = (err as Error).message;
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    if (failure !== undefined) notes.push(`device ${device}: accessors stay HMAC'd: ${failure}`);
    else
      notes.push(
        `device ${device}: HMAC'd accessors matched through sys/audit-hash/${vaultPath}: ${matched} of ${seen.length} tokens seen` +
          (matched < seen.length
            ? " (the rest expired or were revoked since, so Vault no longer lists them)"
            : "") +
          (truncated ? `; only the first ${MAX_ACCESSORS} live accessors were tried` : ""),
      );
  }
  return { byKey, notes };
}

/** The audit device (from GET sys/audit) whose file_path names one of the log's files. */
function deviceForFiles(listed: Record<string, unknown>, d: LogDevice): string | undefined {
  const stems = new Set(d.files.map((f) => logStem(f)));
  const hits: string[] = [];
  for (const [path, v] of Object.entries(listed)) {
    const opts = (v as { type?: string; options?: Record<string, unknown> } | undefined)?.options;
    const fp = opts?.file_path;
    if (typeof fp === "string" && stems.has(basename(fp))) hits.push(trim(path));
  }
  return hits.length === 1 ? hits[0] : undefined;
}

function trim(p: string): string {
  return p.replace(/\/+$/, "");
}
