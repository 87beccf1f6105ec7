/**
 * The `tokenwarden` command. Each subcommand lives in cli/commands/<name>.ts and is loaded only
 * when invoked (dynamic import: a lazy require once compiled), so `--help` and `check` never pay
 * for Pulumi or CDKTF.
 */
import { processIO, type CliIO, type Command } from "./io";
import { UserError, UsageError } from "../errors";
import { TOOL_VERSION } from "./version";

interface CommandEntry {
  readonly summary: string;
  readonly usage: string;
  /** `--help` beyond the usage line: every option explained, then examples. */
  readonly help?: string;
  readonly load: () => Promise<Command>;
}

const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  validate: {
    summary: "check a manifest against the schema and its references; exit 2 on errors",
    usage: "tokenwarden validate <access-needs.yaml|-> [--format text|json]",
    help: `Arguments:
  <access-needs.yaml>  the manifest (YAML or JSON); - reads it from standard input
Options:
  --format text|json   text (default): "valid — N needs…" or one line per issue (file:line:col: field: message);
                       json: {"valid", "file", "issues": [{file, line, column, field, message}]}
Examples:
  tokenwarden validate examples/access-needs.yaml
  tokenwarden validate - < examples/access-needs.yaml
  tokenwarden validate examples/access-needs.yaml --format json`,
    load: () => import("./commands/validate").then((m) => m.run),
  },
  plan: {
    summary:
      "offline preview: every Vault resource `pulumi up` would register, with policy results under each need; exit 1 on any deny",
    usage:
      "tokenwarden plan <access-needs.yaml|-> [--format text|json] [--no-policy] [--policies <dir>]… [--now <RFC3339>]\n       exits 1 on a policy deny, as `pulumi preview --policy-pack` fails on a mandatory policy; --no-policy lists resources only",
    help: `Arguments:
  <access-needs.yaml>  the manifest to plan; - reads it from standard input
Options:
  --format text|json   text (default): the resource tree with policy results under each need;
                       json: {tokenwarden (the embedded declaration), resources, findings, waived, policy},
                       which \`tokenwarden check\` reads
  --no-policy          list the resources only; no policy evaluation
  --policies <dir>     add an organisation's Rego (every .rego under <dir>); repeatable
  --now <RFC3339>      the clock for review dates, waivers and rotation times; the output is the
                       same on every run given the same --now (default: the current time)
Examples:
  tokenwarden plan examples/access-needs.yaml --now 2026-12-01T00:00:00Z
  tokenwarden plan examples/access-needs.yaml --format json --now 2026-12-01T00:00:00Z > plan.json
  tokenwarden plan examples/access-needs.yaml --no-policy
  tokenwarden plan - --format json < examples/access-needs.yaml | tokenwarden check -`,
    load: () => import("./commands/plan").then((m) => m.run),
  },
  synth: {
    summary: "write Terraform JSON (cdk.tf.json) for the same grants, via CDKTF",
    usage: "tokenwarden synth <access-needs.yaml|-> --out <dir> [--format text|json]",
    help: `Arguments:
  <access-needs.yaml>  the manifest; - reads it from standard input
Options:
  --out, -o <dir>      where to write cdk.tf.json (created when missing; must not be a file)
  --format text|json   text (default): the file written and the TF_VAR_ variables to set;
                       json: {"file", "tokenVariables"}
Examples:
  tokenwarden synth examples/access-needs.yaml --out cdktf.out
  tokenwarden check cdktf.out/`,
    load: () => import("./commands/synth").then((m) => m.run),
  },
  check: {
    summary: "policy check of a manifest, plan JSON, CDKTF synth output or Terraform plan",
    usage:
      "tokenwarden check <input|dir|->… [--format text|json|sarif|github|junit] [--policies <dir>]… [--v0-compatible] [--now <RFC3339>]",
    help: `Arguments:
  <input>              a manifest (YAML/JSON), \`tokenwarden plan --format json\` output, Terraform JSON
                       (cdk.tf.json) or a \`terraform show -json\` plan, told apart by content
  <dir>                each file of a known kind under it, checked and reported on its own; other
                       files are listed as skipped
  -                    one input read from standard input
Options:
  --format <f>         text (default, grouped by file) | json (for scripts) | sarif (SARIF 2.1.0 for
                       code scanning) | github (workflow annotations on the diff) | junit (CI dashboards)
  --policies <dir>     add an organisation's Rego: conftest-style deny/warn/violation rules in any
                       package, data.json files as data; repeatable
  --v0-compatible      the --policies Rego is written in Rego v0 (\`deny[msg] { … }\`), as OPA 1.x's flag
  --now <RFC3339>      the clock for review dates and waiver expiry (default: the current time)
Exit codes: 0 no deny, 1 a deny, 2 an input could not be checked (reported in the chosen format
and on stderr).
Examples:
  tokenwarden check examples/access-needs.yaml
  tokenwarden check examples/violations/ --format sarif > tokenwarden.sarif
  tokenwarden check cdktf.out/ tfplan.json --format github
  tokenwarden plan access-needs.yaml --format json | tokenwarden check -`,
    load: () => import("./commands/check").then((m) => m.run),
  },
  input: {
    summary:
      "print the policy input document exactly as the policies see it (for opa eval, conftest, policy eval)",
    usage: "tokenwarden input <input|-> [--now <RFC3339>] [--compact]",
    help: `Arguments:
  <input>              any input \`check\` reads (manifest, plan JSON, Terraform JSON, Terraform plan); - is stdin
Options:
  --now <RFC3339>      the document's "now" (default: the current time); use the same value as check's
  --compact            one line of JSON instead of indented
Examples:
  tokenwarden input examples/access-needs.yaml --now 2026-12-01T00:00:00Z > input.json
  opa eval -d policies -i input.json 'data.main.deny'
  conftest test --policy policies --namespace main input.json
  tokenwarden policy eval -d policies -i input.json 'data.tokenwarden.findings'`,
    load: () => import("./commands/input").then((m) => m.run),
  },
  policy: {
    summary: "Rego like `opa`: `policy eval`, `policy test` and `policy capabilities`",
    usage:
      "tokenwarden policy eval -d <file|dir>… [-b <bundle dir>]… [-i input.json|yaml] [--format json|pretty] [--strict-builtin-errors] [--max-steps N] [--timeout ms] [--ignore <glob>]… [--v0-compatible] [--capabilities caps.json] [--builtins fns.js]… <query>\n       tokenwarden policy test <file|dir>… [-v] [--format pretty|json] [--run <regex>] [--timeout ms] [--ignore <glob>]… [--v0-compatible] [--capabilities caps.json] [--builtins fns.js]…\n       tokenwarden policy capabilities [--current]",
    help: `policy eval options:
  -d, --data <file|dir>     Rego modules and data files to load; repeatable. Every .json/.yaml/.yml
                            file is data at its directory's path below the argument (a/b/x.json →
                            data.a.b); a directory with a .manifest is a bundle (roots,
                            rego_version, file_rego_versions; only data.json/data.yaml are data)
  -b, --bundle <dir>        same as -d (bundles are recognised by their .manifest)
  -i, --input <file>        the input document (JSON or YAML); \`tokenwarden input\` prints ours
  -f, --format json|pretty  json (default): OPA's result set; pretty: the values only
  --strict-builtin-errors   a built-in error fails the query instead of making it undefined
  --max-steps N             evaluation step budget
  --timeout ms              evaluation time budget
both:
  --ignore <glob>           skip files and directories whose name matches; repeatable
  --v0-compatible           modules are Rego v0 unless a bundle manifest says otherwise
  --capabilities <file>     OPA's capabilities JSON: only the built-ins it lists exist
  --builtins <module.js>    built-ins your host supplies (like Go's rego.Function), repeatable: a
                            CommonJS module exporting \`builtins = { "ns.fn": { arity, impl } }\`;
                            impl(args, ctx) gets JSON-like arguments (sets as arrays) and returns
                            the result, undefined for undefined, or throws (a built-in error)
policy test options:
  -v, --verbose             every test with its result and time (parameterized tests case by case)
  --format pretty|json      pretty (default) or OPA's JSON test report
  -r, --run <regex>         only tests whose full name (data.pkg.test_x) matches (RE2 syntax)
  --timeout ms              per-test time budget (default 10000)
policy capabilities:
  prints this engine's built-ins (with OPA's declared types), future keywords and features
  as OPA's capabilities JSON, like \`opa capabilities --current\`
Examples:
  tokenwarden policy test policies
  tokenwarden policy eval -d policies -i input.json 'data.tokenwarden.findings'
  tokenwarden policy capabilities > caps.json`,
    load: () => import("./commands/policy").then((m) => m.run),
  },
  inventory: {
    summary:
      "every token (by accessor), ACL policy, auth role and KV entry in Vault, joined to its declared need; exit 2 if anything could not be read",
    usage:
      "tokenwarden inventory [--manifest <access-needs.yaml>] [--format text|json] [--kv-mount <path>] [--concurrency N] [--now <RFC3339>]",
    help: `Reads Vault only: LISTs, GETs and auth/token/lookup-accessor — never renew, never a token id
(accessors are printed; they can look a token up or revoke it, not use it).
Options:
  --manifest <file>    join each item to its declared need (status declared | session | shadow | unmanaged);
                       auth mounts come from the manifest, else from sys/auth
  --format text|json   json: {vault, scanned_at, complete, unread, tokens, policies, roles, kv_entries, summary}
  --kv-mount <path>    KV v2 mount holding third-party tokens (default: the manifest's vault.kvMount, else "tokens")
  --concurrency N      Vault calls in flight (default 16)
  --now <RFC3339>      the time to judge by (default: now)
Listing tokens needs \`sudo\` on auth/token/accessors. Without it the rest is printed, each request
that could not be read is named on stderr and under "unread" ("complete": false), and the exit code
is 2. Environment: VAULT_ADDR, VAULT_TOKEN, VAULT_NAMESPACE, VAULT_CACERT, VAULT_MAX_RETRIES.
Examples:
  tokenwarden inventory --manifest access-needs.yaml
  tokenwarden inventory --format json > inventory.json
Exit codes: 0 everything read, 2 usage/input error or something in Vault not read.`,
    load: () => import("./commands/inventory").then((m) => m.run),
  },
  drift: {
    summary:
      "live Vault vs the manifest: shadow tokens, policy/role/TTL drift, declared tokens gone, KV entries missing or overdue, needs past review; exit 1 on drift",
    usage:
      "tokenwarden drift <access-needs.yaml> [--format text|json|sarif|github] [--concurrency N] [--now <RFC3339>]",
    help: `Arguments:
  <access-needs.yaml>  the manifest whose grant plan Vault should hold
Options:
  --format text|json|sarif|github   findings TW050–TW066 (docs/lifecycle.md), at the manifest line to fix
  --concurrency N                   Vault calls in flight (default 16)
  --now <RFC3339>                   the time to judge expiry and review dates by (default: now)
Read-only (lookup-accessor, never renew). Policies are compared as parsed HCL. Anything that could
not be read is named on stderr and in the report's notes, and nothing is reported missing on its account.
Examples:
  tokenwarden drift access-needs.yaml
  tokenwarden drift access-needs.yaml --format sarif > drift.sarif
Exit codes: 0 no drift, 1 drift, 2 usage/input error or something in Vault not read.`,
    load: () => import("./commands/drift").then((m) => m.run),
  },
  expiry: {
    summary:
      "tokens near their end, review dates lapsing, rotations overdue, provider expiries — grouped by owner; exit 1 when any",
    usage:
      "tokenwarden expiry [--within 14d] [--manifest <access-needs.yaml>] [--format text|json] [--kv-mount <path>] [--concurrency N] [--now <RFC3339>]",
    help: `Options:
  --within <duration>  the window (default 14d; s, m, h, d)
  --manifest <file>    adds review dates and owners from the manifest
  --format text|json   json: {now, within, complete, unread, owners: [{owner, items: [{kind, subject, need, at, overdue, message}]}], total}
  --kv-mount <path>    KV v2 mount holding third-party tokens (default: the manifest's, else "tokens")
  --concurrency N      Vault calls in flight (default 16)
  --now <RFC3339>      the time to judge by (default: now)
examples/workflows/expiry-watch.yml runs it on a schedule and keeps one issue per owner.
Examples:
  tokenwarden expiry --within 14d --manifest access-needs.yaml
  tokenwarden expiry --within 30d --format json > expiry.json
Exit codes: 0 nothing due, 1 something due, 2 usage/input error or something in Vault not read.`,
    load: () => import("./commands/expiry").then((m) => m.run),
  },
  revoke: {
    summary:
      "revoke shadow, expired or lapsed tokens by accessor (dry run unless --yes); never a declared, valid token; every action logged",
    usage:
      "tokenwarden revoke --manifest <access-needs.yaml> [--shadow] [--expired] [--lapsed] [--yes] [--log <file>] [--format text|json] [--concurrency N] [--now <RFC3339>]",
    help: `Options:
  --manifest <file>    required: tells a declared token from a shadow one
  --shadow             tokens drift reports as TW050
  --expired            declared tokens past their expiry still listed, and ones superseded by a newer token
                       of the same need whose rotation date has passed
  --lapsed             tokens of needs past their review date
  --yes                revoke (without it: a dry run listing what would be revoked)
  --log <file>         JSON lines appended as each revocation completes (default ./tokenwarden-revoke.log):
                       time, result, accessor, reason, why, need — never a token
  --format text|json
  --concurrency N      revocations in flight (default 8)
  --now <RFC3339>      the time to judge by (default: now)
A re-run after a failure revokes what is left and lists what earlier runs already did.
Examples:
  tokenwarden revoke --manifest access-needs.yaml --shadow
  tokenwarden revoke --manifest access-needs.yaml --shadow --expired --lapsed --yes
Exit codes: 0 done or nothing to do, 1 a dry run found tokens to revoke, 2 usage/input error,
token list not readable, or a revocation failed (each named).`,
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
    help: `Arguments:
  <audit.log>…                  Vault file audit device logs: plain or gzipped, rotated files of one device
                                (audit.log.2.gz, audit.log.1, audit.log) and logs of several devices
Options:
  --manifest <file>             the manifest whose grants the use is judged against (required)
  --since 30d                   the window: from --now back this long (s, m, h, d)
  --now <RFC3339>               end of the window (default: now)
  --format text|json|html       text (default); json: the whole report; html: one self-contained page
  --out <file>                  write the report to a file (whole, or not at all); a summary line on stdout
  --device <vault-path>=<file>  the Vault audit device that wrote <file>, for sys/audit-hash (default: found
                                through GET sys/audit by file name)
  --grace 24h                   how long an old token may still be used after its replacement appeared
  --no-vault                    do not contact Vault even when VAULT_ADDR is set (accessors stay HMAC'd)
Examples:
  tokenwarden audit /var/log/vault/audit.log* --manifest access-needs.yaml
  tokenwarden audit audit.log other/audit.log --manifest access-needs.yaml --since 90d --format html --out review.html
  tokenwarden audit audit.log --manifest access-needs.yaml --format json --no-vault`,
    load: () => import("./commands/audit").then((m) => m.run),
  },
};

