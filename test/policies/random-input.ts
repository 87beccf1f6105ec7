/**
 * Random policy input documents for the differential test: they reach the parts of the document a
 * manifest never produces (hand-written policies, root/default/orphan tokens, unknowns, parse
 * errors, plain token values, missing limits, no declaration) and the edges of every rule
 * (values at the limits, invalid dates, `+` and `*` paths). Deterministic per seed.
 */
import type { InputNeed, PolicyInput } from "../../policies/input/types";
import { seededRandom } from "../../bench/gen-manifest";

const SEGMENTS = [
  "secret",
  "tokens",
  "auth",
  "sys",
  "data",
  "metadata",
  "app",
  "billing",
  "approle",
];
const GLOBS = ["*", "+", "x*", "*y", "sys*", "pol*"];
// Paths with power over Vault (and near misses), so TW014–TW016 and TW027 meet every edge.
const VAULT_CONTROL_PATHS = [
  "sys/policies/acl/tw-n0",
  "sys/policies/password/x",
  "sys/policy",
  "sys/*",
  "sys/pol*",
  "sys/p*",
  "+/policies/acl/x",
  "*",
  "auth/token/create",
  "auth/token/create-orphan",
  "auth/token/lookup-self",
  "auth/+/role/*",
  "auth/approle/role/c0/secret-id",
  "auth/approle/login",
  "auth/jwt/config",
  "sys/auth/jwt",
  "identity/entity/id/x",
  "identity/group*",
  "sys/mounts/secret",
  "sys/remount",
  "sys/leases/revoke-prefix/aws",
  "sys/leases/renew",
  "sys/raw",
  "sys/raw/*",
  "sys/seal",
  "sys/seal-status",
  "sys/generate-root/attempt",
  "sys/namespaces/team",
  "sys/plugins/catalog/secret/x",
  "sys/tools/hash",
  "sys/wrapping/unwrap",
  "sys/audit",
  "sys/audit/file",
  "sys/audit*",
  "sys/audit-hash/file",
  "sys/config/auditing/request-headers/x",
];
const CAPS = ["read", "list", "create", "update", "patch", "delete", "sudo", "deny", "recover"];
const ACCESS = ["read", "read", "write", "admin", "owner"];
const TTLS = [null, 0, 60, 900, 3600, 5400, 86400, 90000, 172800, 2592000, 2595600, 1.5, -60];
const ROTATIONS = [null, 1800, 3600, 604800, 2592000, 7776000, 7862400];
const DATES = [
  null,
  "2026-11-29",
  "2026-11-30",
  "2027-06-30",
  "2027-11-30",
  "2027-12-01",
  "2027-02-30",
  "2028-02-29",
  "2030-01-01",
  "not-a-date",
  "0000-01-01",
  "1690-01-01",
  "2262-04-12",
  "2261-12-31",
  "2027-6-30",
  "2027-06-30T00:00:00Z",
  " 2027-06-30",
  "+202-01-01",
  "2027-06-3a",
];
const NOWS = ["2026-11-30T12:00:00Z", "2026-11-30T00:00:00Z", "2027-12-01T23:59:59.5+02:00"];
const SCOPES = [
  "charges:read",
  "charges:write",
  "refunds:write",
  "admin:org",
  "repo",
  "Read.All",
  "*",
];
const TEXTS = [null, "", "  ", "team@example.com"];

