/**
 * sys/audit with `file` devices and sys/audit-hash. Each device has its own salt; the lines
 * follow Vault's JSON audit format (vault/audit, audit/entry_formatter.go): one object per line,
 * `type` "request" or "response", `time`, `auth` {client_token, accessor, display_name, policies,
 * token_policies, metadata, entity_id, token_type, token_ttl, token_issue_time, policy_results},
 * `request` {id, operation, mount_point, mount_type, mount_accessor, client_token,
 * client_token_accessor, namespace, path, data, remote_address, wrap_ttl}, `response` {…, data,
 * auth, wrap_info}, `error`. Strings are HMAC-SHA256'd with the device salt as
 * `hmac-sha256:<hex>` — the client token always, accessors unless `hmac_accessor=false`, request
 * and response data values (not keys); token metadata and display names stay plain. A request
 * refused by the ACL gets a request line with `error: "permission denied"` and no response line
 * (vault/request_handling.go logs it from the token check); other failures get both.
 */
import { appendFileSync } from "node:fs";
import { createHmac, randomUUID } from "node:crypto";
import { rfc3339 } from "./clock";
import { type Ctx, type RouteTable, has, str } from "./context";
import { badRequest } from "./errors";
import type { AuditEvent, VaultCore } from "./server";

interface Device {
  path: string;
  type: string;
  description: string;
  options: Record<string, string>;
  local: boolean;
  salt: string;
  lines: Record<string, unknown>[];
}

export class AuditDevices {
  readonly devices = new Map<string, Device>();

  constructor(private readonly core: VaultCore) {
    core.auditSinks.push((e) => this.log(e));
  }

  hash(d: Device, s: string): string {
    return `hmac-sha256:${createHmac("sha256", d.salt).update(s).digest("hex")}`;
  }

  /** Parsed lines of the device whose file_path (or mount path) is given; all devices' otherwise. */
  lines(which?: string): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const d of this.devices.values())
      if (!which || d.options.file_path === which || d.path === which || d.path === `${which}/`)
        out.push(...d.lines);
    return out;
  }

  private log(e: AuditEvent) {
    for (const d of this.devices.values()) {
      const denied =
        e.status === 403 && (e.errors ?? []).includes("permission denied") && !e.answer;
      this.write(d, this.entry(d, "request", e, denied));
      if (!denied) this.write(d, this.entry(d, "response", e, false));
    }
  }

  private write(d: Device, line: Record<string, unknown>) {
    d.lines.push(line);
    const file = d.options.file_path;
    if (file && file !== "stdout" && file !== "discard")
      appendFileSync(file, JSON.stringify(line) + "\n");
  }

  private entry(d: Device, type: "request" | "response", e: AuditEvent, denied: boolean) {
    const raw = d.options.log_raw === "true";
    const hmacAccessor = d.options.hmac_accessor !== "false";
    const h = (s: string) => (raw || s === "" ? s : this.hash(d, s));
    const hAcc = (s: string) => (hmacAccessor ? h(s) : s);
    const hashData = (v: unknown): unknown => {
      if (raw) return v;
      if (typeof v === "string") return h(v);
      if (Array.isArray(v)) return v.map(hashData);
      if (v && typeof v === "object")
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, hashData(x)]));
      return v;
    };
    const t = e.token;
    const out: Record<string, unknown> = { time: rfc3339(e.time), type };
    if (t)
      out.auth = {
        accessor: hAcc(t.accessor),
        client_token: h(t.id),
        display_name: t.displayName,
        entity_id: t.entityId,
        metadata: t.meta ? { ...t.meta } : undefined,
        policies: [...t.policies],
        policy_results: {
          allowed: !denied,
          granting_policies: denied
            ? undefined
            : t.policies.map((name) => ({ name, namespace_id: "root", type: "acl" })),
        },
        token_issue_time: rfc3339(t.creationTime),
        token_policies: [...t.policies],
        token_ttl: t.creationTtl,
        token_type: t.type,
      };
    const mountClass = e.path.startsWith("auth/")
      ? "auth"
      : e.path.startsWith("sys/")
        ? ""
        : "secret";
    out.request = {
      id: e.requestId,
      client_id: "",
      operation: e.operation,
      mount_point: this.core.resolve(e.path)?.mountPath ?? "",
      mount_type: e.mountType,
      mount_accessor: e.mountAccessor,
      mount_class: mountClass || undefined,
      client_token: t ? h(t.id) : undefined,
      client_token_accessor: t ? hAcc(t.accessor) : undefined,
      namespace: { id: "root" },
      path: e.path,
      data: Object.keys(e.data).length > 0 ? hashData(e.data) : undefined,
      remote_address: e.remoteAddr,
      wrap_ttl: e.wrapTtl || undefined,
    };
    if (type === "response") {
      const a = e.answer;
      const response: Record<string, unknown> = {
        mount_point: (out.request as Record<string, unknown>).mount_point,
        mount_type: e.mountType,
        mount_accessor: e.mountAccessor,
      };
      if (e.wrapInfo) {
        const w = e.wrapInfo;
        response.wrap_info = {
          accessor: hAcc(String(w.accessor)),
          creation_path: w.creation_path,
          creation_time: w.creation_time,
          token: h(String(w.token)),
          ttl: w.ttl,
          wrapped_accessor: w.wrapped_accessor ? hAcc(String(w.wrapped_accessor)) : undefined,
        };
      } else if (a) {
        if (a.data !== undefined) response.data = hashData(a.data);
        if (a.auth)
          response.auth = {
            ...a.auth,
            client_token: h(a.auth.client_token),
            accessor: hAcc(a.auth.accessor),
          };
        if (a.warnings && a.warnings.length > 0) response.warnings = [...a.warnings];
      }
      out.response = response;
    }
    if (e.errors && e.errors.length > 0) out.error = e.errors.join("; ");
    return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
  }
}

export function auditRoutes(audit: AuditDevices, routes: RouteTable): void {
  const norm = (p: string) => (p.endsWith("/") ? p : `${p}/`);
  const view = (d: Device) => ({
    description: d.description,
    local: d.local,
    options: { ...d.options },
    path: d.path,
    type: d.type,
  });
  routes.set("/sys/audit", {
    read: () => {
      const data = Object.fromEntries([...audit.devices.values()].map((d) => [d.path, view(d)]));
      return { data, top: data };
    },
  });
  routes.set("/sys/audit/{path}", {
    write: (ctx: Ctx) => {
      const path = norm(ctx.params.path);
      if (audit.devices.has(path)) throw badRequest("path already in use");
      const type = str(ctx, "type");
      if (!type) throw badRequest("type is required");
      if (type !== "file")
        throw badRequest(`unknown backend type: "${type}" (the Vault double models only "file")`);
      const options = has(ctx, "options") ? { ...(ctx.f.options as Record<string, string>) } : {};
      if (!options.file_path) throw badRequest("file_path is required");
      audit.devices.set(path, {
        path,
        type,
        description: str(ctx, "description"),
        options,
        local: Boolean(ctx.f.local ?? false),
        salt: randomUUID(),
        lines: [],
      });
      return null;
    },
    delete: (ctx: Ctx) => {
      audit.devices.delete(norm(ctx.params.path));
      return null;
    },
  });
  routes.set("/sys/audit-hash/{path}", {
    write: (ctx: Ctx) => {
      const d = audit.devices.get(norm(ctx.params.path));
      if (!d) throw badRequest("unknown audit backend");
      return { data: { hash: audit.hash(d, str(ctx, "input")) } };
    },
  });
}
