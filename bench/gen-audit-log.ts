/**
 * Writes synthetic Vault file-audit logs for a manifest: what the tokens tokenwarden provisions
 * would leave in Vault's audit devices, in Vault's JSON-lines format, with the trouble real logs
 * have. Used by the audit tests (which check the analysis against the truth returned here) and by
 * the throughput benchmark.
 *
 *   node dist/bench/gen-audit-log.js --manifest m.yaml --out <dir> [--size 100M | --requests N]
 *        [--days 30] [--end <RFC3339>] [--devices 1|2] [--rotate N] [--gzip] [--problems] [--seed n]
 *
 * Each request is a "request" line and a "response" line sharing `request.id`, written to every
 * device: device "file" HMACs accessors (Vault's default), device "file-raw" has
 * hmac_accessor=false and misses about 1 in 100 entries (Vault only needs one device to succeed),
 * so the union of devices is the complete picture. HMACs are salted per device, as in Vault.
 * Injected on purpose (and returned as `truth`): a need never used, a rule and capabilities never
 * used, denied requests, a use from a new remote address, a token used after its need rotated,
 * uses after a need's review date, a root-token use; with --problems also malformed lines, and a
 * live log cut mid-line. --rotate N splits each device into N files (`audit.log.2.gz`,
 * `audit.log.1`, `audit.log`; older ones gzipped with --gzip).
 */
import { createHmac } from "node:crypto";
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { InputError } from "../errors";
import { benchUsageError, readBenchArgs, type BenchCommand } from "./args";
import { loadManifest, planGrants, type Manifest, type NeedGrantPlan } from "../model";
import { seededRandom } from "./gen-manifest";

export interface GenDevice {
  /** Vault path of the device; the log file is `<name>/audit.log` under the output dir. */
  readonly name: string;
  readonly hmacAccessor: boolean;
  /** log_raw=true: client tokens and data unhashed (the secrets test uses this). */
  readonly logRaw?: boolean;
  /** Fraction of entries this device misses. */
  readonly dropRate?: number;
}

export interface GenAuditOptions {
  readonly manifest: Manifest;
  readonly outDir: string;
  readonly seed?: number;
  /** Last entry's time (ms); default 2026-12-01T00:00:00Z. */
  readonly endMs?: number;
  readonly days?: number;
  /** Number of requests (each a request line and a response line per device). */
  readonly requests?: number;
  /** Or: stop once the first device's log reaches this many bytes. */
  readonly bytes?: number;
  readonly devices?: readonly GenDevice[];
  /** Split each device's log into this many rotated files (default 1). */
  readonly rotate?: number;
  readonly gzip?: boolean;
  /** Insert malformed lines, and cut the live log of the first device mid-line. */
  readonly problems?: boolean;
  /** Needs never used (default: the manifest's last need). */
  readonly unused?: readonly string[];
  /**
   * Inject the anomalies (denied requests, a new remote address, a root-token use, a token used
   * after rotation); default true. Uses after a review date follow from the manifest either way.
   */
  readonly anomalies?: boolean;
  /** Third-party token value returned by KV reads (a canary for the secrets tests). */
  readonly secretValue?: string;
}

export interface GenTruth {
  /** Distinct requests (each counted once whatever the devices). */
  readonly requests: number;
  readonly usesByNeed: Record<string, number>;
  readonly lastUseByNeed: Record<string, number>;
  readonly unused: readonly string[];
  readonly denied: number;
  readonly newAddress?: {
    readonly need: string;
    readonly address: string;
    readonly timeMs: number;
  };
  readonly afterRotation?: { readonly need: string; readonly uses: number };
  readonly afterLapse: Record<string, number>;
  readonly rootUses: number;
  /** Malformed lines inserted (plus one truncated line when `truncated`). */
  readonly malformed: number;
  readonly truncated: boolean;
  /** Files written, per device, oldest first. */
  readonly files: Record<string, string[]>;
  /** Raw accessor → the device HMACs, so tests can play sys/audit-hash. */
  readonly accessors: readonly string[];
  readonly salts: Record<string, string>;
  /** Every client token issued (the secrets tests look for them in output). */
  readonly clientTokens: readonly string[];
  readonly startMs: number;
  readonly endMs: number;
}

