/**
 * The HTTP face of the double: a node:http server on 127.0.0.1 speaking Vault's HTTP API v1.
 * Every request goes the way Vault's http/ and vault/request_handling.go take it:
 * faults → route (mount table + OpenAPI description) → token → field validation and the
 * endpoint's existence check (create vs update) → ACL (+ sudo on root-protected paths) →
 * handler → envelope (warnings for ignored fields on non-empty answers), response wrapping,
 * audit, and the request log tests read.
 */
import type { AddressInfo, Server, Socket } from "node:net";
import { type RawRequest, type RawResponse, createHttp1Server } from "./http1";
import { type Clock, createClock, rfc3339 } from "./clock";
import {
  type Answer,
  type Ctx,
  type Operation,
  type Route,
  type RouteTable,
  type TokenEntry,
} from "./context";
import { VaultHttpError, permissionDenied } from "./errors";
import { KvV1Store, kvV1Routes, kvV2Routes, KvV2Store } from "./kv";
import {
  FieldError,
  type OpenApiIndex,
  type PathSpec,
  ignoredWarning,
  loadOpenApi,
  replacedWarning,
  validateFields,
} from "./openapi";
import { type MountEntry, PolicyStore, newMount, sysRoutes } from "./sys";
import { TokenStore, tokenRoutes, uuid } from "./tokens";
import type { Capability } from "./acl";

export interface RequestRecord {
  method: string;
  /** Path without "/v1/" and without the query string. */
  path: string;
  status: number;
  warnings: string[];
  errors: string[];
  /**
   * Fields the endpoint does not take. Vault names them in a warning only when it answers with a
   * body; on a 204 it drops them silently — this list has them either way.
   */
  ignored: string[];
  /** The OpenAPI operationId the request was matched to ("" if none). */
  operationId: string;
}

export type Fault =
  | {
      kind: "status";
      status: number;
      times?: number;
      pathPrefix?: string;
      /** For 429: the Retry-After header in seconds (default 1). */
      retryAfterS?: number;
    }
  | { kind: "sealed"; times?: number; pathPrefix?: string }
  | {
      kind: "standby";
      times?: number;
      pathPrefix?: string;
      /** The active node's address: answer 307 to it (else 503, no active node known). */
      activeAddress?: string;
    }
  | { kind: "drop"; times?: number; pathPrefix?: string }
  | { kind: "slow"; delayMs?: number; times?: number; pathPrefix?: string };

export interface VaultDoubleOptions {
  /** The root token's id (default: a random hvs. token). */
  rootToken?: string;
  /** Clock start, ms since epoch (default: Date.now()). */
  startMs?: number;
  /**
   * Mount KV v2 at `secret/` as `vault server -dev` does (default true). false: a Vault with
   * only the always-present mounts (sys/, cubbyhole/, identity/, auth token/).
   */
  devSecretMount?: boolean;
}

/** Extra behaviour (auth methods, audit, wrapping) plugs in here. */
export interface Extension {
  routes(core: VaultCore, table: RouteTable): void;
}

/** The whole state of one double. */
export class VaultCore {
  readonly clock: Clock;
  readonly openapi: OpenApiIndex;
  readonly routes: RouteTable = new Map();
  readonly policies = new PolicyStore();
  readonly tokens: TokenStore;
  readonly mounts = new Map<string, MountEntry>();
  readonly authMounts = new Map<string, MountEntry>();
  readonly kv = new Map<string, KvV2Store>();
  readonly kvV1 = new Map<string, KvV1Store>();
  readonly rootToken: TokenEntry;
  /** Called for every request/response pair (the audit device listens). */
  readonly auditSinks: ((e: AuditEvent) => void)[] = [];
  /** Called when an auth mount is disabled (approle etc. drop their state). */
  readonly authUnmountHooks: ((m: MountEntry) => void)[] = [];
  sealed = false;
  standby = false;
  /** Sealed by setSealed() or by a pending `sealed` fault (the server sets this). */
  sealedNow: () => boolean = () => this.sealed;

