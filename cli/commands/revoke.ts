/**
 * `tokenwarden revoke --manifest m.yaml [--shadow] [--expired] [--lapsed] [--yes] [--log file]`:
 * revokes, by accessor, the tokens the flags select (see ops/lifecycle/revoke.ts) — never a
 * token issued for a declared need that is still valid. A dry run unless `--yes`. Every
 * revocation is appended to the log (default ./tokenwarden-revoke.log, JSON lines: time, result,
 * accessor, reason, need — never a token) as it happens; a re-run after a partial failure revokes
 * what is left and lists what earlier runs already did.
 * Exit 0: nothing (left) to revoke, or everything selected revoked; 1: a dry run that selected
 * tokens; 2: a usage or input error, the token list could not be read, or a revocation failed
 * (each named).
 */
import * as path from "node:path";
import type { Command } from "../io";
import { InputError, UsageError } from "../../errors";
import {
  alreadyDone,
  readLog,
  revokeTargets,
  RevokeLogError,
  selectTargets,
  type RevokeTarget,
} from "../../ops/lifecycle/revoke";
import { lifecycleArgs, lifecycleSession, reportUnread } from "../../ops/lifecycle/command-support";

export const DEFAULT_LOG = "tokenwarden-revoke.log";

export const run: Command = async (argv, io) => {
  const { args, format } = lifecycleArgs(argv, {
    formats: ["text", "json"],
    flags: {
      manifest: { value: true },
      shadow: {},
      expired: {},
      lapsed: {},
      yes: {},
      log: { value: true },
    },
    positional: { unexpectedHint: "" },
  });
  const sel = {
    shadow: args.has("shadow"),
    expired: args.has("expired"),
    lapsed: args.has("lapsed"),
  };
  if (!sel.shadow && !sel.expired && !sel.lapsed)
    throw new UsageError("say what to revoke: --shadow, --expired and/or --lapsed");
  const manifestFile = args.get("manifest");
  if (manifestFile === undefined)
    throw new UsageError(
      "--manifest is required: it is what tells a declared token from a shadow one",
    );
  const logFile = path.resolve(io.cwd, args.get("log") ?? DEFAULT_LOG);
  let previous: ReturnType<typeof alreadyDone> = new Map();
  const { now, concurrency, declared, progress, client, scan } = lifecycleSession(io, args, {
    manifest: manifestFile,
    concurrency: 8,
    // The log of earlier runs is read after the manifest and before Vault is addressed.
    beforeVault: () => {
      try {
        previous = alreadyDone(readLog(logFile));
      } catch (err) {
        if (err instanceof RevokeLogError) throw new InputError(err.message, logFile);
        throw err;
      }
    },
  });
  // Reading tokens may go wider than revoking them (--concurrency, default 8).
  const live = await scan({ skip: { kv: true }, concurrency: 16 });
  progress.clear();
  if (!live.tokens) {
    // Without the token list nothing can be selected safely.
    return reportUnread(io, "revoke", live.unread);
  }
  const targets = selectTargets(declared, live.tokens, now, sel);
  const liveAccessors = new Set(live.tokens.map((t) => t.accessor));
  const earlier = [...previous.values()].filter((e) => !liveAccessors.has(e.accessor));
  const out: string[] = [];
  const json: Record<string, unknown> = { dry_run: !args.has("yes"), log: logFile };
  if (earlier.length > 0) {
    out.push(`Already done by earlier runs (from ${logFile}): ${earlier.length}`);
    for (const e of earlier)
      out.push(`  ${e.result} ${e.accessor} at ${e.time} — ${e.reason}: ${e.why}`);
    out.push("");
  }
  json.already_done = earlier;
  const describe = (t: RevokeTarget) =>
    `${t.accessor} (${t.displayName || "no display name"}${t.need ? `, need ${t.need}` : ""}) — ${t.reason}: ${t.why}`;

  if (!args.has("yes")) {
    out.push(
      targets.length === 0
        ? "Nothing to revoke."
        : `Would revoke ${targets.length} token${targets.length === 1 ? "" : "s"} (dry run; --yes to revoke):`,
    );
    for (const t of targets) out.push(`  ${describe(t)}`);
    json.would_revoke = targets;
    io.out(format === "json" ? JSON.stringify(json, null, 2) + "\n" : out.join("\n") + "\n");
    if (live.unread.length > 0) return reportUnread(io, "revoke", live.unread);
    return targets.length > 0 ? 1 : 0;
  }

  const outcomes = await revokeTargets(client, targets, logFile, { concurrency, now: () => now });
  const failed = outcomes.filter((o) => o.entry.result === "failed");
  out.push(
    targets.length === 0
      ? "Nothing (left) to revoke."
      : `Revoked ${outcomes.length - failed.length} of ${targets.length} (log: ${logFile}):`,
  );
  for (const o of outcomes)
    out.push(
      `  ${o.entry.result} ${describe(o.target)}${o.entry.error ? ` — ${o.entry.error}` : ""}`,
    );
  json.outcomes = outcomes.map((o) => o.entry);
  io.out(format === "json" ? JSON.stringify(json, null, 2) + "\n" : out.join("\n") + "\n");
  if (failed.length > 0) {
    io.err(
      `tokenwarden revoke: ${failed.length} revocation${failed.length === 1 ? "" : "s"} failed; run the same command again to finish:\n`,
    );
    for (const o of failed) io.err(`  ${o.target.accessor}: ${o.entry.error}\n`);
    return 2;
  }
  if (live.unread.length > 0) return reportUnread(io, "revoke", live.unread);
  return 0;
};
