/**
 * crypto.x509.parse_keypair, crypto.parse_private_keys and crypto.x509.parse_certificate_request
 * on key pairs, a self-signed certificate and a CSR generated per run (der-builder.ts), read
 * through Rego queries the way a policy reads them: Go's field names (OPA marshals Go structs).
 */
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { compile } from "../../rego/index";
import { certificateRequest, selfSignedCert } from "./der-builder";

const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 });
const other = generateKeyPairSync("rsa", { modulusLength: 1024 });
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const ed = generateKeyPairSync("ed25519");
const pkcs1 = rsa.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const pkcs8 = rsa.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const sec1 = ec.privateKey.export({ type: "sec1", format: "pem" }).toString();
const edPem = ed.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const cert = selfSignedCert("svc.example.com", rsa.publicKey, rsa.privateKey);
const jwk = rsa.privateKey.export({ format: "jwk" });
const big = (b64url: string | undefined) =>
  BigInt("0x" + Buffer.from(b64url ?? "", "base64url").toString("hex"));

function q(query: string, input: unknown, strict = false): unknown {
  const rs = compile([]).prepare(query).eval({ input, strictBuiltinErrors: strict });
  return rs[0]?.bindings.x;
}

function errorOf(query: string, input: unknown): string {
  try {
    q(query, input, true);
  } catch (err) {
    return (err as Error).message;
  }
  return "no error";
}

describe("crypto.parse_private_keys", () => {
  it("reads PKCS#1, PKCS#8, SEC 1 and Ed25519 blocks as Go key structs, skipping certificates", () => {
    const keys = q("x := crypto.parse_private_keys(input)", cert + pkcs1 + sec1 + edPem) as Record<
      string,
      unknown
    >[];
    expect(keys).toHaveLength(3);
    expect(keys[0].E).toBe(65537);
    expect(BigInt(keys[0].N as bigint)).toBe(big(jwk.n));
    expect(BigInt(keys[0].D as bigint)).toBe(big(jwk.d));
    expect((keys[0].Primes as bigint[]).map((p) => BigInt(p))).toEqual([big(jwk.p), big(jwk.q)]);
    expect(Object.keys(keys[0].Precomputed as object).sort()).toEqual([
      "CRTValues",
      "Dp",
      "Dq",
      "Qinv",
    ]);
    const ecJwk = ec.privateKey.export({ format: "jwk" });
    expect(BigInt(keys[1].X as bigint)).toBe(big(ecJwk.x));
    expect(BigInt(keys[1].D as bigint)).toBe(big(ecJwk.d));
    // ed25519.PrivateKey is a byte slice: seed then public key, base64 in Go's JSON
    expect(Buffer.from(keys[2] as unknown as string, "base64")).toHaveLength(64);
  });

  it("accepts the PEM text base64-encoded, and PKCS#8 RSA keys", () => {
    const b64 = Buffer.from(pkcs8).toString("base64");
    expect(q("x := crypto.parse_private_keys(input)[0].E", b64)).toBe(65537);
  });

  it("is null for empty input and empty for input without keys", () => {
    expect(q("x := crypto.parse_private_keys(input)", "")).toBeNull();
    expect(q("x := crypto.parse_private_keys(input)", cert)).toEqual([]);
  });

  it("fails on a damaged key block", () => {
    const broken = pkcs1.replace(/\n[A-Za-z0-9+/]{20}/, "\nAAAAAAAAAAAAAAAAAAAA");
    expect(errorOf("x := crypto.parse_private_keys(input)", broken)).toMatch(
      /crypto\.parse_private_keys: /,
    );
  });
});

