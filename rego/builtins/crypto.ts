/**
 * Digest and HMAC built-ins, plus JWT decoding, verification and signing (io.jwt.*) on node:crypto.
 * Strings are hashed as their UTF-8 bytes; digests are lower-case hex, as OPA prints them.
 * X.509 helpers (crypto.x509.*) are not part of this engine: OPA returns Go's own certificate
 * structures, which have no faithful equivalent here.
 */
import {
  X509Certificate,
  constants as cryptoConstants,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  sign as cryptoSign,
  timingSafeEqual,
  verify as cryptoVerify,
  type KeyObject,
} from "node:crypto";
import { BuiltinTypeError, defineAll, operandError, type BuiltinDef } from "./types";
import { namedErrors, str } from "./operands";
import { RObject, typeName, type Value } from "../value";
import { marshalJSON, parseJSON } from "./encoding";

function digest(name: string, algo: string): BuiltinDef {
  return {
    name,
    arity: 1,
    args: [["string"]],
    impl: ([s]) =>
      createHash(algo)
        .update(str(name, s, 1), "utf8")
        .digest("hex"),
  };
}

function hmac(name: string, algo: string): BuiltinDef {
  return {
    name,
    arity: 2,
    args: [["string"], ["string"]],
    impl: ([x, key]) =>
      createHmac(algo, Buffer.from(str(name, key, 2), "utf8"))
        .update(str(name, x, 1), "utf8")
        .digest("hex"),
  };
}

// ---- JWT (RFC 7519, JWS compact serialisation) ----

interface Token {
  readonly header: string;
  readonly payload: string;
  readonly signature: string;
}

function splitJWT(v: Value): Token {
  if (typeof v !== "string")
    throw new BuiltinTypeError(`operand 1 must be string but got ${typeName(v)}`);
  if (!v.includes(".")) throw new Error("encoded JWT had no period separators");
  const parts = v.split(".");
  if (parts.length !== 3)
    throw new Error(`encoded JWT must have 3 sections, found ${parts.length}`);
  return { header: parts[0], payload: parts[1], signature: parts[2] };
}

/** base64url with or without padding, as OPA's base64url.decode accepts it; raw bytes. */
function b64urlBytes(s: string, what: string): Buffer {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(s) || s.replace(/=+$/, "").length % 4 === 1) {
    throw new Error(`JWT ${what} had invalid encoding: illegal base64 data`);
  }
  return Buffer.from(s.replace(/=+$/, ""), "base64url");
}