const DAY = 86_400_000;
/** A response is logged this long after its request (uses are timed by their response). */
const RESPONSE_DELAY_MS = 3;
const DEFAULT_DEVICES: readonly GenDevice[] = [
  { name: "file", hmacAccessor: true },
  { name: "file-raw", hmacAccessor: false, dropRate: 0.01 },
];

interface Token {
  readonly accessor: string;
  readonly clientToken: string;
  readonly issueMs: number;
  readonly policies: readonly string[];
  readonly meta: Readonly<Record<string, string>>;
  readonly displayName: string;
  readonly ttl: number;
}

interface NeedSim {
  readonly plan: NeedGrantPlan;
  readonly addresses: readonly string[];
  readonly rotationMs: number;
  readonly expiresMs?: number;
  /** Concrete (path, operation) pairs this need uses. */
  readonly uses: readonly (readonly [string, string])[];
  readonly tokenFor: (tMs: number, genOffset?: number) => Token;
}

const B62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const CAP_OP: Readonly<Record<string, string>> = {
  read: "read",
  list: "list",
  create: "create",
  update: "update",
  delete: "delete",
  patch: "patch",
};

/** The concrete paths a rule's pattern stands for in the generated traffic. */
export function concretePaths(pattern: string): string[] {
  const p = pattern.replace(/\+/g, "svc1");
  return p.endsWith("*") ? ["alpha", "beta", "gamma"].map((s) => p.slice(0, -1) + s) : [p];
}

