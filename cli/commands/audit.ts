/**
 * `tokenwarden audit <log>… --manifest m.yaml [--since 30d] [--format text|json|html] [--out f]`:
 * reads Vault file-audit logs (plain or gzipped, several devices, rotated files) as streams and
 * reports what each need really used, grants nobody used, narrower policies and anomalies.
 * Exit 0 clean, 1 when there are anomalies or unused grants, 2 for bad usage or input.
 */
import { renameSync, statSync, writeFileSync, unlinkSync } from "node:fs";
import * as path from "node:path";
import type { Command } from "../io";
import { formatFlag, parseArgs } from "../args";
import { InputError, UsageError } from "../../errors";
import {
  DURATION_HINT,
  DurationSyntaxError,
  ManifestError,
  formatIssue,
  loadManifest,
  parseDuration,
  type Manifest,
} from "../../model";
import { VaultClient, VaultConfigError } from "../../vault";
import { reviewAuditLogs } from "../../ops/audit/review";
import { renderAuditText } from "../../ops/audit/render-text";
import { renderAuditHtml } from "../../ops/audit/render-html";

export const run: Command = async (argv, io) => {
  const args = parseArgs(argv, {
    manifest: { value: true },
    since: { value: true },
    now: { value: true },
    format: { value: true },
    out: { value: true },
    device: { value: true, repeat: true },
    grace: { value: true },
    "no-vault": {},
  });
  const format = formatFlag(args, ["text", "json", "html"] as const, "text");
  if (args.positionals.length === 0) throw new UsageError("give at least one audit log file");
  const manifestFile = args.get("manifest");
  if (manifestFile === undefined)
    throw new UsageError("--manifest <access-needs.yaml> is required");
  const sinceS = durationFlag(args.get("since", "30d") as string, "--since");
  const graceS = durationFlag(args.get("grace", "24h") as string, "--grace");
  const nowText = args.get("now");
  const untilMs = nowText === undefined ? Date.now() : Date.parse(nowText);
  if (!Number.isFinite(untilMs))
    throw new UsageError(`--now must be an RFC 3339 time; got "${nowText}"`);

  // Paths stay as typed when they mean the same from here, so reports show what the user wrote.
  const resolveFile = (f: string) =>
    path.isAbsolute(f) || path.resolve(f) === path.resolve(io.cwd, f) ? f : path.resolve(io.cwd, f);
  const files = args.positionals.map((f) => {
    const abs = resolveFile(f);
    let st;
    try {
      st = statSync(path.resolve(io.cwd, f));
    } catch {
      throw new InputError(`${f}: no such file`, f);
    }
    if (!st.isFile()) throw new InputError(`${f}: not a file`, f);
    return abs;
  });
  const deviceByFile = new Map<string, string>();
  for (const spec of args.all("device")) {
    const eq = spec.indexOf("=");
    if (eq <= 0 || eq === spec.length - 1)
      throw new UsageError(`--device takes <vault-audit-path>=<log file>; got "${spec}"`);
    const abs = resolveFile(spec.slice(eq + 1));
    if (!files.includes(abs))
      throw new UsageError(
        `--device ${spec}: ${spec.slice(eq + 1)} is not one of the log files given`,
      );
    deviceByFile.set(abs, spec.slice(0, eq).replace(/\/+$/, ""));
  }

  let manifest: Manifest;
  try {
    manifest = loadManifest(resolveFile(manifestFile));
  } catch (err) {
    if (err instanceof ManifestError) {
      for (const issue of err.issues.slice(1)) io.err(formatIssue(issue) + "\n");
      throw new InputError(
        formatIssue(err.issues[0]) +
          (err.issues.length > 1 ? ` (and ${err.issues.length - 1} more issues above)` : ""),
      );
    }
    throw err;
  }

  let vault: VaultClient | undefined;
  let noVaultReason: string | undefined;
  if (args.has("no-vault")) noVaultReason = "--no-vault";
  else if (!io.env.VAULT_ADDR) noVaultReason = "VAULT_ADDR is not set";
  else {
    try {
      vault = VaultClient.fromEnv(io.env, {
        retries: 2,
        log: (line) => {
          if (io.interactive) io.err(line + "\n");
        },
      });
    } catch (err) {
      if (err instanceof VaultConfigError) throw new UsageError(err.message);
      throw err;
    }
  }

  const report = await reviewAuditLogs({
    files,
    manifest,
    sinceMs: untilMs - sinceS * 1000,
    untilMs,
    deviceOf: (f) => deviceByFile.get(f),
    vault,
    noVaultReason,
    rotationGraceMs: graceS * 1000,
    onProgress: io.interactive
      ? (n) => io.err(`\rread ${n.toLocaleString("en")} lines…`)
      : undefined,
  });
  if (io.interactive) io.err("\r\x1b[K");

  const text =
    format === "json"
      ? JSON.stringify(report, null, 2) + "\n"
      : format === "html"
        ? renderAuditHtml(report)
        : renderAuditText(report);
  const outFile = args.get("out");
  if (outFile !== undefined) {
    const abs = resolveFile(outFile);
    // Written next to its destination, then renamed: never a half-written report.
    const tmp = `${abs}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, text);
      renameSync(tmp, abs);
    } catch (err) {
      try {
        unlinkSync(tmp);
      } catch {
        /* nothing was written */
      }
      throw new InputError(
        `--out ${outFile}: cannot write (${(err as NodeJS.ErrnoException).code ?? "error"})`,
      );
    }
    if (format !== "json")
      io.out(
        `${outFile}: ${report.anomalies.length} anomalies, ${report.unused.length} unused grant(s), ${report.proposals.length} narrower policies proposed\n`,
      );
  } else io.out(text);
  return report.anomalies.length > 0 || report.unused.length > 0 ? 1 : 0;
};

function durationFlag(text: string, flag: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    if (err instanceof DurationSyntaxError || err instanceof Error)
      throw new UsageError(`${flag}: "${text}" is not a duration (${DURATION_HINT})`);
    throw err;
  }
}
