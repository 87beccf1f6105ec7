/**
 * `tokenwarden plan <manifest> [--format text|json]`: runs the real Pulumi program (AccessNeeds)
 * under Pulumi's mock runtime — no engine, no Vault — and prints every resource `pulumi up` would
 * register, with its inputs as the SDK names them and secrets shown only as "[secret]".
 * Pulumi is loaded here and nowhere else in the CLI (the dispatcher loads this module on demand).
 */
import type { Command } from "../io";
import { formatFlag, parseArgs } from "../args";
import { InputError, UsageError } from "../errors";
import { collectResources, type PlannedResource } from "../../components/mock-run";
import { ManifestError, formatIssue } from "../../components/model";

export const run: Command = async (argv, io) => {
  const args = parseArgs(argv, { format: { value: true }, "no-policy": {} });
  const format = formatFlag(args, ["text", "json"] as const, "text");
  if (args.positionals.length !== 1) {
    throw new UsageError(
      args.positionals.length === 0 ? "give the manifest to plan" : "plan takes one manifest",
    );
  }
  const file = args.positionals[0];
  if (io.interactive) io.err(`planning ${file} under the Pulumi mock runtime…\n`);
  let resources: PlannedResource[];
  try {
    resources = (await collectResources(file)).resources;
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    // Same lines as `tokenwarden validate`: one issue per line, then the count; nothing on stdout.
    if (err instanceof ManifestError) {
      for (const issue of err.issues) io.err(formatIssue(issue) + "\n");
      io.err(`${file}: ${err.issues.length} issue${err.issues.length === 1 ? "" : "s"}\n`);
    } else {
      io.err(`${err.message}\n`);
    }
    return 2;
  }
  io.out(format === "json" ? renderJson(resources) : renderText(resources));
  return 0;
};

export function renderJson(resources: readonly PlannedResource[]): string {
  const list = resources.map(({ type, name, urn, parent, dependsOn, inputs }) => ({
    type,
    name,
    urn,
    parent,
    dependsOn,
    inputs,
  }));
  return JSON.stringify({ resources: list }, null, 2) + "\n";
}

const COMPONENT_LABELS: Readonly<Record<string, string>> = {
  "tokenwarden:index:AccessNeeds": "access needs",
  "tokenwarden:index:TokenStore": "token store",
  "tokenwarden:index:ConsumerRole": "consumer",
  "tokenwarden:index:NeedGrant": "need",
  "tokenwarden:index:Rotation": "rotation",
};

/** A tree: consumers, their needs under them, each Vault object with its inputs. */
export function renderText(resources: readonly PlannedResource[]): string {
  const byParent = new Map<string | null, PlannedResource[]>();
  for (const r of resources) {
    const list = byParent.get(r.parent) ?? [];
    list.push(r);
    byParent.set(r.parent, list);
  }
  const custom = resources.filter((r) => r.custom).length;
  const lines: string[] = [
    `${custom} Vault/time resources in ${resources.length - custom} components ` +
      `(mock run: nothing was sent to Vault; secret values show as [secret])`,
    "",
  ];
  const visit = (parent: string | null, indent: string): void => {
    const kids = byParent.get(parent) ?? [];
    kids.forEach((r, i) => {
      const last = i === kids.length - 1;
      const branch = parent === null ? "" : last ? "└─ " : "├─ ";
      const under = parent === null ? "" : last ? "   " : "│  ";
      lines.push(`${indent}${branch}${label(r, byParent.get(r.urn) ?? [])}`);
      if (r.custom) {
        for (const detail of describeInputs(r.inputs)) lines.push(`${indent}${under}    ${detail}`);
      }
      visit(r.urn, indent + under);
    });
  };
  visit(null, "");
  return lines.join("\n") + "\n";
}

const AUTH_KIND_BY_ROLE_TYPE: Readonly<Record<string, string>> = {
  "vault:appRole/authBackendRole:AuthBackendRole": "approle",
  "vault:kubernetes/authBackendRole:AuthBackendRole": "kubernetes",
  "vault:jwt/authBackendRole:AuthBackendRole": "jwt",
  "vault:tokenauth/authBackendRole:AuthBackendRole": "token",
};

function label(r: PlannedResource, children: readonly PlannedResource[]): string {
  const kind = COMPONENT_LABELS[r.type];
  if (!kind) return `${r.type}  ${r.name}`;
  const auth = children.map((c) => AUTH_KIND_BY_ROLE_TYPE[c.type]).find(Boolean);
  return auth ? `${kind} ${r.name} (${auth} auth)` : `${kind} ${r.name}`;
}

function describeInputs(inputs: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(inputs)) {
    if (typeof v === "string" && v.includes("\n")) {
      out.push(`${k}:`);
      for (const l of v.replace(/\n+$/, "").split("\n")) out.push(l ? `  | ${l}` : "  |");
    } else {
      out.push(`${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
    }
  }
  return out;
}
