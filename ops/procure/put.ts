/**
 * A person's hand-off of a static token (`tokenwarden put`): stored exactly as a procured one —
 * the next KV version with check-and-set, its record next to it, the replaced version kept for
 * the grace period and destroyed by a later run. Static providers have no revocation endpoint,
 * so a replaced token is reported (TW044) for revoking by hand.
 */
import type { VaultClient } from "../../vault/client";
import type { Manifest } from "../../model";
import { entryFor, storeVersion, type ProcureContext } from "./procure";
import { newOutcome, PROCURE_RULES, type NeedOutcome } from "./findings";
import { NeedSelectionError } from "./run";
import { SecretSet } from "./secrets";

export interface PutOptions {
  readonly manifest: Manifest;
  readonly vault: VaultClient;
  readonly need: string;
  /** The token as read from stdin. */
  readonly token: string;
  /** When the provider says the token expires (ms since epoch), if known. */
  readonly expires?: number;
  readonly now?: () => number;
  readonly secrets?: SecretSet;
}

export async function putStaticToken(o: PutOptions): Promise<NeedOutcome> {
  const need = o.manifest.needs.find((n) => n.name === o.need);
  if (!need) throw new NeedSelectionError(`no need named ${o.need} in ${o.manifest.source.file}`);
  const provider = o.manifest.providers.find((p) => p.name === need.provider);
  if (!provider || provider.kind !== "static") {
    throw new NeedSelectionError(
      `need ${o.need} uses provider ${need.provider} (kind ${provider?.kind ?? "unknown"}); put stores hand-offs of static tokens — use \`tokenwarden procure\` for providers it can fetch from`,
    );
  }
  const secrets = o.secrets ?? new SecretSet();
  secrets.add(o.token);
  const ctx: ProcureContext = {
    manifest: o.manifest,
    vault: o.vault,
    secrets,
    now: o.now ?? Date.now,
    endpoint: {},
    credentials: new Map(),
  };
  const entry = entryFor(ctx, need);
  const out = newOutcome(need.name, provider.name, provider.kind, entry.dataPath);
  try {
    const state = await entry.state(ctx.now());
    const issued = ctx.now();
    await storeVersion(ctx, entry, state, need, provider, out, {
      token: o.token,
      tokenType: "bearer",
      record: {
        issued,
        ...(o.expires !== undefined ? { expires: o.expires } : {}),
        scopesGranted: need.scopes,
      },
      procuredBy: "tokenwarden put",
      discard: async (why) => `${why}; hand the token off again`,
    });
    if (out.action !== "failed") out.action = "stored";
  } catch (e) {
    out.action = "failed";
    out.findings.push({
      ruleId: PROCURE_RULES.failed,
      severity: "deny",
      message: `${need.name}: ${secrets.redact(e instanceof Error ? e.message : String(e))}; the current token is untouched`,
    });
  }
  return out;
}
