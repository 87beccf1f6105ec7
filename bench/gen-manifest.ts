/**
 * Generates access-needs manifests for benchmarks and random differential tests.
 *
 *   node dist/bench/gen-manifest.js <needs> [--seed <n>] [--violations] > access-needs.yaml
 *
 * Deterministic per seed; about 240 bytes of YAML per need (10,000 needs ≈ 2.4 MB). Every auth kind
 * and provider kind appears. Without `violations` every need is within the limits and least
 * privilege (no policy finding expected); with it, needs randomly carry rule-tripping values — wide
 * wildcards, excess capabilities, missing owner/ttl/rotation/justification, long TTLs, unknown or
 * write scopes on read needs, past or far review dates — while the file stays schema-valid.
 */
import { parseArgs } from "../cli/args";
import { UsageError } from "../errors";

export interface GenerateOptions {
  readonly needs: number;
  readonly seed?: number;
  readonly violations?: boolean;
  /** Probability that a need carries a violation when `violations` is set (default 0.3). */
  readonly violationRate?: number;
}

/**
 * mulberry32: small, fast, and the same sequence in [0, 1) on every platform for a seed (also what
 * the random policy inputs of the differential tests draw from).
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface GenProvider {
  readonly name: string;
  readonly kind: "vault-token" | "static" | "oauth2-client-credentials" | "jwt-bearer";
  readonly readScopes: readonly string[];
  readonly writeScopes: readonly string[];
  /** Provider ceiling, hours. */
  readonly maxTtlHours: number;
  readonly yaml: string;
}

const PROVIDERS: readonly GenProvider[] = [
  {
    name: "vault",
    kind: "vault-token",
    readScopes: [],
    writeScopes: [],
    maxTtlHours: 24,
    yaml: "  - { name: vault, kind: vault-token, maxTtl: 24h }\n",
  },
  {
    name: "stripe",
    kind: "static",
    readScopes: ["charges:read", "customers:read"],
    writeScopes: ["charges:write", "refunds:write"],
    maxTtlHours: 24,
    yaml: "  - name: stripe\n    kind: static\n    scopes: [charges:read, customers:read, charges:write, refunds:write]\n    maxTtl: 24h\n",
  },
  {
    name: "github-app",
    kind: "oauth2-client-credentials",
    readScopes: ["contents:read", "packages:read"],
    writeScopes: ["deployments:write", "contents:write"],
    maxTtlHours: 1,
    yaml:
      "  - name: github-app\n    kind: oauth2-client-credentials\n    tokenUrl: https://auth.example.com/oauth2/token\n" +
      "    scopes: [contents:read, packages:read, deployments:write, contents:write]\n    maxTtl: 1h\n",
  },
  {
    name: "analytics",
    kind: "jwt-bearer",
    readScopes: ["reports.read"],
    writeScopes: ["reports.write"],
    maxTtlHours: 1,
    yaml:
      "  - name: analytics\n    kind: jwt-bearer\n    tokenUrl: https://oauth2.example.com/token\n" +
      "    audience: https://oauth2.example.com/token\n    scopes: [reports.read, reports.write]\n    maxTtl: 1h\n",
  },
];

