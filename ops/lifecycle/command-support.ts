/**
 * What the four lifecycle commands share at the command line: the Vault client from the
 * environment, the manifest, `--now`, `--concurrency`, `--within`, and how an incomplete scan is
 * told (stderr lines naming each unread request; exit 2). Errors a user can act on become
 * UserError subclasses with one-line messages.
 */
import * as path from "node:path";
import { InputError, UsageError, UserError } from "../../errors";
import { formatFlag, parseArgs, type FlagSpec, type ParsedArgs } from "../../cli/args";
import type { CliIO } from "../../cli/io";
import {
  DEFAULT_KV_MOUNT,
  formatIssue,
  loadManifest,
  ManifestError,
  tryParseDuration,
  DURATION_HINT,
  type Manifest,
} from "../../model";
import { VaultClient, VaultConfigError } from "../../vault";
import { declare, type Declared } from "./declared";
import type { LiveState, Unread } from "./live-types";
import { scanVault, type ScanOptions } from "./scan";

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The Vault client, addressed like the Vault CLI; a missing VAULT_ADDR/TOKEN is a usage error. */
export function vaultFromEnv(io: CliIO, progress: (line: string) => void): VaultClient {
  if (!io.env.VAULT_TOKEN) {
    throw new UsageError(
      "VAULT_TOKEN is not set (the token to read Vault with; never on the command line)",
    );
  }
  try {
    return VaultClient.fromEnv(io.env, { log: progress });
  } catch (err) {
    if (err instanceof VaultConfigError) throw new UsageError(err.message);
    throw err;
  }
}

/** Loads the manifest; every issue printed on its own line, then one summary error (exit 2). */
export function manifestFrom(io: CliIO, file: string): Manifest {
  const resolved =
    path.isAbsolute(file) || io.cwd === process.cwd() ? file : path.resolve(io.cwd, file);
  try {
    return loadManifest(resolved);
  } catch (err) {
    if (err instanceof ManifestError && err.issues.length > 1) {
      for (const issue of err.issues) io.err(formatIssue(issue) + "\n");
      throw new InputError(`${file}: ${err.issues.length} issues`, file);
    }
    throw err;
  }
}

export function nowFlag(args: ParsedArgs): number {
  const value = args.get("now");
  if (value === undefined) return Date.now();
  if (!RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
    throw new UsageError(
      `--now must be an RFC 3339 time such as 2026-01-31T12:00:00Z; got "${value}"`,
    );
  }
  return Date.parse(value);
}

export function concurrencyFlag(args: ParsedArgs, fallback = 16): number {
  const v = args.get("concurrency");
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 256) {
    throw new UsageError(`--concurrency must be a whole number from 1 to 256; got "${v}"`);
  }
  return Number(v);
}

export function withinFlag(args: ParsedArgs, fallback = "14d"): { seconds: number; text: string } {
  const text = args.get("within", fallback)!;
  const seconds = tryParseDuration(text);
  if (seconds === undefined)
    throw new UsageError(`--within: "${text}" is not a duration (${DURATION_HINT})`);
  return { seconds, text };
}

/** Progress on a terminal only; CI output stays machine-readable. */
export function progressFor(io: CliIO): { line: (m: string) => void; clear: () => void } {
  return {
    line: (m) => {
      if (io.interactive) io.err(`\r\x1b[K${m}`);
    },
    clear: () => {
      if (io.interactive) io.err("\r\x1b[K");
    },
  };
}

/**
 * Tells on stderr exactly what was not read, one line each, and returns the exit code that says
 * so: 2 — nothing that was not seen is reported as clean.
 */
export function reportUnread(io: CliIO, command: string, unread: readonly Unread[]): 2 {
  io.err(
    `tokenwarden ${command}: INCOMPLETE — could not read ${unread.length} thing${unread.length === 1 ? "" : "s"} from Vault:\n`,
  );
  for (const u of unread) io.err(`  ${u.what}: ${u.request} → ${u.why}\n`);
  return 2;
}

/** An error from a lifecycle command that is the user's to fix (bad log file, …). */
export class LifecycleError extends UserError {}

/** What a lifecycle command accepts beyond the shared `--format`, `--concurrency` and `--now`. */
export interface LifecycleArgsSpec<F extends string> {
  /** The formats `--format` takes; the first is the default. */
  readonly formats: readonly [F, ...F[]];
  /** The command's own flags. */
  readonly flags?: Readonly<Record<string, FlagSpec>>;
  /**
   * What may stand after the command: exactly the manifest (drift, whose messages these are), or
   * nothing (the hint is added to the message naming an unexpected argument).
   */
  readonly positional: "manifest" | { readonly unexpectedHint: string };
}

/** Parses a lifecycle command's arguments: known flags, `--format`, the positional check. */
export function lifecycleArgs<F extends string>(
  argv: readonly string[],
  spec: LifecycleArgsSpec<F>,
): { args: ParsedArgs; format: F } {
  const args = parseArgs(argv, {
    ...spec.flags,
    format: { value: true },
    concurrency: { value: true },
    now: { value: true },
  });
  const format = formatFlag(args, spec.formats, spec.formats[0]);
  const given = args.positionals;
  if (spec.positional === "manifest") {
    if (given.length !== 1)
      throw new UsageError(
        given.length === 0 ? "give the manifest to compare Vault with" : "drift takes one manifest",
      );
  } else if (given.length > 0) {
    throw new UsageError(`unexpected argument "${given[0]}"${spec.positional.unexpectedHint}`);
  }
  return { args, format };
}

/** A lifecycle command ready to read Vault: flags settled, manifest declared, client built. */
export interface LifecycleSession<D extends Declared | undefined> {
  readonly now: number;
  /** `--concurrency` (the command's own default when not given). */
  readonly concurrency: number;
  readonly declared: D;
  readonly progress: ReturnType<typeof progressFor>;
  readonly client: VaultClient;
  /** scanVault with the shared options (KV mount, auth mounts, concurrency, clock, progress). */
  scan(options?: Partial<ScanOptions>): Promise<LiveState>;
}

/**
 * Settles `--now` and `--concurrency`, loads and declares the manifest (when there is one), then
 * builds the Vault client — in that order, so the first thing wrong is the one reported.
 * `beforeVault` runs between the manifest and the client (a command's own input file).
 */
export function lifecycleSession<M extends string | undefined>(
  io: CliIO,
  args: ParsedArgs,
  options: { manifest: M; concurrency?: number; beforeVault?: () => void },
): LifecycleSession<M extends string ? Declared : Declared | undefined> {
  const now = nowFlag(args);
  const concurrency = concurrencyFlag(args, options.concurrency);
  const file = options.manifest;
  const declared = file !== undefined ? declare(manifestFrom(io, file)) : undefined;
  options.beforeVault?.();
  const progress = progressFor(io);
  const client = vaultFromEnv(io, progress.line);
  return {
    now,
    concurrency,
    declared: declared as M extends string ? Declared : Declared | undefined,
    progress,
    client,
    scan: (extra) =>
      scanVault(client, {
        kvMount: args.get("kv-mount") ?? declared?.kvMount ?? DEFAULT_KV_MOUNT,
        ...(declared ? { authMounts: declared.authMounts } : {}),
        concurrency,
        now: () => now,
        progress: progress.line,
        ...extra,
      }),
  };
}
