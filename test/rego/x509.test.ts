/**
 * crypto.x509 built-ins on fixture certificates (test/fixtures/rego-x509: a throwaway test CA and
 * a leaf it signed, valid for 100 years; no private key is kept).
 */
import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../rego/index";

const dir = path.resolve(__dirname, "../fixtures/rego-x509");
const ca = fs.readFileSync(path.join(dir, "ca.pem"), "utf8");
const leaf = fs.readFileSync(path.join(dir, "leaf.pem"), "utf8");
// generated per run: no private key is committed
const key = generateKeyPairSync("rsa", { modulusLength: 1024 })
  .privateKey.export({ type: "pkcs1", format: "pem" })
  .toString();

function q(query: string, input: unknown): unknown {
  const rs = compile([]).prepare(query).eval({ input });
  return rs[0]?.bindings.x;
}

describe("crypto.x509", () => {
  it("parses PEM certificates into Go's field names", () => {
    const certs = q("x := crypto.x509.parse_certificates(input)", leaf) as Record<
      string,
      unknown
    >[];
    expect(certs).toHaveLength(1);
    expect(certs[0]).toMatchObject({
      Subject: {
        CommonName: "svc.example.com",
        Organization: ["Acme"],
        OrganizationalUnit: ["Payments"],
      },
      Issuer: { CommonName: "Test Root CA", Organization: ["Tokenwarden Tests"] },
      DNSNames: ["svc.example.com", "api.example.com"],
      IPAddresses: ["10.0.0.1"],
      IsCA: false,
    });
    expect(String(certs[0].NotAfter)).toMatch(/^21\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("accepts base64-encoded DER and PEM bundles", () => {
    const der = leaf.replace(/-----[A-Z ]+-----|\s/g, "");
    expect(q("x := crypto.x509.parse_certificates(input)[0].Subject.CommonName", der)).toBe(
      "svc.example.com",
    );
    expect(q("x := count(crypto.x509.parse_certificates(input))", leaf + ca)).toBe(2);
  });

  it("verifies a leaf-first chain up to a self-signed root", () => {
    expect(q("[x, _] := crypto.x509.parse_and_verify_certificates(input)", leaf + ca)).toBe(true);
    expect(q("[x, _] := crypto.x509.parse_and_verify_certificates(input)", ca + leaf)).toBe(false);
    expect(q("[x, _] := crypto.x509.parse_and_verify_certificates(input)", leaf)).toBe(false);
  });

  it("parses an RSA private key as a JWK", () => {
    const jwk = q("x := crypto.x509.parse_rsa_private_key(input)", key) as Record<string, unknown>;
    expect(jwk.kty).toBe("RSA");
    expect(typeof jwk.n).toBe("string");
    expect(typeof jwk.d).toBe("string");
  });

  it("is undefined (an error in strict mode) for garbage", () => {
    expect(q("x := crypto.x509.parse_certificates(input)", "not a cert")).toBeUndefined();
  });
});