  constructor(opts: VaultDoubleOptions) {
    this.clock = createClock(opts.startMs);
    this.openapi = loadOpenApi();
    this.tokens = new TokenStore(this.clock);
    for (const [p, t] of [
      ["cubbyhole/", "cubbyhole"],
      ["identity/", "identity"],
      ["sys/", "system"],
    ] as const)
      this.mounts.set(p, newMount(p, t));
    if (opts.devSecretMount !== false) {
      const m = newMount("secret/", "kv", { options: { version: "2" } });
      this.mounts.set("secret/", m);
      this.onMount(m);
    }
    this.authMounts.set("token/", newMount("token/", "token"));
    this.rootToken = this.tokens.create({
      policies: ["root"],
      parent: "",
      path: "auth/token/root",
      id: opts.rootToken,
      displayName: "",
    }).entry;
    this.rootToken.displayName = "root";

    tokenRoutes(
      { store: this.tokens, isSudo: (ctx) => this.hasCapability(ctx.token, ctx.path, "sudo") },
      this.routes,
    );
    kvV2Routes((ctx) => this.kv.get(ctx.mountPath)!, this.routes);
    kvV1Routes(
      (ctx) => this.kvV1.get(ctx.mountPath)!,
      (ctx) => this.mounts.get(ctx.mountPath)?.config.default_lease_ttl || 768 * 3600,
      this.routes,
    );
    sysRoutes(
      {
        clock: this.clock,
        policies: this.policies,
        mounts: this.mounts,
        authMounts: this.authMounts,
        onMount: (m) => this.onMount(m),
        onUnmount: (m) => {
          this.kv.delete(m.path);
          this.kvV1.delete(m.path);
        },
        onAuthUnmount: (m) => {
          this.revokePrefix(`auth/${m.path}`);
          this.authUnmountHooks.forEach((h) => h(m));
        },
        capabilitiesOf: (pols, path) => this.capabilitiesOf(pols, path),
        tokenByIdOrAccessor: (kind, v) =>
          kind === "id" ? this.tokens.get(v) : this.tokens.getByAccessor(v),
        sealed: () => this.sealedNow(),
        standby: () => this.standby,
      },
      this.routes,
    );
  }

  /** Give a kv mount its store (also after a tune that upgrades version 1 to 2). */
  private onMount(m: MountEntry) {
    if (m.type !== "kv") return;
    if (m.options?.version === "2") {
      if (!this.kv.has(m.path)) this.kv.set(m.path, new KvV2Store(this.clock));
      this.kvV1.delete(m.path);
    } else if (!this.kvV1.has(m.path)) this.kvV1.set(m.path, new KvV1Store());
  }

  revokePrefix(prefix: string) {
    for (const t of [...this.tokens.byId.values()])
      if (t.path.startsWith(prefix)) this.tokens.revokeTree(t.id);
  }

  hasCapability(token: TokenEntry | undefined, path: string, cap: Capability): boolean {
    if (!token) return false;
    const acl = this.policies.acl(token.policies);
    if (acl.root) return true;
    const caps = acl.capabilities(path);
    return !caps.has("deny") && caps.has(cap);
  }

  /** sys/capabilities*: "root", "deny", or the sorted capabilities. */
  capabilitiesOf(policies: readonly string[], path: string): string[] {
    const acl = this.policies.acl(policies);
    if (acl.root) return ["root"];
    const caps = acl.capabilities(path);
    if (caps.size === 0 || caps.has("deny")) return ["deny"];
    return [...caps].sort();
  }

