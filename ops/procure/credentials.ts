/**
 * A provider's client credentials and signing keys live in Vault, at the path the manifest names
 * (`providers[].credentials`) — never in the manifest, argv or the environment. This reads that
 * entry (KV v2 `data.data`, or a KV v1 / other engine's `data`) and checks it holds what the
 * provider's client authentication needs. Messages name the path and the missing key, never a value.
 */
import { createPrivateKey } from "node:crypto";
import type { VaultClient } from "../../vault/client";
import type { ClientAuthMethod, JwtBearerProvider, OAuth2Provider } from "../../model";
import type { SecretSet } from "./secrets";

export type FetchedProvider = OAuth2Provider | JwtBearerProvider;

export interface ProviderCredentials {
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** PEM (PKCS#8) private key for private_key_jwt and JWT-bearer assertions. */
  readonly privateKey?: string;
  readonly keyId?: string;
  /** JWS algorithm; derived from the key when the entry does not say. */
  readonly alg?: string;
  /** JWT-bearer assertion issuer and subject (a service account); default: the client id. */
  readonly issuer?: string;
  readonly subject?: string;
  /** The client authentication this provider is called with. */
  readonly clientAuth: ClientAuthMethod;
}

/** The credentials entry is missing, unreadable or lacks a key the provider needs. */
export class CredentialsError extends Error {
  override name = "CredentialsError";
}

const KEYS = ["client_id", "client_secret", "private_key", "key_id", "alg", "issuer", "subject"];

export async function readCredentials(
  vault: VaultClient,
  provider: FetchedProvider,
  secrets: SecretSet,
): Promise<ProviderCredentials> {
  const path = provider.credentials;
  if (path === undefined) {
    throw new CredentialsError(
      `provider ${provider.name}: no credentials path — set providers[].credentials to the Vault path holding its client credentials`,
    );
  }
  const data = await vault.read<Record<string, unknown>>(path);
  if (data === undefined) {
    throw new CredentialsError(
      `provider ${provider.name}: credentials entry ${path} not found in Vault`,
    );
  }
  // KV v2 wraps the entry in data.data next to data.metadata.
  const entry =
    isObj(data.data) && isObj(data.metadata) ? data.data : (data as Record<string, unknown>);
  const fields: Record<string, string> = {};
  for (const k of KEYS) {
    const v = entry[k];
    if (typeof v === "string" && v !== "") fields[k] = v;
  }
  secrets.add(fields.client_secret);
  secrets.add(fields.private_key);

  const clientAuth =
    provider.clientAuth ??
    (fields.client_secret !== undefined
      ? "client_secret_basic"
      : fields.private_key !== undefined && provider.kind === "oauth2-client-credentials"
        ? "private_key_jwt"
        : "none");
  const need = (key: string, why: string) => {
    if (fields[key] === undefined)
      throw new CredentialsError(
        `provider ${provider.name}: credentials entry ${path} has no ${key} (${why})`,
      );
  };
  if (provider.kind === "oauth2-client-credentials" || clientAuth !== "none")
    need("client_id", "the client identifier");
  if (clientAuth === "client_secret_basic" || clientAuth === "client_secret_post")
    need("client_secret", `${clientAuth} authenticates with it`);
  if (clientAuth === "private_key_jwt") need("private_key", "private_key_jwt signs with it");
  if (provider.kind === "jwt-bearer") {
    need("private_key", "the RFC 7523 assertion is signed with it");
    if (fields.issuer === undefined && fields.client_id === undefined)
      need("issuer", "the assertion's iss claim");
  }
  let alg = fields.alg;
  if (fields.private_key !== undefined && alg === undefined) {
    alg = algorithmOf(fields.private_key, provider.name, path);
  }
  return {
    clientAuth,
    ...(fields.client_id !== undefined ? { clientId: fields.client_id } : {}),
    ...(fields.client_secret !== undefined ? { clientSecret: fields.client_secret } : {}),
    ...(fields.private_key !== undefined ? { privateKey: fields.private_key } : {}),
    ...(fields.key_id !== undefined ? { keyId: fields.key_id } : {}),
    ...(alg !== undefined ? { alg } : {}),
    ...(fields.issuer !== undefined ? { issuer: fields.issuer } : {}),
    ...(fields.subject !== undefined ? { subject: fields.subject } : {}),
  };
}

/** RS256 for RSA, ES256/384/512 by curve, EdDSA for Ed25519 — what RFC 7518 pairs with each key. */
function algorithmOf(pem: string, provider: string, path: string): string {
  let key;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch {
    throw new CredentialsError(
      `provider ${provider}: credentials entry ${path}: private_key is not a PEM private key`,
    );
  }
  const type = key.asymmetricKeyType;
  if (type === "rsa" || type === "rsa-pss") return "RS256";
  if (type === "ed25519") return "EdDSA";
  if (type === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === "prime256v1") return "ES256";
    if (curve === "secp384r1") return "ES384";
    if (curve === "secp521r1") return "ES512";
  }
  throw new CredentialsError(
    `provider ${provider}: credentials entry ${path}: cannot tell the signing algorithm of private_key; set alg`,
  );
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