export function generateAuditLogs(o: GenAuditOptions): GenTruth {
  const rnd = seededRandom(o.seed ?? 1);
  const rid = (n: number) => {
    let s = "";
    for (let i = 0; i < n; i++) s += B62[Math.floor(rnd() * 62)];
    return s;
  };
  const hex = (n: number) => {
    let s = "";
    for (let i = 0; i < n; i++) s += "0123456789abcdef"[Math.floor(rnd() * 16)];
    return s;
  };
  const uuid = () => `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
  const endMs = o.endMs ?? Date.parse("2026-12-01T00:00:00Z");
  const days = o.days ?? 30;
  const startMs = endMs - days * DAY;
  const devices = o.devices ?? DEFAULT_DEVICES;
  const salts: Record<string, string> = {};
  for (const d of devices) salts[d.name] = `salt-${d.name}-${o.seed ?? 1}`;
  const hmac = (device: string, v: string) =>
    "hmac-sha256:" + createHmac("sha256", salts[device]).update(v).digest("hex");

  const plan = planGrants(o.manifest);
  const needPlans = plan.consumers.flatMap((c) => c.needs);
  const lastNeed = needPlans.at(-1)?.need;
  const unused = new Set(o.unused ?? (lastNeed ? [lastNeed] : []));
  const accessors: string[] = [];
  const clientTokens: string[] = [];
  const tokenCache = new Map<string, Token>();
  const newToken = (
    key: string,
    issueMs: number,
    policies: readonly string[],
    meta: Record<string, string>,
    displayName: string,
  ): Token => {
    const hit = tokenCache.get(key);
    if (hit) return hit;
    const t: Token = {
      accessor: rid(24),
      clientToken: "hvs." + rid(24),
      issueMs,
      policies,
      meta,
      displayName,
      ttl: 3600,
    };
    accessors.push(t.accessor);
    clientTokens.push(t.clientToken);
    tokenCache.set(key, t);
    return t;
  };

  const sims: NeedSim[] = [];
  plan.consumers.forEach((cp, ci) => {
    const addresses = [`10.${ci + 1}.0.10`, `10.${ci + 1}.0.11`];
    for (const np of cp.needs) {
      const need = o.manifest.needs.find((n) => n.name === np.need);
      const rotationMs = (need?.rotation ?? 7 * 86_400) * 1000;
      const expiresMs = need?.expires ? Date.parse(need.expires) + DAY : undefined;
      // Uses: every rule but the last of a multi-rule policy, first capability of each rule only:
      // so the analysis has something to narrow.
      const rules = np.policy.rules.length > 1 ? np.policy.rules.slice(0, -1) : np.policy.rules;
      const uses: [string, string][] = [];
      for (const r of rules) {
        const cap = r.capabilities.find((c) => CAP_OP[c] !== undefined);
        if (!cap) continue;
        const paths = concretePaths(r.path);
        for (const p of paths.length > 1 ? paths.slice(0, 2) : paths) uses.push([p, CAP_OP[cap]]);
      }
      // Per-need tokens (token-auth consumers) are re-issued every rotation period; role logins
      // (approle, kubernetes, jwt) get a fresh token a day, carrying all the consumer's policies.
      const tokenFor = (tMs: number, genOffset = 0): Token => {
        if (cp.auth === "token" && np.token) {
          const gen = Math.floor((tMs - (startMs - 3 * DAY)) / rotationMs) + genOffset;
          return newToken(
            `${np.need}#${gen}`,
            startMs - 3 * DAY + gen * rotationMs,
            [...np.token.policies],
            { ...np.token.meta },
            `token-${np.token.displayName}`,
          );
        }
        const day = Math.floor((tMs - startMs) / DAY) + genOffset;
        const meta: Record<string, string> =
          cp.auth === "approle"
            ? { role_name: cp.role.roleName }
            : cp.auth === "kubernetes"
              ? {
                  role: cp.role.roleName,
                  service_account_name: "sa",
                  service_account_namespace: "prod",
                }
              : { role: cp.role.roleName };
        return newToken(
          `${cp.consumer}#${day}`,
          startMs + day * DAY,
          ["default", ...cp.needs.map((n) => n.policy.name).sort()],
          meta,
          `${cp.auth}-${cp.role.roleName}`,
        );
      };
      sims.push({ plan: np, addresses, rotationMs, expiresMs, uses, tokenFor });
    }
  });
  const active = sims.filter((s) => !unused.has(s.plan.need) && s.uses.length > 0);

  // Output: one fd per device per rotated part; parts split the time range evenly.
  const parts = Math.max(1, o.rotate ?? 1);
  const files: Record<string, string[]> = {};
  const fds: number[][] = [];
  const bufs: string[][] = [];
  const written: number[] = devices.map(() => 0);
  for (const [di, d] of devices.entries()) {
    const dir = join(o.outDir, d.name);
    mkdirSync(dir, { recursive: true });
    files[d.name] = [];
    fds.push([]);
    bufs.push([]);
    for (let p = 0; p < parts; p++) {
      const n = parts - 1 - p;
      const f = join(dir, n === 0 ? "audit.log" : `audit.log.${n}`);
      files[d.name].push(f);
      fds[di].push(openSync(f, "w"));
    }
  }
  let part = 0;
  const flush = (di: number) => {
    if (bufs[di].length === 0) return;
    writeSync(fds[di][part], bufs[di].join(""));
    bufs[di] = [];
  };
  const emit = (di: number, line: string) => {
    bufs[di].push(line + "\n");
    written[di] += line.length + 1;
    if (bufs[di].length >= 2048) flush(di);
  };

  const truth = {
    requests: 0,
    usesByNeed: {} as Record<string, number>,
    lastUseByNeed: {} as Record<string, number>,
    unused: [...unused],
    denied: 0,
    newAddress: undefined as GenTruth["newAddress"],
    afterRotation: undefined as { need: string; uses: number } | undefined,
    afterLapse: {} as Record<string, number>,
    rootUses: 0,
    malformed: 0,
    truncated: false,
  };
  const rootToken: Token = {
    accessor: rid(24),
    clientToken: "hvs." + rid(24),
    issueMs: startMs - 90 * DAY,
    policies: ["root"],
    meta: {},
    displayName: "root",
    ttl: 0,
  };
  accessors.push(rootToken.accessor);
  clientTokens.push(rootToken.clientToken);
  const secretValue = o.secretValue ?? "sk_live_" + rid(20);

  const total = o.requests ?? (o.bytes !== undefined ? Number.MAX_SAFE_INTEGER : 2000);
  // Mean gap so that `total` requests (or a size estimate) span the range.
  const estimate = o.bytes !== undefined ? Math.ceil(o.bytes / (2 * 1450)) : total;
  const gap = (days * DAY) / estimate;
  let t = startMs;
  // Special events at fixed points of the time range.
  const inject = o.anomalies ?? true;
  const special = {
    root: inject ? startMs + 0.5 * days * DAY : Infinity,
    newAddr: inject ? startMs + 0.8 * days * DAY : Infinity,
    denied: inject ? [0.3, 0.6, 0.9].map((f) => startMs + f * days * DAY) : [],
  };
  // Use after rotation is judged for per-need tokens (token-auth consumers), which tokenwarden
  // re-issues on rotation.
  const rotating = !inject
    ? undefined
    : active.find((s) => s.rotationMs < days * DAY * 0.6 && s.plan.token !== undefined);
  let afterRotationDone = 0;
  const currentIssue = (s: NeedSim, tMs: number) =>
    startMs - 3 * DAY + Math.floor((tMs - (startMs - 3 * DAY)) / s.rotationMs) * s.rotationMs;

  for (let i = 0; i < total; i++) {
    t += gap * (0.5 + rnd());
    if (t > endMs) {
      if (o.bytes === undefined) t = endMs - rnd() * 1000;
      else break;
    }
    if (o.bytes !== undefined && written[0] >= o.bytes) break;
    const nextPart = Math.min(parts - 1, Math.floor(((t - startMs) / (days * DAY)) * parts));
    if (nextPart !== part) {
      for (const [di] of devices.entries()) flush(di);
      part = nextPart;
    }
    let sim = active[Math.floor(rnd() * active.length)];
    let token: Token;
    let [path, op] = sim ? sim.uses[Math.floor(rnd() * sim.uses.length)] : ["sys/health", "read"];
    let address = sim ? sim.addresses[Math.floor(rnd() * sim.addresses.length)] : "10.0.0.1";
    let denied = false;
    if (!sim) break;
    let genOffset = 0;
    if (special.root <= t) {
      special.root = Infinity;
      token = rootToken;
      path = "sys/policies/acl/tw-" + sim.plan.need;
      op = "update";
      truth.rootUses++;
    } else {
      if (special.newAddr <= t) {
        special.newAddr = Infinity;
        address = "192.0.2.77";
        truth.newAddress = {
          need: sim.plan.need,
          address,
          timeMs: Math.floor(t) + RESPONSE_DELAY_MS,
        };
      } else if (special.denied.length > 0 && special.denied[0] <= t) {
        special.denied.shift();
        path = "secret/data/not-granted/" + sim.plan.need;
        op = "read";
        denied = true;
        truth.denied++;
      } else if (
        rotating &&
        afterRotationDone < 3 &&
        t > startMs + 0.4 * days * DAY &&
        t - currentIssue(rotating, t) > 2 * DAY &&
        rnd() < 0.05
      ) {
        // The previous generation's token, still in use two rotations' worth of grace later.
        sim = rotating;
        [path, op] = sim.uses[0];
        address = sim.addresses[0];
        genOffset = -1;
        afterRotationDone++;
        truth.afterRotation = { need: sim.plan.need, uses: afterRotationDone };
      }
      token = sim.tokenFor(t, genOffset);
      if (!denied) {
        truth.usesByNeed[sim.plan.need] = (truth.usesByNeed[sim.plan.need] ?? 0) + 1;
        truth.lastUseByNeed[sim.plan.need] = Math.floor(t) + RESPONSE_DELAY_MS;
        if (sim.expiresMs !== undefined && t >= sim.expiresMs)
          truth.afterLapse[sim.plan.need] = (truth.afterLapse[sim.plan.need] ?? 0) + 1;
      }
    }
    truth.requests++;
    const id = uuid();
    const reqTime = new Date(Math.floor(t)).toISOString().replace("Z", "123456Z");
    const respTime = new Date(Math.floor(t) + RESPONSE_DELAY_MS)
      .toISOString()
      .replace("Z", "654321Z");
    const mountType = path.startsWith("sys/") ? "system" : "kv";
    const kv = mountType === "kv";
    const body = op === "create" || op === "update" || op === "patch";
    for (const [di, d] of devices.entries()) {
      const skipReq = d.dropRate !== undefined && rnd() < d.dropRate;
      const skipResp = d.dropRate !== undefined && rnd() < d.dropRate;
      const h = (v: string) => (d.logRaw ? v : hmac(d.name, v));
      const acc = d.hmacAccessor ? h(token.accessor) : token.accessor;
      const auth = {
        client_token: h(token.clientToken),
        accessor: acc,
        display_name: token.displayName,
        policies: token.policies,
        token_policies: token.policies,
        policy_results: { allowed: !denied },
        ...(Object.keys(token.meta).length > 0 ? { metadata: token.meta } : {}),
        entity_id: token.policies.includes("root") ? "" : "e-" + token.accessor.slice(0, 8),
        token_type: "service",
        token_ttl: token.ttl,
        token_issue_time: new Date(token.issueMs).toISOString().replace(".000Z", "Z"),
      };
      const request = {
        id,
        client_id: "c-" + token.accessor.slice(0, 6),
        operation: op,
        mount_point: kv ? path.split("/")[0] + "/" : "sys/",
        mount_type: mountType,
        mount_accessor: kv ? "kv_7a1c2d3e" : "system_5e8f9a0b",
        mount_running_version: "v0.20.0+builtin",
        mount_class: "secret",
        client_token: h(token.clientToken),
        client_token_accessor: acc,
        namespace: { id: "root" },
        path,
        ...(body ? { data: { value: h(secretValue) } } : {}),
        remote_address: address,
        remote_port: 40000 + Math.floor(rnd() * 20000),
      };
      if (!skipReq)
        emit(
          di,
          JSON.stringify({
            time: reqTime,
            type: "request",
            auth,
            request,
            ...(denied ? { error: "permission denied" } : {}),
          }),
        );
      const response = denied
        ? { mount_type: mountType }
        : {
            mount_point: request.mount_point,
            mount_type: mountType,
            mount_accessor: request.mount_accessor,
            mount_running_plugin_version: "v0.20.0+builtin",
            mount_class: "secret",
            ...(op === "read" && kv
              ? {
                  data: {
                    data: { token: h(secretValue) },
                    metadata: {
                      created_time: h("2026-11-01T00:00:00Z"),
                      custom_metadata: { owner: h(sim.plan.owner ?? "") },
                      version: 2,
                    },
                  },
                }
              : {}),
          };
      // A request the ACL refuses gets its request line (with the error) and no response line, as
      // Vault writes it (the token check in request_handling.go fails before routing).
      if (!skipResp && !denied)
        emit(
          di,
          JSON.stringify({
            time: respTime,
            type: "response",
            auth,
            request,
            response,
            ...(denied ? { error: "1 error occurred:\n\t* permission denied\n\n" } : {}),
          }),
        );
      if (o.problems && di === 0 && truth.requests % 97 === 0) {
        const bad = [
          '{"time":"2026-11-0',
          "\u0000\u0001 binary junk \u00ff",
          "[1,2,3]",
          '{"type":"request","request":{"id":"x"}}',
          '{"time":"2026-11-05T10:00:00Z","type":"login","request":{"id":"y"}}',
        ][truth.malformed % 5];
        emit(di, bad);
        truth.malformed++;
      }
    }
  }
  for (const [di] of devices.entries()) flush(di);
  if (o.problems) {
    const last = fds[0][parts - 1];
    writeSync(last, '{"time":"2026-11-30T23:59:59.1Z","type":"response","auth":{"accessor":"hm');
    truth.truncated = true;
    truth.malformed++;
  }
  for (const list of fds) for (const fd of list) closeSync(fd);
  if (o.gzip) {
    for (const d of devices) {
      files[d.name] = files[d.name].map((f, i) => {
        if (i === parts - 1) return f;
        writeFileSync(f + ".gz", gzipSync(readFileSync(f)));
        unlinkSync(f);
        return f + ".gz";
      });
    }
  }
  return {
    ...truth,
    files,
    accessors,
    salts,
    clientTokens,
    startMs,
    endMs,
  };
}

