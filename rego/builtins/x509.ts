/**
 * `crypto.x509.*`: certificates parsed with Node's X509Certificate into the fields policies read
 * from OPA's output (Go's x509.Certificate as JSON): Subject / Issuer names, NotBefore / NotAfter,
 * DNSNames, EmailAddresses, IPAddresses, URIStrings, SerialNumber, IsCA, Raw. Not every Go field
 * is produced (e.g. Extensions, raw TBS bytes); those read as undefined.
 * Also here: crypto.x509.parse_keypair, crypto.x509.parse_certificate_request (read with the DER
 * reader in der.ts) and crypto.parse_private_keys, keys shaped as in gokeys.ts.
 */
import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { BuiltinError, defineAll } from "./types";
import { children, derInteger, derString, oidArcs, readDer, type Der } from "./der";
import { goPrivateKey, goPublicKey, goPublicKeyAlgorithm } from "./gokeys";
import { goStdBase64Decode } from "./encoding";
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

/** PEM blocks (type and DER bytes) in order; text that is not PEM is read as base64 of PEM. */
function pemBlocks(input: string): { type: string; der: Buffer }[] {
  const text = input.includes("-----BEGIN")
    ? input
    : Buffer.from(input.replace(/\s+/g, ""), "base64").toString("latin1");
  const out: { type: string; der: Buffer }[] = [];
  for (const m of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)) {
    // PEM headers (Proc-Type: …) sit before a blank line; encrypted keys are not supported
    const body = m[2].includes(":") ? m[2].slice(m[2].search(/\r?\n\r?\n/) + 1) : m[2];
    out.push({ type: m[1], der: Buffer.from(body.replace(/\s+/g, ""), "base64") });
  }
  return out;
}

const KEY_BLOCKS: Record<string, "pkcs1" | "pkcs8" | "sec1"> = {
  "RSA PRIVATE KEY": "pkcs1",
  "PRIVATE KEY": "pkcs8",
  "EC PRIVATE KEY": "sec1",
};

function privateKeyOf(name: string, block: { type: string; der: Buffer }): KeyObject {
  const type = KEY_BLOCKS[block.type];
  try {
    return createPrivateKey({ key: block.der, format: "der", type });
  } catch (err) {
    throw new BuiltinError(`${name}: ${(err as Error).message}`);
  }
}

/**
 * crypto.parse_private_keys: every private-key PEM block (PKCS#1, PKCS#8, SEC 1) as Go's key
 * struct; other blocks (certificates) are skipped as OPA skips them; "" gives null.
 */
function parsePrivateKeys(args: Value[]): Value {
  const name = "crypto.parse_private_keys";
  const input = str(name, args[0], 1);
  if (input === "") return null;
  const keys = pemBlocks(input).filter((b) => KEY_BLOCKS[b.type]);
  return fromJS(keys.map((b) => goPrivateKey(privateKeyOf(name, b))));
}

/**
 * crypto.x509.parse_keypair: Go's tls.X509KeyPair as JSON — {Certificate: [base64 DER…],
 * PrivateKey, Leaf, …}; an error when the key does not belong to the first certificate.
 */
function parseKeypair(args: Value[]): Value {
  const name = "crypto.x509.parse_keypair";
  const certBlocks = pemBlocks(str(name, args[0], 1)).filter((b) => b.type === "CERTIFICATE");
  if (certBlocks.length === 0)
    throw new BuiltinError(`${name}: tls: failed to find any PEM data in certificate input`);
  const keyBlock = pemBlocks(str(name, args[1], 2)).find((b) => KEY_BLOCKS[b.type]);
  if (!keyBlock) throw new BuiltinError(`${name}: tls: failed to find any PEM data in key input`);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certBlocks[0].der);
  } catch (err) {
    throw new BuiltinError(`${name}: ${(err as Error).message}`);
  }
  const key = privateKeyOf(name, keyBlock);
  const spki = (k: KeyObject) => k.export({ type: "spki", format: "der" });
  if (!spki(createPublicKey(key)).equals(spki(leaf.publicKey)))
    throw new BuiltinError(`${name}: tls: private key does not match public key`);
  return fromJS({
    Certificate: certBlocks.map((b) => b.der.toString("base64")),
    PrivateKey: goPrivateKey(key),
    SupportedSignatureAlgorithms: null,
    OCSPStaple: null,
    SignedCertificateTimestamps: null,
    Leaf: certJSON(leaf),
  });
}

