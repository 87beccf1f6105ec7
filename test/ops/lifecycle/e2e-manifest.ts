/** The manifest the end-to-end lifecycle tests apply to the Vault double: token-auth consumers, a
 * third-party need with a KV entry, one review date inside the default 14-day window. */
export const E2E_MANIFEST = `version: 1
defaults: { ttl: 1h, maxTtl: 8h, rotation: 30d }
vault: { kvMount: tokens }
consumers:
  - { name: reporting-cron, owner: data@example.com, auth: token }
  - { name: billing-batch, owner: team-billing@example.com, auth: token }
providers:
  - { name: vault, kind: vault-token }
  - { name: stripe, kind: static, scopes: [charges:read] }
needs:
  - name: reporting-warehouse-read
    consumer: reporting-cron
    provider: vault
    paths: [{ path: database/creds/warehouse, capabilities: [read] }]
    access: read
    owner: data@example.com
    justification: Nightly report
    expires: 2026-12-10
  - name: reporting-stripe
    consumer: reporting-cron
    provider: stripe
    scopes: [charges:read]
    access: read
    owner: data@example.com
    justification: Revenue report
    expires: 2027-09-30
  - name: billing-config
    consumer: billing-batch
    provider: vault
    paths: [{ path: secret/data/billing/config, capabilities: [read] }]
    access: read
    owner: team-billing@example.com
    justification: Read config
    expires: 2027-06-30
`;