export function randomInput(seed: number): PolicyInput {
  const r = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const chance = (p: number): boolean => r() < p;
  const some = <T>(xs: readonly T[], max: number): T[] =>
    Array.from({ length: Math.floor(r() * (max + 1)) }, () => pick(xs));

  const path = (): string => {
    const n = 1 + Math.floor(r() * 4);
    const segs = Array.from({ length: n }, () => (chance(0.15) ? pick(GLOBS) : pick(SEGMENTS)));
    if (chance(0.25)) return pick(VAULT_CONTROL_PATHS);
    return segs.join("/") + (chance(0.2) ? "*" : "");
  };
  const rules = () => some([0], 3).map(() => ({ path: path(), capabilities: some(CAPS, 3) }));

  const providers = [
    { name: "vault", kind: "vault-token", scopes: [], max_ttl_seconds: pick([null, 86400]) },
    {
      name: "stripe",
      kind: "static",
      scopes: some(SCOPES, 4),
      max_ttl_seconds: pick([null, 86400, 3600]),
    },
  ];
  const consumers = ["c0", "c1"].map((name) => ({
    name,
    owner: pick(TEXTS),
    auth: "token",
    ...(chance(0.4) ? { cidrs: pick([["10.0.0.0/24"], ["10.0.0.0/24", "192.0.2.7/32"], []]) } : {}),
  }));
  const needCount = Math.floor(r() * 6);
  const needs: InputNeed[] = [];
  for (let i = 0; i < needCount; i++) {
    const thirdParty = chance(0.4);
    needs.push({
      name: `n${i}`,
      consumer: pick(["c0", "c1"]),
      provider: thirdParty ? pick(["stripe", "stripe", "paypal"]) : "vault",
      scopes: thirdParty ? some(SCOPES, 3) : [],
      paths: thirdParty ? [] : rules(),
      access: pick(ACCESS),
      ttl_seconds: pick(TTLS),
      max_ttl_seconds: pick(TTLS),
      rotation_seconds: pick(ROTATIONS),
      owner: pick(TEXTS),
      justification: pick([...TEXTS, "Administers Vault policies for the platform"]),
      expires: pick(DATES),
      default_policy: chance(0.3),
      waivers: [],
      policy_name: `tw-n${i}`,
    });
  }
  const needName = (): string => (needs.length && chance(0.8) ? pick(needs).name : "ghost");
  const unknown = (fields: string[]): { unknown?: string[] } =>
    chance(0.15) ? { unknown: some(fields, 2) } : {};

  const policies: PolicyInput["vault"]["policies"] = [];
  for (const n of needs) {
    if (chance(0.3)) continue; // a need whose policy is not rendered: its paths are judged
    const own = n.paths.map((p) => ({ path: p.path, capabilities: [...p.capabilities] }));
    policies.push({
      name: n.policy_name,
      source: chance(0.5) ? n.name : `urn:pulumi:dev::app::vault:index/policy:Policy::${n.name}`,
      ...(chance(0.5) ? { need: n.name } : {}),
      rules: chance(0.5) ? own : [...own, ...rules()],
      ...(chance(0.1) ? { parse_error: `${n.name}.hcl:2,3-4: Unclosed configuration block` } : {}),
      ...unknown(["policy", "name"]),
    });
  }
  for (let i = 0; i < Math.floor(r() * 3); i++) {
    policies.push({ name: `hand-${i}`, source: `vault_policy.hand_${i}`, rules: rules() });
  }
  const tokens = some([0], 3).map((_, i) => ({
    name: `tok${i}`,
    source: `vault_token.tok${i}`,
    ...(chance(0.3) ? { need: needName() } : {}),
    policies: some(["root", "default", "tw-n0", "tw-n1"], 2),
    ttl_seconds: pick(TTLS),
    explicit_max_ttl_seconds: pick(TTLS),
    period_seconds: pick([null, null, 0, 86400]),
    renewable: chance(0.7),
    no_parent: chance(0.2),
    no_default_policy: chance(0.6),
    meta: {
      ...(chance(0.7) ? { need: pick([needName(), "", "  "]) } : {}),
      ...(chance(0.2) ? { purpose: pick(["bootstrap", "ci"]) } : {}),
    } as Record<string, string>,
    ...(chance(0.8) ? { display_name: pick([null, "", "billing", `tok${i}`]) } : {}),
    ...(chance(0.8) ? { num_uses: pick([null, 0, 1, 3]) } : {}),
    ...unknown(["ttl", "explicit_max_ttl", "policies", "num_uses", "display_name", "meta"]),
  }));
  const roles = some([0], 3).map((_, i) => randomRole(i, { r, pick, chance, some, unknown }));
  const secrets = needs
    .filter((n) => n.provider !== "vault" && chance(0.8))
    .map((n) => ({
      path: chance(0.7) ? `tokens/${n.provider}/${n.name}` : `tokens/data/${n.provider}/${n.name}`,
      source: chance(0.5) ? n.name : `vault_kv_secret_v2.${n.name}`,
      ...(chance(0.4) ? { need: n.name } : {}),
      custom_metadata: (chance(0.5) ? { need: n.name } : {}) as Record<string, string>,
      ...(chance(0.15) ? { plain_token_fields: ["data_json"] } : {}),
      ...unknown(["path", "custom_metadata"]),
    }));
  // Third-party needs whose policies reach their KV entry, as the grant plan renders them.
  for (const p of policies) {
    const n = needs.find((x) => x.policy_name === p.name);
    if (n && n.provider !== "vault" && chance(0.8)) {
      p.rules.push({ path: `tokens/data/${n.provider}/${n.name}`, capabilities: ["read"] });
    }
  }

  const limits: Record<string, number> = {};
  if (chance(0.8)) limits.max_ttl_seconds = pick([2592000, 86400]);
  if (chance(0.8)) limits.max_rotation_seconds = pick([7776000, 604800]);
  if (chance(0.8)) limits.max_need_lifetime_seconds = pick([31536000, 7776000]);
  if (chance(0.2)) limits.long_lived_token_seconds = 3600;

  const doc: PolicyInput = {
    now: pick(NOWS),
    limits: limits as PolicyInput["limits"],
    needs,
    consumers,
    providers,
    vault: { policies, tokens, roles, secrets },
  };
  if (chance(0.3)) doc.plain_values = [{ source: "Pulumi.dev.yaml", field: "app:stripeKey" }];
  if (chance(0.7)) doc.has_declaration = chance(0.8);
  return doc;
}