const NAME_OIDS: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.5": "serialNumber",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.9": "street",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.17": "postalCode",
};

/** A DER Name as Go's pkix.Name: the named fields plus Names (every attribute, in order). */
function derName(name: Der): Record<string, unknown> {
  const names: { Type: number[]; Value: string }[] = [];
  const lines: string[] = [];
  for (const rdn of children(name))
    for (const atv of children(rdn)) {
      const [oid, value] = children(atv);
      const arcs = oidArcs(oid);
      names.push({ Type: arcs, Value: derString(value) });
      const short = NAME_OIDS[arcs.join(".")];
      if (short) lines.push(`${short}=${derString(value)}`);
    }
  return { ...pkixName(lines.join("\n")), Names: names.length ? names : null, ExtraNames: null };
}

/** Go's x509.SignatureAlgorithm numbering by algorithm OID. */
const SIGNATURE_ALGORITHMS: Record<string, number> = {
  "1.2.840.113549.1.1.2": 1,
  "1.2.840.113549.1.1.4": 2,
  "1.2.840.113549.1.1.5": 3,
  "1.2.840.113549.1.1.11": 4,
  "1.2.840.113549.1.1.12": 5,
  "1.2.840.113549.1.1.13": 6,
  "1.2.840.10040.4.3": 7,
  "2.16.840.1.101.3.4.3.2": 8,
  "1.2.840.10045.4.1": 9,
  "1.2.840.10045.4.3.2": 10,
  "1.2.840.10045.4.3.3": 11,
  "1.2.840.10045.4.3.4": 12,
  "1.2.840.113549.1.1.10": 13, // RSASSA-PSS; Go tells SHA-256/384/512 apart by parameters
  "1.3.101.112": 16,
};

const EXTENSION_REQUEST = "1.2.840.113549.1.9.14";
const SUBJECT_ALT_NAME = "2.5.29.17";

/** GeneralNames of a subjectAltName extension into Go's CertificateRequest fields. */
function sanFields(ext: Buffer, out: Record<string, unknown[]>): void {
  for (const gn of children(readDer(ext))) {
    const t = gn.tag & 0x1f;
    if (t === 1) out.EmailAddresses.push(gn.body.toString("latin1"));
    else if (t === 2) out.DNSNames.push(gn.body.toString("latin1"));
    else if (t === 6) out.URIs.push(goURL(gn.body.toString("latin1")));
    else if (t === 7) out.IPAddresses.push(ipText(gn.body));
  }
}