function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)B?$/i.exec(s.trim());
  if (!m) throw new Error(`expected e.g. 100M or 1G, got ${s}`);
  const mult = { "": 1, K: 1 << 10, M: 1 << 20, G: 1 << 30 }[
    m[2].toUpperCase() as "" | "K" | "M" | "G"
  ];
  return Math.round(Number(m[1]) * mult);
}

const COMMAND: BenchCommand = {
  name: "gen-audit-log.js",
  usage: `usage: node dist/bench/gen-audit-log.js --out <dir> [--manifest m.yaml] [--size 100M | --requests N]
       [--days 30] [--end <RFC3339>] [--devices 1|2] [--rotate N] [--gzip] [--problems] [--seed n]`,
  flags: {
    manifest: { value: true },
    out: { value: true },
    size: { value: true },
    requests: { value: true },
    days: { value: true },
    end: { value: true },
    devices: { value: true },
    rotate: { value: true },
    gzip: {},
    problems: {},
    seed: { value: true },
  },
};

/** The flag's value as a whole number of at least `min`, or a usage error naming the flag. */
function wholeFlag(
  args: ReturnType<typeof readBenchArgs>,
  name: string,
  fallback: string,
  min: number,
): number {
  const n = Number(args.get(name, fallback));
  if (!Number.isSafeInteger(n) || n < min)
    benchUsageError(COMMAND, `--${name} takes a whole number ≥ ${min}`);
  return n;
}

