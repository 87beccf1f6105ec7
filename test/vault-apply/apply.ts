/**
 * A stand-in for `pulumi up` / `terraform apply` against the Vault API double: the resources the
 * real AccessNeeds program registers (run under Pulumi's mocks, so every value is the one the
 * engine would send) are created, read, updated and destroyed through the provider's own calls
 * (provider-calls.ts), in dependency order. What a second preview would show is what the reads
 * give back compared with the declaration, field by field, the way the provider compares them.
 */
import { collectResources, type PlannedResource } from "../../components/mock-run";
import {
  callsFor,
  type Attrs,
  type Call,
  type Reply,
  type ResourceCalls,
  type State,
} from "./provider-calls";

export interface Rendered {
  readonly type: string;
  readonly name: string;
  readonly attrs: Attrs;
  readonly row: ResourceCalls;
}

/** Creation order the engine's dependency graph gives these types (mounts first, data last). */
const ORDER = [
  "vault_mount",
  "vault_auth_backend",
  "vault_jwt_auth_backend",
  "vault_kubernetes_auth_backend_config",
  "vault_audit",
  "vault_policy",
  "vault_token_auth_backend_role",
  "vault_approle_auth_backend_role",
  "vault_kubernetes_auth_backend_role",
  "vault_jwt_auth_backend_role",
  "time_rotating",
  "vault_approle_auth_backend_role_secret_id",
  "vault_token",
  "vault_kv_secret_v2",
];

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Pulumi inputs → the provider's attribute names (maps keep their keys; blocks are snake-cased). */
function toAttrs(inputs: Record<string, unknown>): Attrs {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inputs)) {
    if (k === "customMetadata" && v && typeof v === "object") {
      const cm = v as Record<string, unknown>;
      out.custom_metadata = Object.fromEntries(
        Object.entries(cm).map(([ck, cv]) => [ck === "data" ? "data" : snake(ck), cv]),
      );
    } else out[snake(k)] = v;
  }
  return out;
}

/** What `pulumi up` would send for a manifest: the program's registrations, secrets revealed. */
export async function render(
  manifest: string | object,
  thirdPartyTokens: Readonly<Record<string, string>>,
  now: Date,
): Promise<Rendered[]> {
  const run = await collectResources(manifest, { now, thirdPartyTokens, revealSecrets: true });
  return orderForCreate(run.resources.filter((r) => r.custom)).map((r) => {
    const row = callsFor(r.type);
    return { type: row.terraformType, name: r.name, attrs: toAttrs(r.inputs), row };
  });
}

function orderForCreate(resources: readonly PlannedResource[]): PlannedResource[] {
  const rank = (r: PlannedResource) => ORDER.indexOf(callsFor(r.type).terraformType);
  return resources
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
    .map((x) => x.r);
}

/** Sends one provider call to the double as the Vault API client would. */
export async function send(address: string, token: string, call: Call): Promise<Reply> {
  const headers: Record<string, string> = { "X-Vault-Token": token };
  if (call.wrapTtl) headers["X-Vault-Wrap-TTL"] = call.wrapTtl;
  if (call.body) headers["Content-Type"] = "application/json";
  const res = await fetch(`${address}/v1/${call.path}`, {
    method: call.method,
    headers,
    body: call.body ? JSON.stringify(call.body) : undefined,
  });
  const text = await res.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    body = { raw: text };
  }
  return { status: res.status, body };
}

export interface Applied {
  readonly resource: Rendered;
  readonly state: State;
}

export class Applier {
  constructor(
    private readonly address: string,
    private readonly token: string,
  ) {}

  private async run(calls: readonly Call[], what: string): Promise<Reply[]> {
    const replies: Reply[] = [];
    for (const c of calls) {
      const reply = await send(this.address, this.token, c);
      if (reply.status >= 400) {
        throw new Error(
          `${what}: ${c.method} ${c.path} → ${reply.status} ${JSON.stringify(reply.body?.errors ?? reply.body)}`,
        );
      }
      replies.push(reply);
    }
    return replies;
  }

  async create(resources: readonly Rendered[]): Promise<Applied[]> {
    const applied: Applied[] = [];
    for (const r of resources) {
      const replies = await this.run(r.row.create(r.attrs), `create ${r.type} ${r.name}`);
      applied.push({ resource: r, state: r.row.created?.(r.attrs, replies) ?? {} });
    }
    return applied;
  }

  /** What a preview after a refresh would show: every compared field that differs. */
  async diff(applied: readonly Applied[]): Promise<string[]> {
    const diffs: string[] = [];
    for (const { resource: r, state } of applied) {
      const calls = r.row.read(r.attrs, state);
      if (calls.length === 0) continue;
      const back = r.row.readBack(
        r.attrs,
        state,
        await this.run(calls, `read ${r.type} ${r.name}`),
      );
      for (const field of r.row.compared) {
        const want = r.row.declared(r.attrs, field);
        if (JSON.stringify(back[field]) !== JSON.stringify(want)) {
          diffs.push(
            `${r.type} ${r.name}: ${field} reads back ${JSON.stringify(back[field])}, declared ${JSON.stringify(want)}`,
          );
        }
      }
    }
    return diffs;
  }

  /** An update of the resources whose declaration changed (`changed` fields by resource name). */
  async update(
    applied: readonly Applied[],
    next: readonly Rendered[],
  ): Promise<{ applied: Applied[]; updated: string[] }> {
    const out: Applied[] = [];
    const updated: string[] = [];
    for (const a of applied) {
      const n = next.find((x) => x.type === a.resource.type && x.name === a.resource.name);
      if (!n) throw new Error(`update: ${a.resource.name} is gone from the new rendering`);
      const changed = Object.keys({ ...a.resource.attrs, ...n.attrs }).filter(
        (k) => JSON.stringify(a.resource.attrs[k]) !== JSON.stringify(n.attrs[k]),
      );
      if (changed.length > 0) {
        updated.push(`${n.type} ${n.name}: ${changed.join(", ")}`);
        await this.run(n.row.update(n.attrs, a.state, changed), `update ${n.type} ${n.name}`);
      }
      out.push({ resource: n, state: a.state });
    }
    return { applied: out, updated };
  }

  async destroy(applied: readonly Applied[]): Promise<void> {
    for (const { resource: r, state } of [...applied].reverse()) {
      await this.run(r.row.delete(r.attrs, state), `delete ${r.type} ${r.name}`);
    }
  }
}