function help(): string {
  const lines = [
    "tokenwarden — API-token procurement as reviewed code (Pulumi + Vault + Rego)",
    "",
    "Usage: tokenwarden <command> [options]",
    "       tokenwarden help <command>     a command's options and examples",
    "       tokenwarden --version",
    "",
    "Commands:",
  ];
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  for (const [name, c] of Object.entries(COMMANDS))
    lines.push(`  ${name.padEnd(width)}  ${c.summary}`);
  lines.push(
    "",
    "Run `tokenwarden <command> --help` (or `tokenwarden help <command>`) for a command's options.",
    "Inputs given as - are read from standard input.",
    "Exit codes: 0 clean, 1 findings, 2 usage or input error (or anything else that stopped the command).",
    "Vault is addressed like the Vault CLI: VAULT_ADDR, VAULT_TOKEN, VAULT_NAMESPACE, VAULT_CACERT.",
    "",
  );
  return lines.join("\n");
}

function commandHelp(entry: CommandEntry): string {
  const parts = [`Usage: ${entry.usage}`, "", entry.summary];
  if (entry.help) parts.push("", entry.help);
  parts.push("", "Exit codes: 0 clean, 1 findings, 2 usage or input error.");
  return `${parts.join("\n")}\n`;
}

/** Errors from the file system that a user can act on: name the path, exit 2. */
function fsProblem(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException;
  if (!e || typeof e.code !== "string" || typeof e.syscall !== "string") return undefined;
  const what: Record<string, string> = {
    ENOENT: "no such file or directory",
    ENOTDIR: "a parent of this path is a file, not a directory",
    EEXIST: "already exists",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EISDIR: "is a directory",
    ENOSPC: "no space left on the device",
    EROFS: "read-only file system",
  };
  const why = what[e.code];
  if (!why) return undefined;
  return e.path ? `${e.path}: ${why}` : `${e.syscall}: ${why}`;
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(help());
    return 2;
  }
  const isHelpFlag = (a: string | undefined) => a === "--help" || a === "-h";
  // `help`, `help --help` and `--help` all mean the overview.
  if (isHelpFlag(name) || (name === "help" && (rest.length === 0 || isHelpFlag(rest[0])))) {
    io.out(help());
    return 0;
  }
  if (name === "help") {
    const entry = COMMANDS[rest[0]];
    if (!entry || rest.length > 1) {
      io.err(
        `tokenwarden: no command "${rest.join(" ")}"; commands: ${Object.keys(COMMANDS).join(", ")}\n`,
      );
      return 2;
    }
    io.out(commandHelp(entry));
    return 0;
  }
  if (name === "--version" || name === "-V" || name === "version") {
    io.out(`tokenwarden ${TOOL_VERSION}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.err(`tokenwarden: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(commandHelp(entry));
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
    // One error style and exit codes 0/1/2 only: a file-system failure is the user's to fix
    // (named path, exit 2); anything else is still one line on stderr, never a stack trace.
    const fsMessage = fsProblem(err);
    if (fsMessage) {
      io.err(`tokenwarden ${name}: ${fsMessage}\n`);
      return 2;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.err(
      `tokenwarden ${name}: internal error: ${message.split("\n")[0]} (please report this with the command you ran)\n`,
    );
    return 2;
  }
}
