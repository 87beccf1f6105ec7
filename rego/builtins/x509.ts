/**
 * `crypto.x509.*`: certificates parsed with Node's X509Certificate into the fields policies read
 * from OPA's output (Go's x509.Certificate as JSON): Subject / Issuer names, NotBefore / NotAfter,
 * DNSNames, EmailAddresses, IPAddresses, URIStrings, SerialNumber, IsCA, Raw. Not every Go field
 * is produced (e.g. Extensions, raw TBS bytes); those read as undefined.
 */
import { X509Certificate, createPrivateKey } from "node:crypto";
import { BuiltinError, defineAll } from "./types";
import { str } from "./operands";
import { fromJS, type Value } from "../value";

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** PEM text, base64 of PEM, or base64 of DER (one or more concatenated certificates). */
function certificates(name: string, input: string): X509Certificate[] {
  let text = input;
  if (!text.includes("-----BEGIN")) {
    const bytes = Buffer.from(text.replace(/\s+/g, ""), "base64");
    const decoded = bytes.toString("latin1");
    if (decoded.includes("-----BEGIN")) text = decoded;
    else {
      try {
        return [new X509Certificate(bytes)];
      } catch (err) {
        throw new BuiltinError(`${name}: ${(err as Error).message}`);
      }
    }
  }
  const pems = text.match(PEM_CERT) ?? [];
  if (pems.length === 0) throw new BuiltinError(`${name}: no certificates found`);
  try {
    return pems.map((p) => new X509Certificate(p));
  } catch (err) {
    throw new BuiltinError(`${name}: ${(err as Error).message}`);
  }
}

const NAME_FIELDS: Record<string, string> = {
  C: "Country",
  O: "Organization",
  OU: "OrganizationalUnit",
  L: "Locality",
  ST: "Province",
  street: "StreetAddress",
  postalCode: "PostalCode",
};

/** Node's "CN=x\nO=y" distinguished name as Go's pkix.Name fields. */
function pkixName(dn: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Country: null,
    Organization: null,
    OrganizationalUnit: null,
    Locality: null,
    Province: null,
    StreetAddress: null,
    PostalCode: null,
    SerialNumber: "",
    CommonName: "",
  };
  for (const line of dn.split("\n")) {
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    const k = line.slice(0, eq);
    const v = line.slice(eq + 1);
    if (k === "CN") out.CommonName = v;
    else if (k === "serialNumber") out.SerialNumber = v;
    else if (NAME_FIELDS[k]) {
      const f = NAME_FIELDS[k];
      out[f] = [...((out[f] as string[] | null) ?? []), v];
    }
  }
  return out;
}

function rfc3339(d: string): string {
  return new Date(d).toISOString().replace(".000Z", "Z");
}

function altNames(c: X509Certificate): Record<string, string[] | null> {
  const out: Record<string, string[]> = {
    DNSNames: [],
    EmailAddresses: [],
    IPAddresses: [],
    URIs: [],
  };
  for (const part of (c.subjectAltName ?? "").split(/,\s*/)) {
    const i = part.indexOf(":");
    if (i < 0) continue;
    const kind = part.slice(0, i);
    const v = part.slice(i + 1);
    if (kind === "DNS") out.DNSNames.push(v);
    else if (kind === "email") out.EmailAddresses.push(v);
    else if (kind === "IP Address") out.IPAddresses.push(v);
    else if (kind === "URI") out.URIs.push(v);
  }
  const nul = (xs: string[]) => (xs.length ? xs : null);
  return {
    DNSNames: nul(out.DNSNames),
    EmailAddresses: nul(out.EmailAddresses),
    IPAddresses: nul(out.IPAddresses),
    URIStrings: nul(out.URIs),
  };
}

function certJSON(c: X509Certificate): Record<string, unknown> {
  const serial = BigInt("0x" + c.serialNumber);
  return {
    Raw: c.raw.toString("base64"),
    Version: 3,
    SerialNumber: serial <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(serial) : serial,
    Issuer: pkixName(c.issuer),
    Subject: pkixName(c.subject),
    NotBefore: rfc3339(c.validFrom),
    NotAfter: rfc3339(c.validTo),
    IsCA: c.ca,
    BasicConstraintsValid: c.ca,
    ...altNames(c),
  };
}

function parseCertificates(args: Value[]): Value {
  const certs = certificates(
    "crypto.x509.parse_certificates",
    str("crypto.x509.parse_certificates", args[0], 1),
  );
  return fromJS(certs.map(certJSON));
}

/** A chain in leaf-first order: each certificate signed by the next, the last self-signed root. */
function verifyChain(certs: X509Certificate[]): boolean {
  if (certs.length < 2) return false;
  const now = Date.now();
  for (let i = 0; i < certs.length; i++) {
    const c = certs[i];
    if (now < new Date(c.validFrom).getTime() || now > new Date(c.validTo).getTime()) return false;
    const issuer = certs[i + 1] ?? c;
    if (!c.checkIssued(issuer) || !c.verify(issuer.publicKey)) return false;
    if (i > 0 && !c.ca) return false;
  }
  return true;
}

function parseAndVerify(args: Value[]): Value {
  const name = "crypto.x509.parse_and_verify_certificates";
  let certs: X509Certificate[];
  try {
    certs = certificates(name, str(name, args[0], 1));
  } catch {
    return [false, []];
  }
  return verifyChain(certs) ? fromJS([true, certs.map(certJSON)]) : [false, []];
}

function parseRSAPrivateKey(args: Value[]): Value {
  const name = "crypto.x509.parse_rsa_private_key";
  let text = str(name, args[0], 1);
  if (!text.includes("-----BEGIN")) text = Buffer.from(text, "base64").toString("latin1");
  try {
    const key = createPrivateKey(text);
    if (key.asymmetricKeyType !== "rsa") throw new Error("not an RSA private key");
    return fromJS(key.export({ format: "jwk" }));
  } catch (err) {
    throw new BuiltinError(`${name}: ${(err as Error).message}`);
  }
}

export const builtins = defineAll([
  { name: "crypto.x509.parse_certificates", arity: 1, impl: parseCertificates },
  { name: "crypto.x509.parse_and_verify_certificates", arity: 1, impl: parseAndVerify },
  {
    name: "crypto.x509.parse_and_verify_certificates_with_options",
    arity: 2,
    // options (DNSName, CurrentTime, KeyUsages, MaxConstraintComparisons) are not applied beyond
    // the chain and validity checks of parse_and_verify_certificates
    impl: (args) => parseAndVerify([args[0]]),
  },
  { name: "crypto.x509.parse_rsa_private_key", arity: 1, impl: parseRSAPrivateKey },
]);
