/**
 * `tokenwarden put <manifest> <need> [--expires <RFC3339|YYYY-MM-DD|duration>] [--format text|json]
 *  [--now RFC3339]`: a person's hand-off of a static token, read from standard input (never from
 * argv, where shells and CI logs keep it), stored as the next version of the need's KV v2 entry
 * with the same record and custom metadata as a procured token.
 * Exit 0: stored; 1: not stored (a Vault failure or a concurrent writer, said why); 2: usage/input.
 */
import type { Command } from "../io";
import { formatFlag, parseArgs } from "../args";
import { InputError, UsageError } from "../../errors";
import { manifestFrom, nowFlag, vaultFromEnv } from "../../ops/lifecycle/command-support";
import { putStaticToken } from "../../ops/procure/put";
import { NeedSelectionError } from "../../ops/procure/run";
import { SecretSet } from "../../ops/procure/secrets";
import { tryParseDuration } from "../../model";
import { jsonOutcome, outcomeLines } from "./procure";

export const run: Command = async (argv, io) => {
  const args = parseArgs(argv, {
    expires: { value: true },
    format: { value: true },
    now: { value: true },
  });
  const format = formatFlag(args, ["text", "json"] as const, "text");
  // Never echo extra arguments: a person who typed the token there must not see it printed back.
  if (args.positionals.length > 2)
    throw new UsageError(
      "put takes the manifest and the need; the token goes on standard input, never on the command line",
    );
  if (args.positionals.length < 2)
    throw new UsageError("give the manifest and the need; the token goes on standard input");
  const [file, needName] = args.positionals;
  const now = args.has("now") ? nowFlag(args) : Date.now();
  const expires = expiresFlag(args.get("expires"), now);
  const manifest = manifestFrom(io, file);
  const vault = vaultFromEnv(io, () => undefined);

  const raw = await io.readStdin();
  const token = raw.replace(/\r?\n$/, "");
  if (token.trim() === "")
    throw new InputError(
      "standard input: no token (pipe it in: `... | tokenwarden put m.yaml need`)",
    );
  if (/[\r\n]/.test(token) || token !== token.trim())
    throw new InputError(
      "standard input: the token must be one line without surrounding spaces (nothing was stored)",
    );
  const secrets = new SecretSet();
  secrets.add(token);
  secrets.add(io.env.VAULT_TOKEN);

  let outcome;
  try {
    outcome = await putStaticToken({
      manifest,
      vault,
      need: needName,
      token,
      now: () => now,
      secrets,
      ...(expires !== undefined ? { expires } : {}),
    });
  } catch (e) {
    if (e instanceof NeedSelectionError) throw new UsageError(e.message);
    throw e;
  }
  io.out(
    format === "json"
      ? JSON.stringify(jsonOutcome(outcome), null, 2) + "\n"
      : outcomeLines(outcome).join("\n") + "\n",
  );
  return outcome.action === "stored" ? 0 : 1;
};

/** An absolute time (RFC 3339 or a date) or a duration from now. */
function expiresFlag(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}(T.*)?$/.test(value) && !Number.isNaN(Date.parse(value)))
    return Date.parse(value);
  const s = tryParseDuration(value);
  if (s !== undefined) return now + s * 1000;
  throw new UsageError(
    `--expires must be an RFC 3339 time, a date (YYYY-MM-DD) or a duration such as 90d; got "${value}"`,
  );
}