  /**
   * Where a path goes: the OpenAPI group and the mount. Order as Vault's router: sys/, then the
   * auth mounts under auth/, then the secrets mounts (longest prefix wins).
   */
  resolve(
    path: string,
  ):
    | { group: string; rest: string; mount?: MountEntry; mountPath: string; mountType: string }
    | undefined {
    if (path === "sys" || path.startsWith("sys/"))
      return { group: "fixed", rest: path, mountPath: "sys/", mountType: "system" };
    if (path.startsWith("auth/")) {
      const inner = path.slice(5);
      const m = longestPrefix(this.authMounts, inner);
      if (!m) return undefined;
      if (m.type === "token")
        return {
          group: "fixed",
          rest: path,
          mount: m,
          mountPath: "auth/token/",
          mountType: "token",
        };
      const t = m.type === "oidc" ? "jwt" : m.type;
      return {
        group: `auth:${t}`,
        rest: inner.slice(m.path.length),
        mount: m,
        mountPath: `auth/${m.path}`,
        mountType: m.type,
      };
    }
    const m = longestPrefix(this.mounts, path);
    if (!m) return undefined;
    if (m.type === "identity" || m.type === "cubbyhole")
      return { group: "fixed", rest: path, mount: m, mountPath: m.path, mountType: m.type };
    const group =
      m.type === "kv"
        ? m.options?.version === "2"
          ? "secret:kv_v2"
          : "secret:kv_v1"
        : `secret:${m.type}`;
    return {
      group,
      rest: path.slice(m.path.length),
      mount: m,
      mountPath: m.path,
      mountType: m.type,
    };
  }
}

function longestPrefix(table: Map<string, MountEntry>, path: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  const p = path.endsWith("/") ? path : `${path}/`;
  for (const m of table.values())
    if (p.startsWith(m.path) && (!best || m.path.length > best.path.length)) best = m;
  return best;
}

/** One request/response pair as the audit device sees it. */
export interface AuditEvent {
  requestId: string;
  time: number;
  token?: TokenEntry;
  operation: Operation;
  path: string;
  mountType: string;
  mountAccessor: string;
  remoteAddr: string;
  namespace: string;
  data: Record<string, unknown>;
  wrapTtl: number;
  status: number;
  answer?: Answer | null;
  errors?: string[];
  /** Set when the response was wrapped: what the client got. */
  wrapInfo?: Record<string, unknown>;
}

const METHOD_OPS: Record<string, Operation | "write"> = {
  GET: "read",
  LIST: "list",
  POST: "write",
  PUT: "write",
  DELETE: "delete",
};

/** Response-wrapping store: a wrapping token → the answer it holds (vault/wrapping.go). */
export interface WrappedAnswer {
  answer: Answer;
  creationPath: string;
  creationTime: number;
  ttl: number;
}

