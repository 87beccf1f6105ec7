/**
 * A small manifest covering every kind of object the lifecycle commands judge, and a live state
 * that matches its grant plan exactly — the "nothing drifted" baseline each test then breaks in
 * one way.
 */
import { parseManifestText, type Manifest } from "../../../model";
import { declare, type Declared } from "../../../ops/lifecycle/declared";
import type {
  LiveKvEntry,
  LiveRole,
  LiveState,
  LiveToken,
} from "../../../ops/lifecycle/live-types";

export const MANIFEST = `version: 1
defaults: { ttl: 1h, maxTtl: 8h, rotation: 30d }
vault: { kvMount: tokens }
consumers:
  - { name: billing-api, owner: team-billing@example.com, auth: approle }
  - { name: reporting-cron, owner: data@example.com, auth: token }
  - name: web
    owner: web@example.com
    auth: kubernetes
    kubernetes: { serviceAccounts: [web], namespaces: [prod] }
providers:
  - { name: vault, kind: vault-token }
  - { name: stripe, kind: static, scopes: [charges:read] }
needs:
  - name: billing-stripe-charges
    consumer: billing-api
    provider: stripe
    scopes: [charges:read]
    access: read
    owner: team-billing@example.com
    justification: Reconcile charges
    expires: 2027-06-30
  - name: billing-vault-config
    consumer: billing-api
    provider: vault
    paths: [{ path: secret/data/billing/config, capabilities: [read] }]
    access: read
    owner: team-billing@example.com
    justification: Read config
    expires: 2027-06-30
  - name: reporting-warehouse-read
    consumer: reporting-cron
    provider: vault
    paths: [{ path: database/creds/warehouse, capabilities: [read] }]
    access: read
    owner: data@example.com
    justification: Nightly report
    expires: 2027-01-15
  - name: web-session
    consumer: web
    provider: vault
    paths: [{ path: secret/data/web/session, capabilities: [read] }]
    access: read
    owner: web@example.com
    justification: Sign cookies
    expires: 2027-03-31
`;

export const NOW = Date.parse("2026-12-01T12:00:00Z");
const nowS = NOW / 1000;

export function manifest(text = MANIFEST): Manifest {
  return parseManifestText(text, "access-needs.yaml");
}

export function declared(text = MANIFEST): Declared {
  return declare(manifest(text));
}

let counter = 0;
export function token(over: Partial<LiveToken> = {}): LiveToken {
  counter++;
  return {
    accessor: `acc-${counter}`,
    policies: ["default"],
    meta: {},
    displayName: "token",
    path: "auth/token/create",
    creationTime: nowS - 3600,
    issueTime: new Date(NOW - 3_600_000).toISOString(),
    expireTime: new Date(NOW + 3_600_000).toISOString(),
    ttl: 3600,
    creationTtl: 7200,
    explicitMaxTtl: 0,
    period: 0,
    orphan: false,
    renewable: true,
    ...over,
  };
}

/** Vault exactly as `pulumi up` of `d` leaves it (plus a root token and an operator policy). */
export function cleanLive(d: Declared): LiveState {
  const tokens: LiveToken[] = [
    token({ accessor: "root-acc", policies: ["root"], displayName: "root", expireTime: undefined }),
  ];
  const roles: LiveRole[] = [];
  const kvEntries: LiveKvEntry[] = [];
  for (const r of d.roles.values()) {
    roles.push({
      kind: r.kind,
      mount: r.mount,
      name: r.name,
      policies: [...r.policies],
      ...(r.ttl !== undefined ? { ttl: r.ttl } : {}),
      ...(r.maxTtl !== undefined ? { maxTtl: r.maxTtl } : {}),
    });
  }
  for (const n of d.needs.values()) {
    const t = n.grant.token;
    if (t) {
      tokens.push(
        token({
          accessor: `decl-${n.need.name}`,
          policies: [...t.policies],
          meta: { ...t.meta, next_rotation: new Date(NOW + 10 * 86_400_000).toISOString() },
          displayName: `token-${t.displayName}`,
          role: t.roleName,
          path: `auth/token/create/${t.roleName}`,
          explicitMaxTtl: t.explicitMaxTtl,
        }),
      );
    }
    const kv = n.grant.kvEntry;
    if (kv) {
      kvEntries.push({
        mount: kv.mount,
        path: kv.name,
        customMetadata: {
          ...kv.customMetadata,
          next_rotation: new Date(NOW + 86_400_000).toISOString(),
        },
        currentVersion: 1,
        lastWritten: new Date(NOW - 86_400_000).toISOString(),
      });
    }
  }
  return {
    address: "http://vault.test",
    scannedAt: NOW,
    tokens,
    policies: [
      { name: "default" },
      { name: "ops-admin" },
      ...[...d.policies.values()].map((n) => ({
        name: n.grant.policy.name,
        hcl: n.grant.policy.hcl,
      })),
    ],
    roles,
    kvMount: "tokens",
    kvEntries,
    unread: [],
    partial: { tokens: false, kv: false, roles: [] },
    requests: 0,
  };
}
