/**
 * Procurement of one need's token, with overlapping rotation, in an order that survives a crash
 * at any step (a re-run finishes the job):
 *
 * 1. Read the entry. If the custom metadata does not describe the current version (a crash after
 *    the data write, or a `pulumi up` rewrote it), rebuild it from the version's own data.
 * 2. Retire replaced versions whose grace has passed: revoke at the provider (RFC 7009) where it
 *    can, then destroy in KV. Revocation first: a crash in between leaves the token stored, and
 *    the next run revokes it again (RFC 7009 answers 200 for an already revoked token) and
 *    destroys it. A failed revocation keeps the version for the next run.
 * 3. If due (or not --due-only): request a token for exactly the need's scopes. A failure leaves
 *    the current token untouched. Scopes beyond the need: revoke it, store nothing (TW040).
 * 4. Versions older than the current one would be dropped by the entry's max_versions when the
 *    next is written, and with them the only copy of a token still to be revoked: retire them now
 *    (TW046). If that fails, the new token is revoked instead and nothing is written.
 * 5. Write the new version with check-and-set on the version read in 1: a concurrent writer makes
 *    it fail; the new token is then revoked (unless the answer was lost and the stored version is
 *    ours). A failed write revokes the new token too: it is stored nowhere.
 * 6. Update the custom metadata (a failure here is repaired by step 1 of the next run).
 *
 * The one window no order can close: a crash between the token endpoint's answer and the KV write
 * (step 3 → 5) leaves a token nobody holds; it lives until its own expiry.
 */
import type { VaultClient } from "../../vault/client";
import type { Manifest, Need, Provider } from "../../model";
import { kvEntryName } from "../../model";
import { readCredentials, type FetchedProvider, type ProviderCredentials } from "./credentials";
import { CasMismatch, KvEntry, type EntryState, type VersionInfo } from "./kv-entry";
import {
  DATA_TOKEN,
  DEFAULT_GRACE_S,
  iso,
  mergedMetadata,
  recordFromMetadata,
  recordOf,
  rotateAfter,
  versionData,
  type VersionRecord,
} from "./schedule";
import { newOutcome, PROCURE_RULES, type NeedOutcome } from "./findings";
import { requestToken, revokeToken, type EndpointOptions } from "./token-endpoint";
import type { SecretSet } from "./secrets";

export interface ProcureContext {
  readonly manifest: Manifest;
  readonly vault: VaultClient;
  readonly secrets: SecretSet;
  /** ms since epoch. */
  readonly now: () => number;
  readonly endpoint: EndpointOptions;
  /** Credentials are read once per provider per run. */
  readonly credentials: Map<string, Promise<ProviderCredentials>>;
}

export function isFetched(p: Provider): p is FetchedProvider {
  return p.kind === "oauth2-client-credentials" || p.kind === "jwt-bearer";
}

export function entryFor(ctx: ProcureContext, need: Need): KvEntry {
  return new KvEntry(ctx.vault, ctx.manifest.vault.kvMount, kvEntryName(need.provider, need.name));
}

function graceOf(p: Provider): number {
  return (p.kind === "vault-token" ? undefined : p.grace) ?? DEFAULT_GRACE_S;
}

function credentialsOf(ctx: ProcureContext, p: FetchedProvider): Promise<ProviderCredentials> {
  let c = ctx.credentials.get(p.name);
  if (!c) {
    c = readCredentials(ctx.vault, p, ctx.secrets);
    // A failed read is retried by the next need of the same provider, not cached as a failure.
    c.catch(() => ctx.credentials.delete(p.name));
    ctx.credentials.set(p.name, c);
  }
  return c;
}

const msg = (ctx: ProcureContext, e: unknown) =>
  ctx.secrets.redact(e instanceof Error ? e.message : String(e));

/** Procures (or, for static providers, checks) one need. Never throws: failures are outcomes. */
export async function procureNeed(
  ctx: ProcureContext,
  need: Need,
  provider: Provider,
  dueOnly: boolean,
): Promise<NeedOutcome> {
  const entry = entryFor(ctx, need);
  const out = newOutcome(need.name, provider.name, provider.kind, entry.dataPath);
  try {
    const state = await entry.state(ctx.now());
    const current = await repairMetadata(ctx, entry, state, need, out);
    // A replaced token that could not be revoked blocks the next write, which could drop it.
    if (!(await retireReplaced(ctx, entry, state, provider, out))) return out;

    const rec = current?.record;
    const due = rec ? rotateAfter(rec, need.rotation) : undefined;
    if (rec) describe(out, current.version, rec, due);
    const isDue = !rec || (due !== undefined && ctx.now() >= due);
    // A static token cannot be fetched early: without --due-only it is still only reported when due.
    if (!isDue && (dueOnly || !isFetched(provider))) {
      out.action = "not-due";
      return out;
    }
    if (!isFetched(provider)) {
      out.action = "hand-off-due";
      out.findings.push({
        ruleId: PROCURE_RULES.handOffDue,
        severity: "warn",
        message: rec
          ? `static token of ${need.name} was due for rotation at ${out.rotateAfter}: hand off a new one with \`tokenwarden put\``
          : `no token stored for ${need.name}: hand one off with \`tokenwarden put\``,
      });
      return out;
    }
    await procureNew(ctx, entry, state, need, provider, out);
  } catch (e) {
    fail(out, `${need.name}: ${msg(ctx, e)}; the current token is untouched`);
  }
  return out;
}