if (require.main === module) {
  const args = readBenchArgs(COMMAND, process.argv.slice(2));
  const manifestFile = args.get("manifest", "examples/access-needs.yaml") as string;
  const out = args.get("out");
  if (!out) benchUsageError(COMMAND, "--out <dir> is required");
  if (args.positionals.length)
    benchUsageError(COMMAND, `unexpected argument ${args.positionals[0]}`);
  const nDevices = wholeFlag(args, "devices", "1", 1);
  let bytes: number | undefined;
  if (args.has("size")) {
    try {
      bytes = parseSize(args.get("size") as string);
    } catch (err) {
      benchUsageError(COMMAND, `--size: ${(err as Error).message}`);
    }
  }
  const endMs = args.has("end") ? Date.parse(args.get("end") as string) : undefined;
  if (endMs !== undefined && Number.isNaN(endMs))
    benchUsageError(COMMAND, "--end takes an RFC 3339 time");
  let manifest: Manifest;
  try {
    manifest = loadManifest(manifestFile);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    process.stderr.write(`gen-audit-log.js: ${err.message}\n`);
    process.exit(2);
  }
  const truth = generateAuditLogs({
    manifest,
    outDir: out,
    bytes,
    requests: args.has("requests") ? wholeFlag(args, "requests", "0", 1) : undefined,
    days: wholeFlag(args, "days", "30", 1),
    endMs,
    devices: DEFAULT_DEVICES.slice(0, Math.min(2, nDevices)),
    rotate: wholeFlag(args, "rotate", "1", 1),
    gzip: args.has("gzip"),
    problems: args.has("problems"),
    seed: wholeFlag(args, "seed", "1", 0),
  });
  process.stdout.write(
    `${truth.requests} requests; files:\n` +
      Object.values(truth.files)
        .flat()
        .map((f) => `  ${f}\n`)
        .join(""),
  );
}