function ipText(b: Buffer): string {
  if (b.length === 4) return [...b].join(".");
  // Go prints IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) in dotted form
  if (
    b.length === 16 &&
    b.subarray(0, 10).every((x) => x === 0) &&
    b[10] === 0xff &&
    b[11] === 0xff
  )
    return [...b.subarray(12)].join(".");
  const groups: string[] = [];
  for (let i = 0; i + 1 < b.length; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  // the shortest form, as Go's net.IP prints it: the longest run of zero groups becomes "::"
  const text = groups.join(":");
  const runs = text.match(/(^|:)0(:0)+(:|$)/g) ?? [];
  const longest = runs.sort((a, b) => b.length - a.length)[0];
  return longest ? text.replace(longest, "::") : text;
}

/** Go's *url.URL as JSON (its exported fields). */
function goURL(s: string): Record<string, unknown> {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return {
      Scheme: "",
      Opaque: "",
      User: null,
      Host: "",
      Path: s,
      RawPath: "",
      OmitHost: false,
      ForceQuery: false,
      RawQuery: "",
      Fragment: "",
      RawFragment: "",
    };
  }
  return {
    Scheme: u.protocol.replace(/:$/, ""),
    Opaque: "",
    User: null,
    Host: u.host,
    Path: decodeURIComponent(u.pathname),
    RawPath: "",
    OmitHost: false,
    ForceQuery: false,
    RawQuery: u.search.replace(/^\?/, ""),
    Fragment: decodeURIComponent(u.hash.replace(/^#/, "")),
    RawFragment: "",
  };
}

/**
 * crypto.x509.parse_certificate_request: a PKCS#10 CSR (PEM, or base64 of PEM or DER) as Go's
 * x509.CertificateRequest. Like Go's ParseCertificateRequest the signature is not checked.
 * Attributes (Go's deprecated raw attribute list) is null; Extensions carries the requested
 * extensions instead.
 */
function parseCertificateRequest(args: Value[]): Value {
  const name = "crypto.x509.parse_certificate_request";
  const input = str(name, args[0], 1);
  // OPA base64-decodes anything that is not PEM with Go's strict decoder and reports its error
  if (!input.includes("-----BEGIN")) {
    try {
      goStdBase64Decode(input);
    } catch (err) {
      throw new BuiltinError(`${name}: ${(err as Error).message}`);
    }
  }
  let der: Buffer;
  const blocks = pemBlocks(input);
  if (blocks.length) {
    if (blocks[0].type !== "CERTIFICATE REQUEST" && blocks[0].type !== "NEW CERTIFICATE REQUEST")
      throw new BuiltinError(`${name}: invalid PEM-encoded certificate signing request`);
    der = blocks[0].der;
  } else der = Buffer.from(input.replace(/\s+/g, ""), "base64");
  try {
    const csr = readDer(der);
    const [info, sigAlg, sig] = children(csr);
    const [version, subject, spki, attrs] = children(info);
    const publicKey = createPublicKey({ key: spki.raw, format: "der", type: "spki" });
    const fields: Record<string, unknown[]> = {
      DNSNames: [],
      EmailAddresses: [],
      IPAddresses: [],
      URIs: [],
    };
    const extensions: Record<string, unknown>[] = [];
    for (const attr of attrs && attrs.tag === 0xa0 ? children(attrs) : []) {
      const [oid, values] = children(attr);
      if (oidArcs(oid).join(".") !== EXTENSION_REQUEST) continue;
      for (const exts of children(values))
        for (const ext of children(exts)) {
          const parts = children(ext);
          const id = oidArcs(parts[0]);
          const critical = parts.length === 3 && parts[1].body[0] !== 0;
          const value = parts[parts.length - 1].body;
          extensions.push({ Id: id, Critical: critical, Value: value.toString("base64") });
          if (id.join(".") === SUBJECT_ALT_NAME) sanFields(value, fields);
        }
    }
    const nul = (xs: unknown[]) => (xs.length ? xs : null);
    return fromJS({
      Raw: csr.raw.toString("base64"),
      RawTBSCertificateRequest: info.raw.toString("base64"),
      RawSubjectPublicKeyInfo: spki.raw.toString("base64"),
      RawSubject: subject.raw.toString("base64"),
      Version: Number(derInteger(version)),
      // a BIT STRING: the first contents octet counts unused bits
      Signature: sig.body.subarray(1).toString("base64"),
      SignatureAlgorithm: SIGNATURE_ALGORITHMS[oidArcs(children(sigAlg)[0]).join(".")] ?? 0,
      PublicKeyAlgorithm: goPublicKeyAlgorithm(publicKey),
      PublicKey: goPublicKey(publicKey),
      Subject: derName(subject),
      Attributes: null,
      Extensions: nul(extensions),
      ExtraExtensions: null,
      DNSNames: nul(fields.DNSNames),
      EmailAddresses: nul(fields.EmailAddresses),
      IPAddresses: nul(fields.IPAddresses),
      URIs: nul(fields.URIs),
    });
  } catch (err) {
    if (err instanceof BuiltinError) throw err;
    throw new BuiltinError(`${name}: ${(err as Error).message}`);
  }
}

export const builtins = defineAll([
  { name: "crypto.x509.parse_keypair", arity: 2, impl: parseKeypair },
  { name: "crypto.parse_private_keys", arity: 1, impl: parsePrivateKeys },
  { name: "crypto.x509.parse_certificate_request", arity: 1, impl: parseCertificateRequest },
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