function jsonObject(text: string, what: string): RObject {
  let v: Value;
  try {
    v = parseJSON(text);
  } catch (e) {
    throw new Error(`JWT ${what} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!(v instanceof RObject)) throw new Error(`JWT ${what} must be a JSON object`);
  return v;
}

function decodeHeader(t: Token): RObject {
  const h = jsonObject(b64urlBytes(t.header, "header").toString("utf8"), "header");
  if (h.has("enc")) throw new Error("JWT is a JWE object, which is not supported");
  return h;
}

function decodeJWT(v: Value): Value {
  const t = splitJWT(v);
  const header = decodeHeader(t);
  const payloadText = b64urlBytes(t.payload, "payload").toString("utf8");
  if (header.get("cty") === "JWT") {
    // A nested token (often quoted, as jwt.io writes it).
    return decodeJWT(payloadText.replace(/^["']+|["']+$/g, ""));
  }
  const payload = jsonObject(payloadText, "payload");
  const sig = b64urlBytes(t.signature, "signature").toString("hex");
  return [header, payload, sig];
}

interface VerificationKey {
  readonly key: KeyObject;
  readonly alg: string;
  readonly kid: string;
}

/** The JWS algorithms OPA signs and verifies with; each has its own `io.jwt.verify_<alg>`. */
const JWT_ALG_NAMES = [
  "HS256",
  "HS384",
  "HS512",
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
] as const;
const JWT_ALGS: ReadonlySet<string> = new Set(JWT_ALG_NAMES);

/** Public keys from a PEM certificate / public key, or from a JWK or JWK set (JSON). */
function keysFromCertOrJWK(text: string): VerificationKey[] {
  const pem = /^\s*-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----\s*$/.exec(text);
  if (pem) {
    if (pem[1] === "CERTIFICATE") {
      return [{ key: new X509Certificate(text).publicKey, alg: "", kid: "" }];
    }
    if (pem[1] === "PUBLIC KEY") return [{ key: createPublicKey(text), alg: "", kid: "" }];
    throw new Error("failed to extract a Key from the PEM certificate");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error("failed to parse a JWK key (set)", { cause: e });
  }
  const list = (
    parsed !== null &&
    typeof parsed === "object" &&
    Array.isArray((parsed as { keys?: unknown }).keys)
      ? (parsed as { keys: unknown[] }).keys
      : [parsed]
  ) as Record<string, unknown>[];
  const out: VerificationKey[] = [];
  for (const jwk of list) {
    const alg = typeof jwk.alg === "string" ? jwk.alg : "";
    if (alg !== "" && !JWT_ALGS.has(alg)) continue;
    const key =
      jwk.kty === "oct"
        ? createSecretKey(Buffer.from(String(jwk.k ?? ""), "base64url"))
        : createPublicKey({ key: jwk as never, format: "jwk" });
    out.push({ key, alg, kid: typeof jwk.kid === "string" ? jwk.kid : "" });
  }
  return out;
}

const HASH_OF: Record<string, string> = { "256": "sha256", "384": "sha384", "512": "sha512" };

/** Verifies a JWS signature for `alg`; any mismatch of key and algorithm is simply "not verified". */
function verifySignature(alg: string, key: KeyObject | Buffer, data: Buffer, sig: Buffer): boolean {
  try {
    const family = alg.slice(0, 2);
    const hash = HASH_OF[alg.slice(2)];
    if (family === "HS" && hash) {
      const secret = Buffer.isBuffer(key) ? key : key.type === "secret" ? key.export() : null;
      if (secret === null) return false;
      const mac = createHmac(hash, secret).update(data).digest();
      return mac.length === sig.length && timingSafeEqual(mac, sig);
    }
    if (Buffer.isBuffer(key) || key.type === "secret") return false;
    if (alg === "EdDSA")
      return key.asymmetricKeyType === "ed25519" && cryptoVerify(null, data, key, sig);
    if (family === "RS" && hash && key.asymmetricKeyType === "rsa") {
      return cryptoVerify(hash, data, { key, padding: cryptoConstants.RSA_PKCS1_PADDING }, sig);
    }
    if (family === "PS" && hash && key.asymmetricKeyType === "rsa") {
      return cryptoVerify(
        hash,
        data,
        {
          key,
          padding: cryptoConstants.RSA_PKCS1_PSS_PADDING,
          saltLength: cryptoConstants.RSA_PSS_SALTLEN_AUTO,
        },
        sig,
      );
    }
    if (family === "ES" && hash && key.asymmetricKeyType === "ec") {
      return cryptoVerify(hash, data, { key, dsaEncoding: "ieee-p1363" }, sig);
    }
    return false;
  } catch {
    return false;
  }
}

function signedPart(t: Token): Buffer {
  return Buffer.from(`${t.header}.${t.payload}`, "utf8");
}

function headerString(h: RObject, k: string): string {
  const v = h.get(k);
  if (v === undefined) return "";
  if (typeof v !== "string") throw new Error(`${k}: must be a string`);
  return v;
}

/** io.jwt.verify_<alg>(jwt, key): secret for HS*, PEM or JWK(S) otherwise. */
function verifyWith(alg: string): BuiltinDef {
  const name = `io.jwt.verify_${alg.toLowerCase()}`;
  return {
    name,
    arity: 2,
    args: [["string"], ["string"]],
    impl: ([jwt, key]) =>
      namedErrors(name, () => {
        const t = splitJWT(jwt);
        if (typeof key !== "string") throw operandError(name, 2, "string", key);
        const sig = b64urlBytes(t.signature, "signature");
        if (alg.startsWith("HS"))
          return verifySignature(alg, Buffer.from(key, "utf8"), signedPart(t), sig);
        const keys = keysFromCertOrJWK(key);
        const kid = headerString(decodeHeader(t), "kid");
        const byKid = kid === "" ? undefined : keys.find((k) => k.kid === kid);
        if (byKid) return verifySignature(alg, byKid.key, signedPart(t), sig);
        const headerAlg = headerString(decodeHeader(t), "alg");
        return keys.some(
          (k) =>
            (k.alg === "" || k.alg === headerAlg) &&
            verifySignature(alg, k.key, signedPart(t), sig),
        );
      }),
  };
}

interface Constraints {
  keys?: VerificationKey[];
  secret: string;
  alg: string;
  iss: string;
  aud: string;
  timeNs: number;
}

function parseConstraints(o: RObject, nowNs: bigint): Constraints {
  const c: Constraints = { secret: "", alg: "", iss: "", aud: "", timeNs: -1 };
  for (const [k, v] of o.sortedEntries()) {
    const str = (): string => {
      if (typeof v !== "string") throw new Error(`${String(k)} constraint: must be a string`);
      return v;
    };
    switch (k) {
      case "cert":
        if (typeof v !== "string") throw new Error("cert constraint: must be a string");
        c.keys = keysFromCertOrJWK(v);
        break;
      case "secret":
        c.secret = str();
        break;
      case "alg":
        c.alg = str();
        break;
      case "iss":
        c.iss = str();
        break;
      case "aud":
        c.aud = str();
        break;
      case "time":
        if (typeof v !== "number" && typeof v !== "bigint") {
          throw new Error("token time constraint: must be a number");
        }
        if (Number(v) < 0) throw new Error("token time constraint: must not be negative");
        c.timeNs = Number(v);
        break;
      default:
        throw new Error(`unknown token validation constraint: ${String(k)}`);
    }
  }
  if (c.timeNs === -1) c.timeNs = Number(nowNs);
  const keyCount = (c.keys !== undefined ? 1 : 0) + (c.secret !== "" ? 1 : 0);
  if (keyCount > 1) throw new Error("duplicate key constraints");
  if (keyCount < 1) throw new Error("no key constraint");
  return c;
}

function decodeVerify(jwt: Value, constraints: Value, nowNs: bigint): Value {
  if (!(constraints instanceof RObject))
    throw operandError("io.jwt.decode_verify", 2, "object", constraints);
  const c = parseConstraints(constraints, nowNs);
  const unverified: Value = [false, new RObject(), new RObject()];
  let current: Value = jwt;
  let header: RObject;
  let payloadText: string;
  for (;;) {
    const t = splitJWT(current);
    header = decodeHeader(t);
    const alg = headerString(header, "alg");
    const kid = headerString(header, "kid");
    headerString(header, "typ");
    const cty = headerString(header, "cty");
    const crit = header.get("crit");
    if (crit !== undefined) {
      if (!Array.isArray(crit) || crit.length === 0)
        throw new Error("crit: must be a nonempty list");
      const known = new Set(["alg", "kid", "typ", "cty", "crit"]);
      if (crit.some((x) => typeof x === "string" && header.has(x) && !known.has(x)))
        return unverified;
    }
    if (alg === "") return unverified;
    if (c.alg !== "" && c.alg !== alg) return unverified;
    const sig = b64urlBytes(t.signature, "signature");
    let ok: boolean;
    if (c.keys !== undefined) {
      const byKid = kid === "" ? undefined : c.keys.find((k) => k.kid === kid);
      ok = byKid
        ? verifySignature(alg, byKid.key, signedPart(t), sig)
        : c.keys.some(
            (k) =>
              (k.alg === "" || k.alg === alg) && verifySignature(alg, k.key, signedPart(t), sig),
          );
    } else {
      ok = verifySignature(alg, Buffer.from(c.secret, "utf8"), signedPart(t), sig);
    }
    if (!ok) return unverified;
    payloadText = b64urlBytes(t.payload, "payload").toString("utf8");
    if (cty.toUpperCase() === "JWT") {
      current = payloadText;
      continue;
    }
    break;
  }
  const payload = jsonObject(payloadText, "payload");
  if (c.iss !== "" && payload.get("iss") !== c.iss) return unverified;
  const aud = payload.get("aud");
  if (aud !== undefined) {
    const okAud =
      typeof aud === "string" ? aud === c.aud : Array.isArray(aud) && aud.some((a) => a === c.aud);
    if (!okAud) return unverified;
  } else if (c.aud !== "") {
    return unverified;
  }
  const nowSec = c.timeNs / 1e9;
  const exp = payload.get("exp");
  if (exp !== undefined) {
    if (typeof exp !== "number" && typeof exp !== "bigint")
      throw new Error("exp value must be a number");
    if (!(nowSec < Number(exp))) return unverified;
  }
  const nbf = payload.get("nbf");
  if (nbf !== undefined) {
    if (typeof nbf !== "number" && typeof nbf !== "bigint")
      throw new Error("nbf value must be a number");
    if (nowSec < Number(nbf)) return unverified;
  }
  return [true, header, payload];
}

/** Signs `headers.payload` with the first key of a JWK (set), as io.jwt.encode_sign* do. */
function encodeSign(headersText: string, payloadText: string, jwkText: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(jwkText);
  } catch (e) {
    throw new Error("failed to parse a JWK key (set)", { cause: e });
  }
  const list =
    parsed !== null &&
    typeof parsed === "object" &&
    Array.isArray((parsed as { keys?: unknown }).keys)
      ? (parsed as { keys: Record<string, unknown>[] }).keys
      : [parsed as Record<string, unknown>];
  if (list.length === 0) throw new Error("no keys found in JWK set");
  const jwk = list[0];
  let headers: Value;
  try {
    headers = parseJSON(headersText);
  } catch (e) {
    // OPA's JSON reader (fastjson) names an empty header text; other parse errors stay generic
    const why = /^[ \t\r\n]*$/.test(headersText)
      ? ": cannot parse JSON: cannot parse empty string"
      : "";
    throw new Error(`missing or invalid 'alg' header${why}`, { cause: e });
  }
  const alg = headers instanceof RObject ? headers.get("alg") : undefined;
  if (typeof alg !== "string") throw new Error("missing or invalid 'alg' header");
  if (!JWT_ALGS.has(alg)) throw new Error(`unknown JWS algorithm: ${alg}`);
  const typ = headers instanceof RObject ? headers.get("typ") : undefined;
  if (typ === undefined || typ === "JWT") {
    try {
      parseJSON(payloadText);
    } catch (e) {
      throw new Error("type is JWT but payload is not JSON", { cause: e });
    }
  }
  const signingInput =
    Buffer.from(headersText, "utf8").toString("base64url") +
    "." +
    Buffer.from(payloadText, "utf8").toString("base64url");
  const data = Buffer.from(signingInput, "utf8");
  const hash = HASH_OF[alg.slice(2)];
  let sig: Buffer;
  if (alg.startsWith("HS")) {
    if (jwk.kty !== "oct") throw new Error(`invalid key type for ${alg}`);
    sig = createHmac(hash, Buffer.from(String(jwk.k ?? ""), "base64url"))
      .update(data)
      .digest();
  } else {
    const key = createPrivateKey({ key: jwk as never, format: "jwk" });
    if (alg === "EdDSA") sig = cryptoSign(null, data, key);
    else if (alg.startsWith("RS")) sig = cryptoSign(hash, data, key);
    else if (alg.startsWith("PS")) {
      sig = cryptoSign(hash, data, {
        key,
        padding: cryptoConstants.RSA_PKCS1_PSS_PADDING,
        saltLength: cryptoConstants.RSA_PSS_SALTLEN_DIGEST,
      });
    } else sig = cryptoSign(hash, data, { key, dsaEncoding: "ieee-p1363" });
  }
  return `${signingInput}.${sig.toString("base64url")}`;
}

export const builtins = defineAll([
  {
    name: "io.jwt.decode",
    arity: 1,
    args: [["string"]],
    impl: ([jwt]) => namedErrors("io.jwt.decode", () => decodeJWT(jwt)),
  },
  {
    name: "io.jwt.encode_sign",
    arity: 3,
    args: [["object"], ["object"], ["object"]],
    nondeterministic: true,
    impl: ([headers, payload, key]) =>
      namedErrors("io.jwt.encode_sign", () =>
        encodeSign(marshalJSON(headers), marshalJSON(payload), marshalJSON(key)),
      ),
  },
  {
    name: "io.jwt.encode_sign_raw",
    arity: 3,
    args: [["string"], ["string"], ["string"]],
    nondeterministic: true,
    impl: ([headers, payload, key]) =>
      namedErrors("io.jwt.encode_sign_raw", () => {
        if (typeof key !== "string") throw operandError("io.jwt.encode_sign_raw", 3, "string", key);
        if (typeof headers !== "string") {
          throw operandError("io.jwt.encode_sign_raw", 1, "string", headers);
        }
        if (typeof payload !== "string") {
          throw operandError("io.jwt.encode_sign_raw", 2, "string", payload);
        }
        return encodeSign(headers, payload, key);
      }),
  },
  {
    name: "io.jwt.decode_verify",
    arity: 2,
    args: [["string"], ["object"]],
    // reads the clock for exp/nbf when the constraints give no time: never folded at compile time
    nondeterministic: true,
    impl: ([jwt, constraints], ctx) =>
      namedErrors("io.jwt.decode_verify", () => decodeVerify(jwt, constraints, ctx.nowNs)),
  },
  ...JWT_ALG_NAMES.map(verifyWith),
  digest("crypto.md5", "md5"),
  digest("crypto.sha1", "sha1"),
  digest("crypto.sha256", "sha256"),
  hmac("crypto.hmac.md5", "md5"),
  hmac("crypto.hmac.sha1", "sha1"),
  hmac("crypto.hmac.sha256", "sha256"),
  hmac("crypto.hmac.sha512", "sha512"),
  {
    name: "crypto.hmac.equal",
    arity: 2,
    args: [["string"], ["string"]],
    impl: ([a, b]) => {
      const x = Buffer.from(str("crypto.hmac.equal", a, 1), "utf8");
      const y = Buffer.from(str("crypto.hmac.equal", b, 2), "utf8");
      // Constant time for equal lengths, like Go's hmac.Equal.
      return x.length === y.length && timingSafeEqual(x, y);
    },
  },
]);