describe("crypto.x509.parse_keypair", () => {
  it("returns Go's tls.Certificate for a matching certificate and key", () => {
    const out = q("x := crypto.x509.parse_keypair(input.c, input.k)", {
      c: cert,
      k: pkcs1,
    }) as Record<string, unknown>;
    const der = cert.replace(/-----[A-Z ]+-----|\s/g, "");
    expect(out.Certificate).toEqual([der]);
    expect((out.PrivateKey as Record<string, unknown>).E).toBe(65537);
    expect(out.Leaf).toMatchObject({
      Subject: { CommonName: "svc.example.com" },
      NotAfter: "2049-12-31T23:59:59Z",
    });
  });

  it("accepts base64 of the PEM texts and a PKCS#8 key", () => {
    const b = (s: string) => Buffer.from(s).toString("base64");
    expect(
      q("x := crypto.x509.parse_keypair(input.c, input.k).Leaf.Subject.CommonName", {
        c: b(cert),
        k: b(pkcs8),
      }),
    ).toBe("svc.example.com");
  });

  it("is an error when the key belongs to another certificate", () => {
    const otherKey = other.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const query = "x := crypto.x509.parse_keypair(input.c, input.k)";
    expect(q(query, { c: cert, k: otherKey })).toBeUndefined();
    expect(errorOf(query, { c: cert, k: otherKey })).toMatch(
      /crypto\.x509\.parse_keypair: tls: private key does not match public key/,
    );
    expect(errorOf(query, { c: pkcs1, k: pkcs1 })).toMatch(/failed to find any PEM data/);
  });
});

describe("crypto.x509.parse_certificate_request", () => {
  const csr = certificateRequest(
    [
      ["2.5.4.6", "DE"],
      ["2.5.4.10", "Acme"],
      ["2.5.4.3", "api.example.com"],
    ],
    {
      dns: ["api.example.com", "www.example.com"],
      ip: [[10, 0, 0, 7]],
      email: ["ops@example.com"],
    },
    rsa.publicKey,
    rsa.privateKey,
  );

  it("reads subject, requested SANs, key and algorithms under Go's field names", () => {
    const out = q("x := crypto.x509.parse_certificate_request(input)", csr) as Record<
      string,
      unknown
    >;
    expect(out).toMatchObject({
      Version: 0,
      SignatureAlgorithm: 4, // x509.SHA256WithRSA
      PublicKeyAlgorithm: 1, // x509.RSA
      Subject: {
        CommonName: "api.example.com",
        Organization: ["Acme"],
        Country: ["DE"],
        Names: [
          { Type: [2, 5, 4, 6], Value: "DE" },
          { Type: [2, 5, 4, 10], Value: "Acme" },
          { Type: [2, 5, 4, 3], Value: "api.example.com" },
        ],
      },
      DNSNames: ["api.example.com", "www.example.com"],
      IPAddresses: ["10.0.0.7"],
      EmailAddresses: ["ops@example.com"],
      URIs: null,
      Extensions: [{ Id: [2, 5, 29, 17], Critical: false }],
    });
    const pub = out.PublicKey as Record<string, unknown>;
    expect(BigInt(pub.N as bigint)).toBe(big(jwk.n));
    expect(pub.E).toBe(65537);
    expect(out.Raw).toBe(csr.replace(/-----[A-Z ]+-----|\s/g, ""));
  });

  it("prints IPv6 addresses as Go does (shortest form, IPv4-mapped as dotted)", () => {
    const v6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    const mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1];
    const req = certificateRequest(
      [["2.5.4.3", "x"]],
      { ip: [v6, mapped] },
      rsa.publicKey,
      rsa.privateKey,
    );
    expect(q("x := crypto.x509.parse_certificate_request(input).IPAddresses", req)).toEqual([
      "2001:db8::1",
      "192.0.2.1",
    ]);
  });

  it("accepts base64 DER, and a policy can check requested names", () => {
    const der = csr.replace(/-----[A-Z ]+-----|\s/g, "");
    const query =
      'x := [n | some n in crypto.x509.parse_certificate_request(input).DNSNames; not endswith(n, ".example.com")]';
    expect(q(query, der)).toEqual([]);
  });

  it("refuses other PEM blocks and garbage", () => {
    const query = "x := crypto.x509.parse_certificate_request(input)";
    expect(errorOf(query, cert)).toMatch(/invalid PEM-encoded certificate signing request/);
    expect(errorOf(query, "bm90IGEgY3Ny")).toMatch(/crypto\.x509\.parse_certificate_request: /);
  });
});