const AUTH_KINDS = ["approle", "kubernetes", "jwt", "token"] as const;
const READ_CAPS = ["read", "list"];
const WRITE_CAPS = ["create", "read", "update", "patch", "delete", "list"];

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** YAML text of a generated manifest. */
export function generateManifest(opts: GenerateOptions): string {
  const n = Math.max(0, Math.floor(opts.needs));
  const rand = seededRandom(opts.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const violationRate = opts.violations ? (opts.violationRate ?? 0.3) : 0;

  const consumerCount = Math.max(AUTH_KINDS.length, Math.ceil(n / 20));
  const out: string[] = [];
  out.push(
    "# yaml-language-server: $schema=../schema/access-needs.schema.json\n",
    `# generated: needs=${n} seed=${opts.seed ?? 1}${opts.violations ? " violations" : ""}\n`,
    "version: 1\n",
    "limits: { maxTtl: 720h, maxRotation: 90d, maxNeedLifetime: 365d }\n",
    "vault: { kvMount: tokens }\n",
    "consumers:\n",
  );
  const consumers: { name: string; owner: string }[] = [];
  for (let i = 0; i < consumerCount; i++) {
    const auth = AUTH_KINDS[i % AUTH_KINDS.length];
    const name = `c${pad(i, 4)}`;
    const owner = `t${i % 50}@example.com`;
    consumers.push({ name, owner });
    out.push(`  - name: ${name}\n    owner: ${owner}\n    auth: ${auth}\n`);
    if (auth === "kubernetes")
      out.push(`    kubernetes: { serviceAccounts: [${name}], namespaces: [prod] }\n`);
    // Pinned as TW017–TW022 want it: exact identities, repository and ref, limited SecretIDs.
    if (auth === "approle") out.push("    approle: { secretIdNumUses: 100 }\n");
    if (auth === "jwt")
      out.push(
        `    jwt: { boundAudiences: [vault], boundClaims: { repository: example-org/${name}, ref: refs/heads/main } }\n`,
      );
  }
  out.push("providers:\n", ...PROVIDERS.map((p) => p.yaml), "needs:\n");

  const width = Math.max(5, String(n).length);
  for (let i = 0; i < n; i++) {
    // Block sequences at the parent's indent (valid YAML, and ~20 bytes a need smaller).
    // The first consumerCount needs walk the consumers in order so each auth kind gets a need.
    const consumer = i < consumerCount ? consumers[i] : pick(consumers);
    // Half the needs are Vault paths, the rest spread over the third-party providers; the first
    // four needs cover each provider kind.
    const provider =
      i < PROVIDERS.length ? PROVIDERS[i] : rand() < 0.5 ? PROVIDERS[0] : pick(PROVIDERS.slice(1));
    const access = rand() < 0.7 ? "read" : "write";
    const violate = rand() < violationRate;
    const kind = violate ? Math.floor(rand() * 10) : -1;

    const ttlH = pick([1, 1, 2, 4]);
    let ttl = provider.maxTtlHours < ttlH ? `${provider.maxTtlHours * 60}m` : `${ttlH}h`;
    let maxTtl = `${Math.min(provider.maxTtlHours, ttlH * 4)}h`;
    let rotation: string | undefined = pick(["7d", "14d", "30d"]);
    let owner: string | undefined = consumer.owner;
    let justification: string | undefined = `Job ${i}`;
    let expires: string | undefined =
      `2027-0${1 + Math.floor(rand() * 9)}-${pad(1 + Math.floor(rand() * 28), 2)}`;
    if (kind === 3) ttl = "";
    if (kind === 4) {
      ttl = "2000h";
      maxTtl = "3000h";
    }
    if (kind === 5) owner = undefined;
    if (kind === 6) rotation = pick([undefined, "200d"]);
    if (kind === 7) expires = pick(["2020-01-01", "2031-12-31", undefined]);
    if (kind === 8) justification = undefined;
    if (kind === 9) rotation = "30m"; // shorter than the ttl

    const lines: string[] = [
      `- name: n${pad(i, width)}-${provider.name}\n`,
      `  consumer: ${consumer.name}\n`,
      `  provider: ${provider.name}\n`,
    ];
    if (provider.kind === "vault-token") {
      let path = `secret/data/a${i % 997}/n${i}`;
      let caps = access === "read" ? "[read]" : "[read, update]";
      if (kind === 0) path = pick(["*", "secret/*", "+/data/app", "secret/data/+/*"]);
      if (kind === 1) caps = "[read, update, sudo]";
      if (kind === 2) caps = `[${(access === "read" ? READ_CAPS : WRITE_CAPS).join(", ")}, sudo]`;
      // Quoted: a bare `*` would read as a YAML alias.
      lines.push(`  paths: [{ path: "${path}", capabilities: ${caps} }]\n`);
    } else {
      let scope = pick(
        access === "read" ? provider.readScopes : [...provider.readScopes, ...provider.writeScopes],
      );
      if (kind === 0 || kind === 1) scope = "admin:everything";
      if (kind === 2) scope = pick(provider.writeScopes);
      lines.push(`  scopes: [${scope}]\n`);
    }
    lines.push(`  access: ${kind === 2 && provider.kind !== "vault-token" ? "read" : access}\n`);
    if (ttl) lines.push(`  ttl: ${ttl}\n`);
    lines.push(`  maxTtl: ${maxTtl}\n`);
    if (rotation) lines.push(`  rotation: ${rotation}\n`);
    if (owner) lines.push(`  owner: ${owner}\n`);
    if (justification) lines.push(`  justification: ${justification}\n`);
    if (expires) lines.push(`  expires: ${expires}\n`);
    out.push(lines.join(""));
  }
  return out.join("");
}

const USAGE =
  "usage: node dist/bench/gen-manifest.js <needs> [--seed <n>] [--violations] [--rate <0..1>]\n";

/** CLI: `gen-manifest <needs> [--seed n] [--violations]` → YAML on stdout. */
export function main(argv: readonly string[], write: (s: string) => void): number {
  if (argv.includes("--help") || argv.includes("-h")) {
    write(USAGE);
    return 0;
  }
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv, { seed: { value: true }, violations: {}, rate: { value: true } });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`gen-manifest.js: ${err.message}\n${USAGE}`);
    return 2;
  }
  const count = Number(args.positionals[0]);
  const seed = Number(args.get("seed", "1"));
  if (
    args.positionals.length !== 1 ||
    !Number.isSafeInteger(count) ||
    count < 0 ||
    !Number.isSafeInteger(seed)
  ) {
    process.stderr.write(USAGE);
    return 2;
  }
  const rate = args.has("rate") ? Number(args.get("rate")) : undefined;
  if (rate !== undefined && !(rate >= 0 && rate <= 1)) {
    process.stderr.write(`gen-manifest.js: --rate takes a number from 0 to 1\n${USAGE}`);
    return 2;
  }
  write(
    generateManifest({
      needs: count,
      seed,
      violations: args.has("violations"),
      violationRate: rate,
    }),
  );
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2), (s) => process.stdout.write(s));
  } catch (err) {
    process.stderr.write(`gen-manifest: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  }
}
