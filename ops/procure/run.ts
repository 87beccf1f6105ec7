/**
 * A procurement run over a manifest's third-party needs: which needs, how many at once, and the
 * run's summary. Needs are independent (one KV entry each), so they run on a bounded pool; each
 * need's own steps stay in order.
 */
import type { VaultClient } from "../../vault/client";
import type { Manifest, Need, Provider } from "../../model";
import { procureNeed, type ProcureContext } from "./procure";
import type { NeedOutcome } from "./findings";
import type { EndpointOptions } from "./token-endpoint";
import { SecretSet } from "./secrets";

export interface RunOptions {
  readonly manifest: Manifest;
  readonly vault: VaultClient;
  /** Need names to procure; empty: every oauth2/jwt-bearer/static need. */
  readonly needs?: readonly string[];
  readonly dueOnly?: boolean;
  /** Needs in flight at once (default 8). */
  readonly concurrency?: number;
  readonly endpoint?: EndpointOptions;
  readonly now?: () => number;
  readonly secrets?: SecretSet;
  /**
   * Stops the run between needs: needs in flight finish their steps (so no token is left between
   * the token endpoint and Vault), no new one starts.
   */
  readonly signal?: AbortSignal;
  /** Called as each need finishes (done counts from 1). */
  readonly onNeedDone?: (outcome: NeedOutcome, done: number, total: number) => void;
}

export interface RunSummary {
  readonly outcomes: NeedOutcome[];
  readonly counts: Readonly<Record<NeedOutcome["action"], number>>;
  readonly deny: number;
  readonly warn: number;
  readonly providerRequests: number;
  /** Needs not started because the run was stopped (signal). */
  readonly notStarted: readonly string[];
}

/** A --need that names nothing procure can act on. */
export class NeedSelectionError extends Error {
  override name = "NeedSelectionError";
}

export function selectNeeds(
  manifest: Manifest,
  names: readonly string[] = [],
): { need: Need; provider: Provider }[] {
  const providers = new Map(manifest.providers.map((p) => [p.name, p]));
  const byName = new Map(manifest.needs.map((n) => [n.name, n]));
  const pick = (n: Need) => ({ need: n, provider: providers.get(n.provider) as Provider });
  if (names.length === 0) {
    return manifest.needs.map(pick).filter((x) => x.provider.kind !== "vault-token");
  }
  return [...new Set(names)].map((name) => {
    const need = byName.get(name);
    if (!need)
      throw new NeedSelectionError(`--need ${name}: no such need in ${manifest.source.file}`);
    const x = pick(need);
    if (x.provider.kind === "vault-token")
      throw new NeedSelectionError(
        `--need ${name}: provider ${x.provider.name} issues Vault tokens, which \`pulumi up\` provisions; procure fetches third-party tokens`,
      );
    return x;
  });
}

export async function runProcurement(o: RunOptions): Promise<RunSummary> {
  const selected = selectNeeds(o.manifest, o.needs);
  const ctx: ProcureContext = {
    manifest: o.manifest,
    vault: o.vault,
    secrets: o.secrets ?? new SecretSet(),
    now: o.now ?? Date.now,
    endpoint: o.endpoint ?? {},
    credentials: new Map(),
  };
  const outcomes: (NeedOutcome | undefined)[] = new Array(selected.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < selected.length && !o.signal?.aborted) {
      const i = next++;
      const { need, provider } = selected[i];
      outcomes[i] = await procureNeed(ctx, need, provider, o.dueOnly ?? false);
      o.onNeedDone?.(outcomes[i]!, ++done, selected.length);
    }
  };
  const width = Math.max(1, Math.min(o.concurrency ?? 8, selected.length));
  await Promise.all(Array.from({ length: width }, worker));
  const notStarted = selected.filter((_, i) => !outcomes[i]).map((x) => x.need.name);
  return summarise(
    outcomes.filter((x): x is NeedOutcome => x !== undefined),
    notStarted,
  );
}

export function summarise(outcomes: NeedOutcome[], notStarted: readonly string[] = []): RunSummary {
  const counts: Record<NeedOutcome["action"], number> = {
    procured: 0,
    stored: 0,
    "not-due": 0,
    rejected: 0,
    failed: 0,
    "hand-off-due": 0,
  };
  let deny = 0;
  let warn = 0;
  let providerRequests = 0;
  for (const o of outcomes) {
    counts[o.action]++;
    providerRequests += o.providerRequests;
    for (const f of o.findings) {
      if (f.severity === "deny") deny++;
      else warn++;
    }
  }
  return { outcomes, counts, deny, warn, providerRequests, notStarted };
}