/**
 * After a failed write: the version holding `token` if it was stored after all, `{ current }` when
 * it was not (another version or none is current), "unknown" when Vault cannot be read.
 */
async function landedVersion(
  entry: KvEntry,
  cas: number,
  token: string,
  now: number,
): Promise<number | { current: number; oursAt?: number } | "unknown"> {
  try {
    const state = await entry.state(now);
    const current = state?.currentVersion ?? 0;
    if (current <= cas) return { current };
    // Only the version right after the one we read could be ours.
    const data = await entry.read(cas + 1);
    if (data?.[DATA_TOKEN] !== token) return { current };
    return current === cas + 1 ? cas + 1 : { current, oursAt: cas + 1 };
  } catch {
    return "unknown";
  }
}

function fail(out: NeedOutcome, message: string): void {
  out.action = "failed";
  out.findings.push({ ruleId: PROCURE_RULES.failed, severity: "deny", message });
}

function describe(out: NeedOutcome, version: number, rec: VersionRecord, due: number | undefined) {
  out.version = version;
  out.issued = iso(rec.issued);
  if (rec.expires !== undefined) out.expires = iso(rec.expires);
  if (due !== undefined) out.rotateAfter = iso(due);
  if (rec.scopesGranted !== undefined) out.scopesGranted = rec.scopesGranted;
}

interface CurrentVersion {
  readonly version: number;
  readonly record: VersionRecord;
}

/** The current version's record; rewrites the custom metadata when it is stale. */
async function repairMetadata(
  ctx: ProcureContext,
  entry: KvEntry,
  state: EntryState | undefined,
  need: Need,
  out: NeedOutcome,
): Promise<CurrentVersion | undefined> {
  if (!state || state.currentVersion === 0) return undefined;
  const info = state.versions.find((v) => v.version === state.currentVersion);
  if (!info || info.deleted || info.destroyed) return undefined;
  const fromMd = recordFromMetadata(state.customMetadata, state.currentVersion);
  if (fromMd) return { version: state.currentVersion, record: fromMd };
  const data = await entry.read(state.currentVersion);
  if (!data || typeof data[DATA_TOKEN] !== "string") return undefined;
  ctx.secrets.add(data[DATA_TOKEN]);
  const record = recordOf(data, info.created);
  // A version without its own record was written by someone else (the stack's initial value).
  const procuredBy =
    typeof data.procured_by === "string"
      ? data.procured_by
      : "initial value (no procurement record)";
  await entry.writeCustomMetadata(
    mergedMetadata(state.customMetadata, need, state.currentVersion, record, procuredBy),
  );
  out.repaired.push(`custom metadata rewritten for version ${state.currentVersion}`);
  return { version: state.currentVersion, record };
}

/**
 * Revokes and destroys replaced versions whose grace has passed; lists the others as pending.
 * Returns false when one could not be revoked (it is kept for the next run).
 */
async function retireReplaced(
  ctx: ProcureContext,
  entry: KvEntry,
  state: EntryState | undefined,
  provider: Provider,
  out: NeedOutcome,
): Promise<boolean> {
  if (!state) return true;
  const grace = graceOf(provider) * 1000;
  const now = ctx.now();
  const live = state.versions.filter((v) => v.version < state.currentVersion && !v.destroyed);
  let allDone = true;
  for (const v of live) {
    const successor = state.versions.find((s) => s.version > v.version);
    const retireAt = (successor?.created ?? now) + grace;
    if (now < retireAt) {
      out.pending.push({ version: v.version, retireAfter: iso(retireAt) });
      continue;
    }
    if (!(await retireOne(ctx, entry, v, provider, out, false))) allDone = false;
  }
  return allDone;
}