export class VaultDoubleServer {
  readonly requests: RequestRecord[] = [];
  private readonly faults: (Fault & { left: number })[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  readonly wrapped = new Map<string, WrappedAnswer>();

  constructor(readonly core: VaultCore) {
    this.server = createHttp1Server(async (req) => {
      try {
        const after: (() => void)[] = [];
        try {
          return await this.handle(req, after);
        } finally {
          after.forEach((f) => f());
        }
      } catch (e) {
        // A bug in the double: answer 500 (saying so) and keep serving.
        return {
          status: 500,
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({
            errors: [`vault double internal error: ${(e as Error).message}`],
          }),
        };
      }
    });
    core.sealedNow = () => core.sealed || this.faults.some((f) => f.kind === "sealed");
    this.server.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  fault(f: Fault): void {
    const times = f.times ?? 1;
    if (!(times > 0))
      throw new Error("fault: times must be > 0 (use Infinity for until clearFaults())");
    this.faults.push({ ...f, left: times });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  private takeFault(path: string): Fault | undefined {
    // sys/health and sys/seal-status answer a sealed Vault themselves (and do not use up the fault).
    const statusPath = path === "sys/health" || path === "sys/seal-status";
    const i = this.faults.findIndex(
      (f) =>
        (!f.pathPrefix || path.startsWith(f.pathPrefix)) && !(statusPath && f.kind === "sealed"),
    );
    if (i < 0) return undefined;
    const f = this.faults[i];
    f.left -= 1;
    if (f.left <= 0) this.faults.splice(i, 1);
    return f;
  }

  private record(
    method: string,
    path: string,
    status: number,
    warnings: string[],
    errors: string[],
    ignored: string[],
    operationId: string,
  ) {
    this.requests.push({ method, path, status, warnings, errors, ignored, operationId });
  }

  private send(status: number, body: unknown, headers: Record<string, string> = {}): RawResponse {
    if (status === 204) return { status, headers: { "Cache-Control": "no-store", ...headers } };
    return {
      status,
      headers: { "Content-Type": "application/json", "Cache-Control": "no-store", ...headers },
      body: JSON.stringify(body) + "\n",
    };
  }

  private async handle(req: RawRequest, after: (() => void)[]): Promise<RawResponse | "drop"> {
    const core = this.core;
    const method = req.method;
    const url = new URL(req.url, "http://127.0.0.1");
    const fullPath = decodeURIComponent(url.pathname);
    let path = fullPath.startsWith("/v1/") ? fullPath.slice(4) : fullPath.replace(/^\//, "");
    const bodyText = req.body.toString("utf8");
    let ignored: string[] = [];
    let operationId = "";

    const fail = (
      status: number,
      errors: string[],
      headers: Record<string, string> = {},
      body?: Record<string, unknown>,
    ) => {
      this.record(method, path, status, [], errors, ignored, operationId);
      return this.send(status, { ...(body ?? {}), errors }, headers);
    };

    // ---- faults
    const f = this.takeFault(path);
    if (f) {
      switch (f.kind) {
        case "drop":
          this.record(method, path, 0, [], ["connection dropped"], [], "");
          return "drop";
        case "slow":
          await new Promise((r) => setTimeout(r, f.delayMs ?? 1000));
          break;
        case "sealed":
          return fail(503, ["Vault is sealed"]);
        case "standby": {
          // http/handler.go respondStandby: a standby that does not forward redirects (307) to
          // the active node, or answers 503 when it knows none.
          if (!f.activeAddress) return fail(503, ["no active Vault instance found"]);
          const location = `${f.activeAddress.replace(/\/$/, "")}${url.pathname}${url.search}`;
          this.record(method, path, 307, [], [], [], "");
          return { status: 307, headers: { Location: location } };
        }
        case "status": {
          const headers: Record<string, string> = {};
          let msg = "internal error";
          if (f.status === 429) {
            headers["Retry-After"] = String(f.retryAfterS ?? 1);
            msg = `request path "${path}": rate limit quota exceeded`;
          } else if (f.status === 503) msg = "Vault is sealed";
          else if (f.status === 502 || f.status === 504) msg = "upstream error";
          return fail(f.status, [msg], headers);
        }
      }
    }
    if (core.sealed && path !== "sys/health" && path !== "sys/seal-status")
      return fail(503, ["Vault is sealed"]);

    if (!fullPath.startsWith("/v1/")) return fail(404, []);

    // ---- method and data
    let kind = METHOD_OPS[method];
    if (!kind) return fail(405, ["unsupported operation"]);
    let data: Record<string, unknown> = {};
    if (kind === "write") {
      if (bodyText.trim() !== "") {
        try {
          const parsed: unknown = JSON.parse(bodyText);
          if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
            return fail(400, ["error parsing JSON"]);
          data = parsed as Record<string, unknown>;
        } catch (e) {
          return fail(400, [`failed to parse JSON input: ${(e as Error).message}`]);
        }
      }
    } else {
      for (const [k, v] of url.searchParams) {
        if (k === "list") continue;
        const prev = data[k];
        data[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
      }
      if (kind === "read" && ["true", "1"].includes(url.searchParams.get("list") ?? ""))
        kind = "list";
    }
    // A LIST is always for a "directory": Vault adds the trailing slash (http/logical.go).
    if (kind === "list" && !path.endsWith("/")) path = `${path}/`;

    // ---- namespace: the double is a Vault without namespaces (Vault CE): only the root.
    const ns = String(req.headers["x-vault-namespace"] ?? "").replace(/^\/+|\/+$/g, "");
    if (ns !== "" && ns !== "root")
      return fail(404, [`no handler for route "${ns}/${path}". route entry not found.`]);

    // ---- route
    const where = core.resolve(path);
    if (!where) return fail(404, [`no handler for route "${path}". route entry not found.`]);
    const match = core.openapi.match(where.group, where.rest);
    if (!match) return fail(404, ["unsupported path"]);
    const spec: PathSpec = match.spec;
    operationId = opSpecFor(spec, kind)?.operationId ?? "";
    const opSpec = opSpecFor(spec, kind);
    if (!opSpec) return fail(405, ["unsupported operation"]);
    const captures = { ...match.params };
    for (const k of Object.keys(captures)) if (/_mount_path$/.test(k)) delete captures[k];

    // ---- token
    const tokenId =
      req.headers["x-vault-token"] ?? (req.headers.authorization ?? "").replace(/^Bearer\s+/i, "");
    let token: TokenEntry | undefined;
    if (tokenId) token = core.tokens.get(tokenId);
    const unwrapWithWrappingToken =
      path === "sys/wrapping/unwrap" && token?.path === "sys/wrapping/wrap";
    if (!spec.unauthenticated && !token) return fail(403, ["permission denied"]);
    // A limited-use token spends a use on every request it makes, allowed or not (vault
    // request_handling.go: "we want to decrement the use count even in the case of an error");
    // after its last use it is revoked once the request is done.
    if (token && !unwrapWithWrappingToken && token.numUses > 0) {
      token.numUses -= 1;
      const spent = token;
      if (spent.numUses === 0) after.push(() => core.tokens.revokeTree(spent.id));
    }

    // ---- fields
    let fields: ReturnType<typeof validateFields> | undefined;
    let fieldError: string | undefined;
    try {
      fields = validateFields(opSpec, spec.fields, data, captures);
      ignored = fields.ignored;
    } catch (e) {
      if (!(e instanceof FieldError)) throw e;
      fieldError = e.message;
    }

    const wrapHeader = String(req.headers["x-vault-wrap-ttl"] ?? "");
    // The HTTP layer reads the wrap TTL before anything runs (http/handler.go parseRequest…).
    if (wrapHeader && parseWrapTtl(wrapHeader) === undefined)
      return fail(400, ["error parsing wrap TTL"]);
    const ctx: Ctx = {
      requestId: uuid(),
      op: kind === "write" ? "update" : kind,
      path,
      mountPath: where.mountPath,
      params: match.params,
      f: fields?.values ?? {},
      raw: data,
      token,
      clock: core.clock,
      remoteAddr: req.remoteAddress,
      namespace: "",
      wrapTtl: wrapHeader ? (parseWrapTtl(wrapHeader) ?? 0) : 0,
    };
    const route: Route | undefined = core.routes.get(spec.key);
    let op: Operation = ctx.op;
    if (kind === "write") {
      op =
        spec.createSupported && route?.exists && fields && !route.exists(ctx) ? "create" : "update";
      (ctx as { op: Operation }).op = op;
    }

    // ---- ACL
    if (!spec.unauthenticated && !unwrapWithWrappingToken) {
      const acl = core.policies.acl(token!.policies);
      if (!acl.allows(path, op, spec.sudo)) {
        const e = permissionDenied();
        this.audit(ctx, token, data, wrapHeader, e.status, undefined, e.errors);
        return fail(e.status, e.errors);
      }
    }
    if (fieldError) return fail(400, [fieldError]);

    const handler = route ? pickHandler(route, kind) : undefined;
    if (!handler)
      return fail(501, [
        `the Vault API double does not model ${method} ${path} (${operationId || spec.key})`,
      ]);

    // ---- handle
    let answer: Answer | null;
    try {
      answer = handler(ctx);
    } catch (e) {
      if (!(e instanceof VaultHttpError)) throw e;
      this.audit(ctx, token, data, wrapHeader, e.status, undefined, e.errors);
      return fail(e.status, e.errors, {}, e.body);
    }

    if (answer === null) {
      this.audit(ctx, token, data, wrapHeader, 204, null);
      this.record(method, path, 204, [], [], ignored, operationId);
      return this.send(204, undefined);
    }
    const warnings = [...(answer.warnings ?? [])];
    if (fields && fields.ignored.length > 0) warnings.push(ignoredWarning(fields.ignored));
    if (fields && fields.replaced.length > 0) warnings.push(replacedWarning(fields.replaced));
    const status = answer.status ?? 200;
    if (answer.bare) {
      this.audit(ctx, token, data, wrapHeader, status, answer);
      this.record(method, path, status, warnings, [], ignored, operationId);
      return this.send(status, answer.data);
    }

    const wrapTtl = answer.forceWrapTtl ?? ctx.wrapTtl;
    const requestId = ctx.requestId;
    let body: Record<string, unknown>;
    let wrapInfo: Record<string, unknown> | undefined;
    if (wrapTtl && wrapTtl > 0 && status === 200) {
      wrapInfo = this.wrap(answer, path, wrapTtl);
      body = envelope(requestId, { warnings }, where.mountType);
      body.wrap_info = wrapInfo;
    } else {
      body = envelope(requestId, { ...answer, warnings }, where.mountType);
    }
    if (answer.top) for (const [k, v] of Object.entries(answer.top)) if (!(k in body)) body[k] = v;
    this.audit(ctx, token, data, wrapHeader, status, answer, undefined, wrapInfo);
    this.record(method, path, status, warnings, [], ignored, operationId);
    return this.send(status, body);
  }

  /** Store an answer behind a single-use wrapping token (vault/wrapping.go wrapInCubbyhole). */
  wrap(answer: Answer, creationPath: string, ttl: number): Record<string, unknown> {
    const { entry } = this.core.tokens.create({
      policies: ["response-wrapping"],
      parent: "",
      path: "sys/wrapping/wrap",
      ttl,
      numUses: 1,
      noDefaultPolicy: true,
      renewable: false,
    });
    entry.renewable = false;
    const now = this.core.clock.now();
    this.wrapped.set(entry.id, { answer, creationPath, creationTime: now, ttl });
    const info: Record<string, unknown> = {
      token: entry.id,
      accessor: entry.accessor,
      ttl,
      creation_time: rfc3339(now),
      creation_path: creationPath,
    };
    if (answer.auth?.accessor) info.wrapped_accessor = answer.auth.accessor;
    const d = answer.data as Record<string, unknown> | undefined;
    if (typeof d?.secret_id_accessor === "string") info.wrapped_accessor = d.secret_id_accessor;
    return info;
  }

  private audit(
    ctx: Ctx,
    token: TokenEntry | undefined,
    data: Record<string, unknown>,
    wrapHeader: string,
    status: number,
    answer: Answer | null | undefined,
    errors?: string[],
    wrapInfo?: Record<string, unknown>,
  ) {
    if (this.core.auditSinks.length === 0) return;
    const where = this.core.resolve(ctx.path);
    const event: AuditEvent = {
      requestId: ctx.requestId,
      time: this.core.clock.now(),
      token,
      operation: ctx.op,
      path: ctx.path,
      mountType: where?.mountType ?? "",
      mountAccessor: where?.mount?.accessor ?? "",
      remoteAddr: ctx.remoteAddr,
      namespace: "",
      data,
      wrapTtl: wrapHeader ? (parseWrapTtl(wrapHeader) ?? 0) : 0,
      status,
      answer,
      errors,
      wrapInfo,
    };
    for (const sink of this.core.auditSinks) sink(event);
  }
}

function opSpecFor(spec: PathSpec, kind: Operation | "write") {
  switch (kind) {
    case "read":
      return spec.read;
    case "list":
      return spec.list;
    case "write":
    case "create":
    case "update":
      return spec.write;
    case "delete":
      return spec.delete;
  }
}

function pickHandler(route: Route, kind: Operation | "write") {
  switch (kind) {
    case "read":
      return route.read;
    case "list":
      return route.list;
    case "delete":
      return route.delete;
    default:
      return route.write;
  }
}

/** X-Vault-Wrap-TTL: seconds or a Go duration ("5m"). */
function parseWrapTtl(v: string): number | undefined {
  if (/^\d+$/.test(v)) return parseInt(v, 10);
  const m = /^(\d+)(s|m|h)$/.exec(v);
  if (!m) return undefined;
  return parseInt(m[1], 10) * { s: 1, m: 60, h: 3600 }[m[2] as "s" | "m" | "h"];
}

function envelope(requestId: string, a: Answer, mountType: string): Record<string, unknown> {
  return {
    request_id: requestId,
    lease_id: "",
    renewable: a.renewable ?? false,
    lease_duration: a.leaseDuration ?? 0,
    data: a.data ?? null,
    wrap_info: null,
    warnings: a.warnings && a.warnings.length > 0 ? a.warnings : null,
    auth: a.auth ?? null,
    mount_type: mountType,
  };
}
