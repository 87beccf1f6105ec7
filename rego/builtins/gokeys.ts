/**
 * Keys as OPA returns them: OPA marshals Go's crypto key structs with encoding/json, so policies
 * see Go's exported field names and big integers as (arbitrary-precision) JSON numbers.
 *   *rsa.PrivateKey    {N, E, D, Primes, Precomputed: {Dp, Dq, Qinv, CRTValues}}
 *   *rsa.PublicKey     {N, E}
 *   *ecdsa.PrivateKey  {Curve, X, Y, D}   (Curve is a struct of unexported fields: {} in Go's JSON)
 *   ed25519 keys       []byte → base64 (private: seed followed by public key, as Go holds it)
 */
import type { JsonWebKey, KeyObject } from "node:crypto";

function big(b64url: string | undefined): bigint {
  const hex = Buffer.from(b64url ?? "", "base64url").toString("hex");
  return hex ? BigInt("0x" + hex) : 0n;
}

export function goPrivateKey(key: KeyObject): Record<string, unknown> | string {
  const jwk = key.export({ format: "jwk" }) as JsonWebKey;
  switch (key.asymmetricKeyType) {
    case "rsa":
      return {
        N: big(jwk.n),
        E: big(jwk.e),
        D: big(jwk.d),
        Primes: [big(jwk.p), big(jwk.q)],
        Precomputed: { Dp: big(jwk.dp), Dq: big(jwk.dq), Qinv: big(jwk.qi), CRTValues: [] },
      };
    case "ec":
      return { Curve: {}, X: big(jwk.x), Y: big(jwk.y), D: big(jwk.d) };
    case "ed25519":
      return Buffer.concat([
        Buffer.from(jwk.d ?? "", "base64url"),
        Buffer.from(jwk.x ?? "", "base64url"),
      ]).toString("base64");
    default:
      throw new Error(`unsupported private key type ${String(key.asymmetricKeyType)}`);
  }
}

export function goPublicKey(key: KeyObject): Record<string, unknown> | string {
  const jwk = key.export({ format: "jwk" }) as JsonWebKey;
  switch (key.asymmetricKeyType) {
    case "rsa":
      return { N: big(jwk.n), E: big(jwk.e) };
    case "ec":
      return { Curve: {}, X: big(jwk.x), Y: big(jwk.y) };
    case "ed25519":
      return Buffer.from(jwk.x ?? "", "base64url").toString("base64");
    default:
      throw new Error(`unsupported public key type ${String(key.asymmetricKeyType)}`);
  }
}

/** Go's x509.PublicKeyAlgorithm numbering. */
const PUBLIC_KEY_ALGORITHMS: Record<string, number> = { rsa: 1, dsa: 2, ec: 3, ed25519: 4 };

export function goPublicKeyAlgorithm(key: KeyObject): number {
  return PUBLIC_KEY_ALGORITHMS[key.asymmetricKeyType ?? ""] ?? 0;
}