async function retireOne(
  ctx: ProcureContext,
  entry: KvEntry,
  v: VersionInfo,
  provider: Provider,
  out: NeedOutcome,
  early: boolean,
): Promise<boolean> {
  const data = v.deleted ? undefined : await entry.read(v.version);
  const token = typeof data?.[DATA_TOKEN] === "string" ? data[DATA_TOKEN] : undefined;
  ctx.secrets.add(token);
  if (data !== undefined && token === undefined) {
    // A version that never held a token (the stack's empty placeholder): nothing to revoke.
    await entry.destroy([v.version]);
    out.retired.push({ version: v.version, revocation: "no-token", destroyed: true, early: false });
    return true;
  }
  let revocation: "revoked" | "not-revocable" = "not-revocable";
  if (token !== undefined && isFetched(provider) && provider.revocationUrl !== undefined) {
    try {
      const creds = await credentialsOf(ctx, provider);
      out.providerRequests += await revokeToken(provider, creds, token, ctx.secrets, ctx.endpoint);
      revocation = "revoked";
    } catch (e) {
      out.retired.push({
        version: v.version,
        revocation: "revoke-failed",
        destroyed: false,
        early,
      });
      fail(
        out,
        `${out.need}: version ${v.version} could not be revoked at ${provider.name} (${msg(ctx, e)}); it stays stored and the next run retries`,
      );
      return false;
    }
  }
  await entry.destroy([v.version]);
  out.retired.push({ version: v.version, revocation, destroyed: true, early });
  if (revocation === "not-revocable") {
    const why =
      token === undefined
        ? "its data was already deleted in Vault"
        : `${provider.name} has no revocationUrl`;
    out.findings.push({
      ruleId: PROCURE_RULES.notRevocable,
      severity: "warn",
      message: `${out.need}: replaced version ${v.version} was destroyed in Vault but not revoked (${why}): revoke it at ${provider.name} by hand`,
    });
  }
  if (early) {
    out.findings.push({
      ruleId: PROCURE_RULES.graceCutShort,
      severity: "warn",
      message: `${out.need}: version ${v.version} was retired before its grace period ended, so the new token's write would not drop it unrevoked (keep the grace shorter than the rotation)`,
    });
  }
  return true;
}

async function procureNew(
  ctx: ProcureContext,
  entry: KvEntry,
  state: EntryState | undefined,
  need: Need,
  provider: FetchedProvider,
  out: NeedOutcome,
): Promise<void> {
  let creds: ProviderCredentials;
  try {
    creds = await credentialsOf(ctx, provider);
  } catch (e) {
    fail(out, `${need.name}: ${msg(ctx, e)}; the current token is untouched`);
    return;
  }
  const asked = need.scopes;
  let token;
  try {
    token = await requestToken(provider, creds, asked, ctx.secrets, ctx.endpoint);
    out.providerRequests += token.attempts;
  } catch (e) {
    out.providerRequests += (e as { attempts?: number }).attempts ?? 1;
    fail(out, `${need.name}: token request failed: ${msg(ctx, e)}; the current token is untouched`);
    return;
  }
  const issued = ctx.now();
  const discard = async (why: string): Promise<string> => {
    if (provider.revocationUrl === undefined)
      return `${why}; ${provider.name} has no revocationUrl, so the token was not revoked and expires on its own`;
    try {
      out.providerRequests += await revokeToken(
        provider,
        creds,
        token.value,
        ctx.secrets,
        ctx.endpoint,
      );
      return `${why}; the token was revoked at ${provider.name}`;
    } catch (e) {
      return `${why}; revoking it at ${provider.name} failed too (${msg(ctx, e)}): it expires on its own`;
    }
  };

  const askedSet = new Set(asked);
  const excess = token.scopes.filter((s) => !askedSet.has(s));
  if (excess.length > 0) {
    out.action = "rejected";
    const message = await discard(
      `${need.name}: ${provider.name} granted scopes beyond the need (${excess.join(", ")}; asked ${asked.join(", ") || "none"}); stored nowhere`,
    );
    out.findings.push({ ruleId: PROCURE_RULES.excessScopes, severity: "deny", message });
    return;
  }
  const grantedSet = new Set(token.scopes);
  const missing = asked.filter((s) => !grantedSet.has(s));
  if (missing.length > 0) {
    out.findings.push({
      ruleId: PROCURE_RULES.missingScopes,
      severity: "warn",
      message: `${need.name}: ${provider.name} granted fewer scopes than asked (missing ${missing.join(", ")}); stored, but ${need.consumer} may fail`,
    });
  }
  if (token.expiresIn === undefined) {
    out.findings.push({
      ruleId: PROCURE_RULES.noExpiry,
      severity: "warn",
      message: `${need.name}: ${provider.name} did not say when the token expires (no expires_in); it is rotated by the rotation period only`,
    });
  }
  const rec: VersionRecord = {
    issued,
    ...(token.expiresIn !== undefined ? { expires: issued + token.expiresIn * 1000 } : {}),
    scopesGranted: token.scopes,
  };
  await storeVersion(ctx, entry, state, need, provider, out, {
    token: token.value,
    tokenType: token.tokenType,
    record: rec,
    procuredBy: "tokenwarden procure",
    discard,
  });
  if (out.action !== "failed") out.action = "procured";
}

