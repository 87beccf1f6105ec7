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
