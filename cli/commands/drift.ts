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
import { render, type Report } from "../../report";
import { parsePolicyHcl } from "../../policies/input/hcl";
import { findDrift, policiesToParse, type ParsedLivePolicy } from "../../ops/lifecycle/drift";
import { lifecycleArgs, lifecycleSession, reportUnread } from "../../ops/lifecycle/command-support";

export const run: Command = async (argv, io) => {
  const { args, format } = lifecycleArgs(argv, {
    formats: ["text", "json", "sarif", "github"],
    positional: "manifest",
  });
  const { now, declared, progress, scan } = lifecycleSession(io, args, {
    manifest: args.positionals[0],
  });

  const live = await scan({
    // Declared policies are compared; other tw- policies are shadows, known by name alone.
    readPolicyText: (name) => declared.policies.has(name),
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
