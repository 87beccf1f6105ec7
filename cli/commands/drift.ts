/**
 * `tokenwarden drift <manifest> [--format text|json|sarif|github] [--concurrency N] [--now T]`:
 * the manifest's grant plan against the live Vault — shadow tokens, policies whose parsed rules
 * differ, roles whose policies or TTLs differ, declared tokens gone or expired, KV entries missing
 * or overdue for rotation, needs past their review date (rules TW050–TW066). Read-only. Exit 0
 * when nothing drifted, 1 on drift, 2 on a usage or input error — or when any part of Vault could
 * not be read: the findings seen are still printed, and what was not seen is named (stderr, and
 * notes in every format), never reported as clean.
 */
import type { Command } from "../io";
import { formatFlag, parseArgs } from "../args";
import { UsageError } from "../../errors";
import { render, type Report } from "../../report";
import { parsePolicyHcl } from "../../policies/input/hcl";
import { declare } from "../../ops/lifecycle/declared";
import { findDrift, policiesToParse, type ParsedLivePolicy } from "../../ops/lifecycle/drift";
import { scanVault } from "../../ops/lifecycle/scan";
import {
  concurrencyFlag,
  manifestFrom,
  nowFlag,
  progressFor,
  reportUnread,
  vaultFromEnv,
} from "../../ops/lifecycle/command-support";

const FORMATS = ["text", "json", "sarif", "github"] as const;

export const run: Command = async (argv, io) => {
  const args = parseArgs(argv, {
    format: { value: true },
    concurrency: { value: true },
    now: { value: true },
  });
  const format = formatFlag(args, FORMATS, "text");
  if (args.positionals.length !== 1) {
    throw new UsageError(
      args.positionals.length === 0
        ? "give the manifest to compare Vault with"
        : "drift takes one manifest",
    );
  }
  const file = args.positionals[0];
  const now = nowFlag(args);
  const concurrency = concurrencyFlag(args);
  const declared = declare(manifestFrom(io, file));
  const progress = progressFor(io);
  const client = vaultFromEnv(io, progress.line);

  const live = await scanVault(client, {
    kvMount: declared.kvMount,
    authMounts: declared.authMounts,
    concurrency,
    // Declared policies are compared; other tw- policies are shadows, known by name alone.
    readPolicyText: (name) => declared.policies.has(name),
    now: () => now,
    progress: progress.line,
  });
  progress.line("comparing…");
  const parsed = new Map<string, ParsedLivePolicy>();
  for (const p of policiesToParse(declared, live))
    parsed.set(p.name, await parsePolicyHcl(p.name, p.hcl));
  const results = findDrift({ declared, live, parsed, now });
  progress.clear();

  const report: Report = {
    tool: { name: "tokenwarden", version: "0.1.0" },
    inputs: [{ file: declared.manifest.source.file, kind: "manifest" }],
    results,
    waived: [],
    notes: [
      `compared with Vault at ${live.address} as of ${new Date(now).toISOString()}`,
      ...live.unread.map((u) => `NOT READ — ${u.what}: ${u.request} → ${u.why}`),
    ],
  };
  io.out(render(report, format));
  if (live.unread.length > 0) return reportUnread(io, "drift", live.unread);
  return results.length > 0 ? 1 : 0;
};