export interface NewVersion {
  readonly token: string;
  readonly tokenType: string;
  readonly record: VersionRecord;
  readonly procuredBy: string;
  /** Gets rid of a token that will not be stored; returns the sentence saying what happened. */
  readonly discard: (why: string) => Promise<string>;
}

/** Steps 4–6: make room, write with check-and-set, update the metadata. */
export async function storeVersion(
  ctx: ProcureContext,
  entry: KvEntry,
  state: EntryState | undefined,
  need: Need,
  provider: Provider,
  out: NeedOutcome,
  v: NewVersion,
): Promise<void> {
  const untouched = "; the current token is untouched";
  // Versions older than the one being replaced would be dropped by max_versions with this write,
  // unrevoked: retire them now (they were left pending above, their grace not yet over).
  const cas = state?.currentVersion ?? 0;
  const done = new Set(out.retired.filter((r) => r.destroyed).map((r) => r.version));
  const crowded = (state?.versions ?? []).filter(
    (x) => x.version < cas && !x.destroyed && !done.has(x.version),
  );
  let roomMade = true;
  for (const x of crowded) {
    try {
      const successor = state?.versions.find((s) => s.version > x.version);
      const graceOver = (successor?.created ?? 0) + graceOf(provider) * 1000 <= ctx.now();
      if (!(await retireOne(ctx, entry, x, provider, out, !graceOver))) roomMade = false;
    } catch (e) {
      roomMade = false;
      out.findings.push({ ruleId: PROCURE_RULES.failed, severity: "deny", message: msg(ctx, e) });
    }
    const i = out.pending.findIndex((p) => p.version === x.version);
    if (i >= 0 && roomMade) out.pending.splice(i, 1);
  }
  if (!roomMade) {
    fail(
      out,
      await v.discard(
        `${need.name}: older versions could not be retired, so the new token was not stored${untouched}`,
      ),
    );
    return;
  }

  const data = versionData(v.token, v.tokenType, v.record, v.procuredBy);
  let version: number;
  try {
    version = await entry.write(data, cas);
  } catch (e) {
    // The write may have landed with its answer lost (a timeout, a dropped connection, retried
    // into a check-and-set refusal): look before deciding the token is stored nowhere.
    const landed = await landedVersion(entry, cas, v.token, ctx.now());
    if (typeof landed === "number") {
      version = landed;
      out.repaired.push(`version ${version} was stored though Vault's answer was lost`);
    } else if (landed === "unknown") {
      // Revoking a token that may be the stored current one would break its consumers; one that
      // may be stored nowhere lives until its expiry. The second harms less, and the next run
      // sees which it was.
      fail(
        out,
        `${need.name}: storing the new token failed (${msg(ctx, e)}) and Vault could not be read back to tell whether it was stored, so it was not revoked; the next run finds out`,
      );
      return;
    } else if (landed.oursAt !== undefined) {
      // Stored, then superseded by another writer: a replaced version, retired by a later run.
      fail(
        out,
        `${need.name}: the new token was stored as version ${landed.oursAt}, but another writer stored version ${landed.current} after it; version ${landed.oursAt} is retired after the grace period like any replaced one`,
      );
      return;
    } else if (e instanceof CasMismatch) {
      fail(
        out,
        await v.discard(
          `${need.name}: another writer stored version ${landed.current} of ${entry.dataPath} while this run was procuring (check-and-set on version ${cas} refused); the new token was not stored`,
        ),
      );
      return;
    } else {
      fail(
        out,
        await v.discard(`${need.name}: storing the new token failed (${msg(ctx, e)})${untouched}`),
      );
      return;
    }
  }
  const due = rotateAfter(v.record, need.rotation);
  describe(out, version, v.record, due);
  if (cas > 0 && state?.versions.some((x) => x.version === cas && !x.destroyed && !x.deleted)) {
    out.pending.push({
      version: cas,
      retireAfter: iso(v.record.issued + graceOf(provider) * 1000),
    });
  }
  try {
    const md = (await entry.state(ctx.now()))?.customMetadata ?? state?.customMetadata ?? {};
    await entry.writeCustomMetadata(mergedMetadata(md, need, version, v.record, v.procuredBy));
  } catch (e) {
    out.repaired.push(
      `custom metadata not updated (${msg(ctx, e)}); the next run rewrites it from version ${version}`,
    );
  }
}
