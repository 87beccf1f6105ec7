/**
 * `tokenwarden procure <manifest> [--need n]… [--due-only] [--format text|json]
 *  [--concurrency n] [--timeout s] [--now RFC3339]`: fetches third-party tokens (OAuth 2.0 client
 * credentials, RFC 7523 JWT bearer) for exactly each need's scopes and stores each as the next
 * version of the need's KV v2 entry; retires replaced versions after their grace period (RFC 7009
 * revocation, KV destroy). Client credentials come from the Vault paths the manifest names.
 * Exit 0: done (warnings allowed); 1: a deny finding (excess scopes, a failure); 2: usage/input.
 */
import type { Command } from "../io";
import { formatFlag, parseArgs } from "../args";
import { UsageError } from "../../errors";
import {
  concurrencyFlag,
  manifestFrom,
  nowFlag,
  progressFor,
  vaultFromEnv,
} from "../../ops/lifecycle/command-support";
import { NeedSelectionError, runProcurement, type RunSummary } from "../../ops/procure/run";
import type { NeedOutcome } from "../../ops/procure/findings";
import { SecretSet } from "../../ops/procure/secrets";

export const run: Command = async (argv, io) => {
  const args = parseArgs(argv, {
    need: { value: true, repeat: true },
    "due-only": {},
    format: { value: true },
    concurrency: { value: true },
    timeout: { value: true },
    now: { value: true },
  });
  const format = formatFlag(args, ["text", "json"] as const, "text");
  if (args.positionals.length !== 1)
    throw new UsageError(
      args.positionals.length === 0 ? "give the manifest" : "procure takes one manifest",
    );
  const file = args.positionals[0];
  const concurrency = concurrencyFlag(args, 8);
  const timeoutS = args.get("timeout", "30")!;
  if (!/^\d+$/.test(timeoutS) || Number(timeoutS) < 1)
    throw new UsageError(`--timeout must be whole seconds (at least 1); got "${timeoutS}"`);
  const fixedNow = args.has("now") ? nowFlag(args) : undefined;
  const manifest = manifestFrom(io, file);
  const progress = progressFor(io);
  const vault = vaultFromEnv(io, progress.line);
  const secrets = new SecretSet();
  secrets.add(io.env.VAULT_TOKEN);

  // A scheduler cancelling the job (SIGINT, then SIGTERM) stops the run between needs: the needs
  // in flight finish, so no fetched token is dropped before it is stored.
  const stop = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    stop.abort(sig);
    io.err(`procure: ${sig}: finishing the needs in flight, starting no more\n`);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let summary: RunSummary;
  try {
    summary = await runProcurement({
      signal: stop.signal,
      manifest,
      vault,
      needs: args.all("need"),
      dueOnly: args.has("due-only"),
      concurrency,
      secrets,
      ...(fixedNow !== undefined ? { now: () => fixedNow } : {}),
      endpoint: {
        timeoutMs: Number(timeoutS) * 1000,
        onRetry: (line) => {
          if (io.interactive) progress.line(line);
          else if (format === "text") io.err(`procure: ${line}\n`);
        },
      },
      onNeedDone: (o, done, total) =>
        progress.line(`procure: ${done}/${total} ${o.need}: ${o.action}`),
    });
  } catch (e) {
    if (e instanceof NeedSelectionError) throw new UsageError(e.message);
    throw e;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  progress.clear();
  io.out(format === "json" ? renderJson(file, args.has("due-only"), summary) : renderText(summary));
  return summary.deny > 0 || summary.notStarted.length > 0 ? 1 : 0;
};

export function renderText(s: RunSummary): string {
  const lines: string[] = [];
  for (const o of s.outcomes) lines.push(...outcomeLines(o));
  const c = s.counts;
  lines.push(
    "",
    `${s.outcomes.length} need${s.outcomes.length === 1 ? "" : "s"}: ${c.procured} procured, ${c["not-due"]} not due, ` +
      `${c.rejected} rejected, ${c.failed} failed, ${c["hand-off-due"]} awaiting hand-off; ` +
      `${s.deny} deny, ${s.warn} warn; ${s.providerRequests} provider request${s.providerRequests === 1 ? "" : "s"}`,
  );
  if (s.notStarted.length > 0)
    lines.push(`stopped: ${s.notStarted.length} not started (${s.notStarted.join(", ")})`);
  return lines.join("\n") + "\n";
}

export function outcomeLines(o: NeedOutcome): string[] {
  const lines: string[] = [];
  const facts: string[] = [];
  if (o.scopesGranted) facts.push(`scopes ${o.scopesGranted.join(" ") || "(none)"}`);
  if (o.expires) facts.push(`expires ${o.expires}`);
  if (o.rotateAfter) facts.push(`rotate after ${o.rotateAfter}`);
  const head: Record<NeedOutcome["action"], string> = {
    procured: `procured version ${o.version}`,
    stored: `stored version ${o.version}`,
    "not-due": o.version === undefined ? "not due" : `not due (version ${o.version})`,
    rejected: "rejected: nothing stored",
    failed: "FAILED",
    "hand-off-due": "hand-off due",
  };
  const showFacts = o.action !== "rejected" && o.action !== "failed" && facts.length > 0;
  lines.push(
    `${o.need} (${o.provider}, ${o.path}): ${head[o.action]}${showFacts ? ` — ${facts.join("; ")}` : ""}`,
  );
  for (const p of o.pending)
    lines.push(
      `  version ${p.version} stays readable until ${p.retireAfter}, then is revoked and destroyed`,
    );
  for (const r of o.retired) {
    const how =
      r.revocation === "revoked"
        ? "revoked and destroyed"
        : r.revocation === "not-revocable"
          ? "destroyed (not revocable here)"
          : r.revocation === "no-token"
            ? "destroyed (held no token)"
            : "revocation failed; kept";
    lines.push(`  version ${r.version}: ${how}${r.early ? " (before its grace ended)" : ""}`);
  }
  for (const r of o.repaired) lines.push(`  repaired: ${r}`);
  for (const f of o.findings) lines.push(`  ${f.ruleId} ${f.severity}: ${f.message}`);
  return lines;
}

function renderJson(file: string, dueOnly: boolean, s: RunSummary): string {
  return (
    JSON.stringify(
      {
        manifest: file,
        due_only: dueOnly,
        needs: s.outcomes.map(jsonOutcome),
        summary: {
          ...s.counts,
          deny: s.deny,
          warn: s.warn,
          provider_requests: s.providerRequests,
          not_started: s.notStarted,
        },
      },
      null,
      2,
    ) + "\n"
  );
}

export function jsonOutcome(o: NeedOutcome): Record<string, unknown> {
  return {
    need: o.need,
    provider: o.provider,
    provider_kind: o.providerKind,
    path: o.path,
    action: o.action,
    version: o.version ?? null,
    issued: o.issued ?? null,
    expires: o.expires ?? null,
    rotate_after: o.rotateAfter ?? null,
    scopes_granted: o.scopesGranted ?? null,
    pending: o.pending.map((p) => ({ version: p.version, retire_after: p.retireAfter })),
    retired: o.retired,
    repaired: o.repaired,
    findings: o.findings.map((f) => ({ rule: f.ruleId, severity: f.severity, message: f.message })),
    provider_requests: o.providerRequests,
  };
}
