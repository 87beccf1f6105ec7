/**
 * The `tokenwarden` command. Each subcommand lives in cli/commands/<name>.ts and is loaded only
 * when invoked (dynamic import: a lazy require once compiled), so `--help` and `check` never pay
 * for Pulumi or CDKTF.
 */
import { processIO, type CliIO, type Command } from "./io";
import { UserError, UsageError } from "./errors";

interface CommandEntry {
  readonly summary: string;
  readonly usage: string;
  readonly load: () => Promise<Command>;
}

const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  validate: {
    summary: "check a manifest against the schema and its references; exit 2 on errors",
    usage: "tokenwarden validate <access-needs.yaml> [--format text|json]",
    load: () => import("./commands/validate").then((m) => m.run),
  },
  plan: {
    summary:
      "offline preview: every Vault resource `pulumi up` would register, with policy results under each need; exit 1 on any deny",
    usage:
      "tokenwarden plan <access-needs.yaml> [--format text|json] [--no-policy] [--policies <dir>]… [--now <RFC3339>]\n       exits 1 on a policy deny, as `pulumi preview --policy-pack` fails on a mandatory policy; --no-policy lists resources only",
    load: () => import("./commands/plan").then((m) => m.run),
  },
  synth: {
    summary: "write Terraform JSON (cdk.tf.json) for the same grants, via CDKTF",
    usage: "tokenwarden synth <access-needs.yaml> --out <dir> [--format text|json]",
    load: () => import("./commands/synth").then((m) => m.run),
  },
  check: {
    summary: "policy check of a manifest, plan JSON, CDKTF synth output or Terraform plan",
    usage:
      "tokenwarden check <input>… [--format text|json|sarif|github|junit] [--policies <dir>] [--now <RFC3339>]",
    load: () => import("./commands/check").then((m) => m.run),
  },
  policy: {
    summary: "Rego like `opa`: `policy eval` and `policy test`",
    usage:
      "tokenwarden policy eval -d <file|dir>… [-i input.json|yaml] [--format json|pretty] [--strict-builtin-errors] [--max-steps N] [--timeout ms] <query>\n       tokenwarden policy test <file|dir>… [-v] [--format pretty|json] [--run <substring>] [--timeout ms]",
    load: () => import("./commands/policy").then((m) => m.run),
  },
  inventory: {
    summary:
      "every token (by accessor), ACL policy, auth role and KV entry in Vault, joined to its declared need; exit 2 if anything could not be read",
    usage:
      "tokenwarden inventory [--manifest <access-needs.yaml>] [--format text|json] [--kv-mount <path>] [--concurrency N] [--now <RFC3339>]\n       read-only (lookup-accessor, never renew); listing tokens needs `sudo` on auth/token/accessors — without it the rest is printed, each unread request is named on stderr and in JSON (`complete: false`), and the exit code is 2",
    load: () => import("./commands/inventory").then((m) => m.run),
  },
  drift: {
    summary:
      "live Vault vs the manifest: shadow tokens, policy/role/TTL drift, declared tokens gone, KV entries missing or overdue, needs past review; exit 1 on drift",
    usage:
      "tokenwarden drift <access-needs.yaml> [--format text|json|sarif|github] [--concurrency N] [--now <RFC3339>]\n       rules TW050–TW066; read-only; exit 0 no drift, 1 drift, 2 usage/input error or anything in Vault not read (named on stderr and in the report's notes)",
    load: () => import("./commands/drift").then((m) => m.run),
  },
  expiry: {
    summary:
      "tokens near their end, review dates lapsing, rotations overdue, provider expiries — grouped by owner; exit 1 when any",
    usage:
      "tokenwarden expiry [--within 14d] [--manifest <access-needs.yaml>] [--format text|json] [--kv-mount <path>] [--concurrency N] [--now <RFC3339>]\n       exit 0 nothing due, 1 something due, 2 usage/input error or anything in Vault not read",
    load: () => import("./commands/expiry").then((m) => m.run),
  },
  revoke: {
    summary:
      "revoke shadow, expired or lapsed tokens by accessor (dry run unless --yes); never a declared, valid token; every action logged",
    usage:
      "tokenwarden revoke --manifest <access-needs.yaml> [--shadow] [--expired] [--lapsed] [--yes] [--log <file>] [--format text|json] [--concurrency N] [--now <RFC3339>]\n       log: JSON lines appended to ./tokenwarden-revoke.log by default (what, why, when, accessor — never a token); re-run after a failure to finish\n       exit 0 done or nothing to do, 1 dry run found tokens to revoke, 2 usage/input error, token list unreadable, or a revocation failed",
    load: () => import("./commands/revoke").then((m) => m.run),
  },
  procure: {
    summary:
      "fetch third-party tokens (OAuth 2.0 client credentials, JWT bearer) for exactly each need's scopes into Vault KV; retire replaced ones after a grace period",
    usage:
      "tokenwarden procure <access-needs.yaml> [--need <name>]… [--due-only] [--format text|json] [--concurrency N] [--timeout <seconds>] [--now <RFC3339>]\n       client credentials and signing keys are read from the Vault paths in providers[].credentials (VAULT_ADDR, VAULT_TOKEN)\n       exit 0 done (warnings allowed), 1 a provider granted more scopes than asked (TW040) or a request/revocation/store failed (TW043), 2 usage/input error",
    load: () => import("./commands/procure").then((m) => m.run),
  },
  put: {
    summary:
      "store a person's hand-off of a static token, read from stdin, as the need's next KV version",
    usage:
      "tokenwarden put <access-needs.yaml> <need> [--expires <RFC3339|YYYY-MM-DD|duration>] [--format text|json] [--now <RFC3339>]  < token\n       the token is read from standard input, never from the command line\n       exit 0 stored, 1 not stored (says why), 2 usage/input error",
    load: () => import("./commands/put").then((m) => m.run),
  },
  audit: {
    summary:
      "Vault file-audit logs vs the manifest: last use per need and token, unused grants, narrower policies, anomalies; exit 1 on any",
    usage:
      "tokenwarden audit <audit.log[.gz]>… --manifest <access-needs.yaml> [--since 30d] [--format text|json|html] [--out <file>] [--device <vault-audit-path>=<file>]… [--grace 24h] [--now <RFC3339>] [--no-vault]\n       streams every file (rotated and gzipped too); several devices are merged, each request counted once; HMAC'd accessors are matched through sys/audit-hash when VAULT_ADDR/VAULT_TOKEN reach Vault\n       rules TW070–TW076; exit 0 clean, 1 anomalies or unused grants, 2 usage/input error; malformed lines are reported (file:line) and skipped",
    load: () => import("./commands/audit").then((m) => m.run),
  },
};

