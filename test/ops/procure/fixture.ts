/**
 * A procurement world: the Vault API double (KV v2 mounts `tokens` for the needs' tokens and
 * `tw-creds` for the providers' client credentials), the loopback authorization server, and a
 * manifest on disk pointing at both. Commands run in-process with VAULT_ADDR/VAULT_TOKEN in their
 * environment and (for `put`) a token on stdin.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { startVaultDouble, type VaultDouble } from "../../vault-double";
import {
  startOAuthServer,
  type OAuthServerOptions,
  type OAuthTestServer,
} from "../../support/oauth-server";
import { VaultClient } from "../../../vault/client";
import { runCommand } from "../../support/run-cli";
import type { CliIO, Command } from "../../../cli/io";

export const CANARY_SECRET = "canary-secret-3b1e6f0a9d27c4";
export const STATIC_CANARY = "canary-static-token-55e0c2a1f9";

export interface World {
  readonly vault: VaultDouble;
  readonly as: OAuthTestServer;
  /** A root client for arranging and inspecting Vault state. */
  readonly admin: VaultClient;
  readonly dir: string;
  readonly manifest: string;
  close(): Promise<void>;
}

export interface WorldOptions extends OAuthServerOptions {
  /** Extra YAML for the stripe provider (e.g. `grace: 1h`). */
  readonly stripeExtra?: string;
  /** Needs appended to the manifest. */
  readonly extraNeeds?: string;
  /** Leave the revocation endpoint out of the stripe provider. */
  readonly noRevocation?: boolean;
}

export async function startWorld(o: WorldOptions = {}): Promise<World> {
  const vault = await startVaultDouble();
  const as = await startOAuthServer({ clientSecret: CANARY_SECRET, ...o });
  const admin = new VaultClient({
    address: vault.address,
    token: vault.rootToken,
    retries: 0,
  });
  for (const mount of ["tokens", "tw-creds"])
    await admin.write(`sys/mounts/${mount}`, { type: "kv", options: { version: "2" } });
  await admin.write("tw-creds/data/stripe", {
    data: { client_id: as.secretClient.clientId, client_secret: CANARY_SECRET },
  });
  await admin.write("tw-creds/data/payments-key", {
    data: {
      client_id: as.keyClient.clientId,
      private_key: as.keyClient.privateKeyPem,
      key_id: as.keyClient.keyId,
    },
  });
  await admin.write("tw-creds/data/analytics", {
    data: {
      issuer: as.bearer.issuer,
      private_key: as.bearer.privateKeyPem,
      key_id: as.bearer.keyId,
    },
  });
  const dir = mkdtempSync(path.join(tmpdir(), "tw-procure-"));
  const manifest = path.join(dir, "access-needs.yaml");
  writeFileSync(manifest, manifestYaml(as, o));
  return {
    vault,
    as,
    admin,
    dir,
    manifest,
    async close() {
      await as.close();
      await vault.close();
    },
  };
}

function manifestYaml(as: OAuthTestServer, o: WorldOptions): string {
  return `version: 1
defaults: { ttl: 1h, maxTtl: 24h, rotation: 30d }
vault: { kvMount: tokens }
consumers:
  - { name: billing-api, owner: team-billing@example.com, auth: approle }
providers:
  - name: stripe
    kind: oauth2-client-credentials
    tokenUrl: ${as.tokenUrl}
${o.noRevocation ? "" : `    revocationUrl: ${as.revocationUrl}\n`}    credentials: tw-creds/data/stripe
    scopes: [charges:read, charges:write, refunds:write, reports:read]
${o.stripeExtra ?? ""}
  - name: payments
    kind: oauth2-client-credentials
    tokenUrl: ${as.tokenUrl}
    revocationUrl: ${as.revocationUrl}
    credentials: tw-creds/data/payments-key
    clientAuth: private_key_jwt
    scopes: [charges:read, charges:write]
  - name: analytics
    kind: jwt-bearer
    tokenUrl: ${as.tokenUrl}
    revocationUrl: ${as.revocationUrl}
    credentials: tw-creds/data/analytics
    scopes: [reports:read]
  - { name: legacy, kind: static, scopes: [read], grace: 2h }
needs:
  - name: billing-charges
    consumer: billing-api
    provider: stripe
    scopes: [charges:read]
    access: read
    owner: team-billing@example.com
    justification: Reconcile charges nightly
    expires: 2027-06-30
  - name: billing-payments
    consumer: billing-api
    provider: payments
    scopes: [charges:read]
    access: read
    owner: team-billing@example.com
    justification: Read payments
    expires: 2027-06-30
  - name: billing-reports
    consumer: billing-api
    provider: analytics
    scopes: [reports:read]
    access: read
    owner: team-billing@example.com
    justification: Nightly reports
    expires: 2027-06-30
  - name: billing-legacy
    consumer: billing-api
    provider: legacy
    scopes: [read]
    access: read
    owner: team-billing@example.com
    justification: Legacy API without OAuth
    expires: 2027-06-30
${o.extraNeeds ?? ""}`;
}

export interface Ran {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs a command module in-process against the world, with `stdin` as standard input. */
export async function runIn(
  w: World,
  name: string,
  command: Command,
  argv: string[],
  stdin = "",
): Promise<Ran> {
  let out = "";
  let err = "";
  const io: CliIO = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    interactive: false,
    env: { VAULT_ADDR: w.vault.address, VAULT_TOKEN: w.vault.rootToken },
    cwd: w.dir,
    readStdin: async () => stdin,
  };
  const code = await runCommand(name, command, argv, io);
  return { code, out, err };
}

/** KV v2 metadata of a need's entry, read as root. */
export async function entryMeta(w: World, provider: string, need: string) {
  return (await w.admin.read(`tokens/metadata/${provider}/${need}`)) as
    | {
        current_version: number;
        versions: Record<string, { destroyed: boolean; created_time: string }>;
        custom_metadata: Record<string, string> | null;
        max_versions: number;
      }
    | undefined;
}

/** The data of one version (undefined when destroyed). */
export async function entryData(
  w: World,
  provider: string,
  need: string,
  version?: number,
): Promise<Record<string, string> | undefined> {
  const q = version === undefined ? "" : `?version=${version}`;
  const res = await w.admin.request("GET", `tokens/data/${provider}/${need}${q}`);
  if (res.status !== 200) return undefined;
  return (res.body as { data: { data: Record<string, string> } }).data.data;
}

/** What the stack writes for an entry before any procurement: max_versions and its metadata. */
export async function stackMetadata(w: World, provider: string, need: string): Promise<void> {
  await w.admin.write(`tokens/metadata/${provider}/${need}`, {
    max_versions: 2,
    custom_metadata: {
      owner: "team-billing@example.com",
      consumer: "billing-api",
      need,
      provider,
      scopes: "charges:read",
      managed_by: "tokenwarden",
    },
  });
}
