/**
 * Safe revocation. Selection is pure (which live tokens, and why); execution revokes by accessor
 * and appends every action to a JSON-lines log the moment it happens, so a run cut short leaves a
 * record, and the next run finishes the job and says what was already done. A token issued for a
 * declared need that is still valid is never selected, whatever the flags.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { mapConcurrent, VaultError, type VaultClient } from "../../vault";
import { classifyToken, isExpired, reviewLapsesAt } from "./classify";
import type { Declared } from "./declared";
import type { LiveToken } from "./live-types";

export type RevokeReason = "shadow" | "expired" | "lapsed";

export interface RevokeTarget {
  readonly accessor: string;
  readonly reason: RevokeReason;
  /** Why, in words (never a token). */
  readonly why: string;
  readonly displayName: string;
  readonly need?: string;
}

export interface Selection {
  readonly shadow: boolean;
  readonly expired: boolean;
  readonly lapsed: boolean;
}

/**
 * Which tokens to revoke:
 * - shadow: tokens `drift` reports as shadow (TW050);
 * - expired: declared tokens past their expiry that Vault still lists, and declared tokens
 *   superseded by a newer token for the same need whose own rotation date has passed (the
 *   leftovers of a rotation that did not finish);
 * - lapsed: tokens issued for a need whose review date has passed.
 */
export function selectTargets(
  d: Declared,
  tokens: readonly LiveToken[],
  now: number,
  sel: Selection,
): RevokeTarget[] {
  const newestForNeed = new Map<string, LiveToken>();
  for (const t of tokens) {
    const c = classifyToken(d, t);
    if (c.kind !== "declared" || isExpired(t, now)) continue;
    const prev = newestForNeed.get(c.need.need.name);
    if (!prev || t.creationTime > prev.creationTime) newestForNeed.set(c.need.need.name, t);
  }
  const out: RevokeTarget[] = [];
  for (const t of tokens) {
    const c = classifyToken(d, t);
    const base = { accessor: t.accessor, displayName: t.displayName };
    if (c.kind === "shadow") {
      if (sel.shadow)
        out.push({
          ...base,
          reason: "shadow",
          why: c.reason,
          ...(c.need ? { need: c.need.need.name } : {}),
        });
      continue;
    }
    if (c.kind !== "declared") continue;
    const need = c.need.need;
    const lapses = need.expires !== undefined ? reviewLapsesAt(need.expires) : undefined;
    if (sel.lapsed && lapses !== undefined && lapses <= now) {
      out.push({
        ...base,
        need: need.name,
        reason: "lapsed",
        why: `need ${need.name} passed its review date ${need.expires}`,
      });
      continue;
    }
    if (!sel.expired) continue;
    if (isExpired(t, now)) {
      out.push({
        ...base,
        need: need.name,
        reason: "expired",
        why: `expired at ${t.expireTime} but still listed by Vault`,
      });
      continue;
    }
    const newest = newestForNeed.get(need.name);
    const due = t.meta.next_rotation !== undefined ? Date.parse(t.meta.next_rotation) : NaN;
    if (
      newest &&
      newest !== t &&
      newest.creationTime > t.creationTime &&
      !Number.isNaN(due) &&
      due <= now
    ) {
      out.push({
        ...base,
        need: need.name,
        reason: "expired",
        why: `superseded by token ${newest.accessor} of the same need; its rotation date ${t.meta.next_rotation} has passed`,
      });
    }
  }
  // Belt and braces: whatever the rules above say, a valid declared token is never a target.
  const byAccessor = new Map(tokens.map((t) => [t.accessor, t]));
  return out.filter((x) => !isProtected(d, byAccessor.get(x.accessor)!, now, newestForNeed));
}

/** A declared token that is not expired, whose need has not lapsed, and that is the newest for its need. */
function isProtected(
  d: Declared,
  t: LiveToken,
  now: number,
  newest: ReadonlyMap<string, LiveToken>,
): boolean {
  const c = classifyToken(d, t);
  if (c.kind !== "declared" || isExpired(t, now)) return false;
  const lapses =
    c.need.need.expires !== undefined ? reviewLapsesAt(c.need.need.expires) : undefined;
  if (lapses !== undefined && lapses <= now) return false;
  return newest.get(c.need.need.name) === t;
}

/** One line of the revocation log. */
export interface LogEntry {
  readonly time: string;
  readonly action: "revoke-accessor";
  readonly result: "revoked" | "already-gone" | "failed";
  readonly accessor: string;
  readonly reason: RevokeReason;
  readonly why: string;
  readonly need?: string;
  readonly display_name?: string;
  /** For failures: the request and Vault's answer (never a token). */
  readonly error?: string;
}

export class RevokeLogError extends Error {}

/** Previous entries of a log; [] when the file does not exist yet. */
export function readLog(file: string): LogEntry[] {
  if (!existsSync(file)) return [];
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new RevokeLogError(
      `${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? "I/O error"})`,
    );
  }
  const out: LogEntry[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    let v: unknown;
    try {
      v = JSON.parse(lines[i]);
    } catch {
      throw new RevokeLogError(`${file}:${i + 1}: not a JSON line of a tokenwarden revocation log`);
    }
    const e = v as Partial<LogEntry>;
    if (
      typeof e.accessor !== "string" ||
      typeof e.result !== "string" ||
      typeof e.time !== "string"
    ) {
      throw new RevokeLogError(`${file}:${i + 1}: entry lacks accessor, result or time`);
    }
    out.push(e as LogEntry);
  }
  return out;
}

/** Accessors an earlier run revoked (or found gone), with the last such entry for each. */
export function alreadyDone(entries: readonly LogEntry[]): Map<string, LogEntry> {
  const done = new Map<string, LogEntry>();
  for (const e of entries) {
    if (e.result === "revoked" || e.result === "already-gone") done.set(e.accessor, e);
    else done.delete(e.accessor);
  }
  return done;
}

export interface Outcome {
  readonly target: RevokeTarget;
  readonly entry: LogEntry;
}

/** Revokes each target by accessor, appending one log line per action as it completes. */
export async function revokeTargets(
  client: VaultClient,
  targets: readonly RevokeTarget[],
  logFile: string,
  options: { concurrency: number; now: () => number },
): Promise<Outcome[]> {
  return mapConcurrent(targets, options.concurrency, async (target) => {
    let result: LogEntry["result"];
    let error: string | undefined;
    try {
      result =
        (await client.revokeAccessor(target.accessor)) === "revoked" ? "revoked" : "already-gone";
    } catch (err) {
      if (!(err instanceof VaultError)) throw err;
      result = "failed";
      error = err.message;
    }
    const entry: LogEntry = {
      time: new Date(options.now()).toISOString(),
      action: "revoke-accessor",
      result,
      accessor: target.accessor,
      reason: target.reason,
      why: target.why,
      ...(target.need !== undefined ? { need: target.need } : {}),
      ...(target.displayName ? { display_name: target.displayName } : {}),
      ...(error !== undefined ? { error } : {}),
    };
    appendFileSync(logFile, JSON.stringify(entry) + "\n");
    return { target, entry };
  });
}