function help(): string {
  const lines = [
    "tokenwarden — API-token procurement as reviewed code (Pulumi + Vault + Rego)",
    "",
    "Usage: tokenwarden <command> [options]",
    "",
    "Commands:",
  ];
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  for (const [name, c] of Object.entries(COMMANDS))
    lines.push(`  ${name.padEnd(width)}  ${c.summary}`);
  lines.push(
    "",
    "Run `tokenwarden <command> --help` for a command's options.",
    "Exit codes: 0 clean, 1 findings, 2 usage or input error.",
    "Vault is addressed like the Vault CLI: VAULT_ADDR, VAULT_TOKEN, VAULT_NAMESPACE, VAULT_CACERT.",
    "",
  );
  return lines.join("\n");
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(help());
    return 2;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    io.out(help());
    return 0;
  }
  if (name === "--version") {
    io.out("tokenwarden 0.1.0\n");
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.err(`tokenwarden: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(`Usage: ${entry.usage}\n\n${entry.summary}\n`);
    return 0;
  }
  try {
    const command = await entry.load();
    return await command(rest, io);
  } catch (err) {
    if (err instanceof UserError) {
      io.err(`tokenwarden ${name}: ${err.message}\n`);
      if (err instanceof UsageError) io.err(`Usage: ${entry.usage}\n`);
      return err.exitCode;
    }
    throw err;
  }
}