interface Dice {
  r: () => number;
  pick: <T>(xs: readonly T[]) => T;
  chance: (p: number) => boolean;
  some: <T>(xs: readonly T[], max: number) => T[];
  unknown: (fields: string[]) => { unknown?: string[] };
}

const JWT_CLAIMS: readonly Record<string, string[]>[] = [
  {},
  { aud: ["vault"] },
  { aud: ["vault"], iss: ["https://token.actions.githubusercontent.com"] },
  { repository: ["org/app"], ref: ["refs/heads/main"] },
  { repository: ["org/app"] },
  { repository_owner: ["org"] },
  { environment: ["prod"] },
  { sub: ["repo:org/app:ref:refs/heads/main"] },
  { sub: ["repo:org/app:ref:refs/heads/*"] },
  { sub: ["repo:org/*:ref:refs/heads/main"] },
  { sub: ["repo:org/app:environment:prod"] },
  { sub: ["repo:org/app:pull_request"] },
  { sub: [] },
  { project_path: ["group/app"], ref: ["main*"] },
  { repository: ["org/app"], ref: ["refs/heads/release-*", "refs/heads/main"] },
];

/** A role of any kind, with the login-binding and token-shape fields set at random. */
function randomRole(i: number, d: Dice): PolicyInput["vault"]["roles"][number] {
  const { pick, chance, some } = d;
  const kind = pick(["approle", "token", "jwt", "kubernetes"]);
  const role: PolicyInput["vault"]["roles"][number] = {
    name: `role${i}`,
    kind,
    source: `vault_${kind}_auth_backend_role.r${i}`,
    token_policies: some(["root", "default", "tw-n0"], 2),
    token_ttl_seconds: pick(TTLS),
    token_max_ttl_seconds: pick(TTLS),
    secret_id_ttl_seconds: kind === "approle" ? pick([null, 3600, 604800]) : null,
    ...(chance(0.6) ? { consumer: pick(["c0", "c1", "nobody"]) } : {}),
    ...d.unknown([
      "token_ttl",
      "token_max_ttl",
      "token_policies",
      "secret_id_ttl",
      "secret_id_num_uses",
      "secret_id_bound_cidrs",
      "token_bound_cidrs",
      "bound_service_account_names",
      "bound_claims",
      "bound_subject",
      "bound_claims_type",
      "allowed_policies_glob",
      "token_explicit_max_ttl",
      "token_type",
    ]),
  };
  if (chance(0.2)) return role; // a document from before these fields existed
  role.token_bound_cidrs = pick([[], [], ["10.0.0.0/24"]]);
  role.token_period_seconds = pick([null, null, 0, 3600, 172800]);
  role.token_explicit_max_ttl_seconds = pick([null, 3600, 2595600]);
  role.token_type = pick([null, "service", "batch", "default-batch", "default"]);
  role.token_num_uses = pick([null, 0, 2]);
  switch (kind) {
    case "approle":
      role.secret_id_num_uses = pick([null, 0, 1, 10]);
      role.secret_id_bound_cidrs = pick([[], [], ["10.0.0.0/24"]]);
      break;
    case "kubernetes":
      role.bound_service_account_names = pick([["web"], ["*"], ["web-*"], [], ["web", "*"]]);
      role.bound_service_account_namespaces = pick([["prod"], ["*"], ["team-*"], []]);
      break;
    case "jwt":
      role.bound_audiences = pick([[], ["vault"]]);
      role.bound_subject = pick([null, "", "repo:org/app:ref:refs/heads/main", "svc:x"]);
      role.bound_claims = { ...pick(JWT_CLAIMS) };
      role.bound_claims_type = pick([null, "string", "glob"]);
      break;
    case "token":
      role.allowed_policies = some(["tw-n0", "tw-n1", "root", "default", "other"], 2);
      role.allowed_policies_glob = pick([[], [], ["tw-*"], ["tw-n0"]]);
      role.orphan = chance(0.3);
      break;
  }
  return role;
}
