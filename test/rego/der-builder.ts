/**
 * Hand-encoded DER for tests: a self-signed X.509 certificate and a PKCS#10 CSR built at run time
 * from node:crypto key pairs (Node can sign but has no certificate or CSR builder), so no key
 * material is committed.
 */
import { sign, type KeyObject } from "node:crypto";

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
}

export const seq = (...p: Buffer[]) => tlv(0x30, ...p);
export const set = (...p: Buffer[]) => tlv(0x31, ...p);
export const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, "utf8"));
export const int = (n: number) => tlv(0x02, Buffer.from([n]));

export function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const bytes = [a * 40 + b];
  for (const arc of rest) {
    const groups: number[] = [];
    for (let v = arc; ; v = Math.floor(v / 128)) {
      groups.unshift(v & 0x7f);
      if (v < 128) break;
    }
    groups.forEach((g, i) => bytes.push(i < groups.length - 1 ? g | 0x80 : g));
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** A Name from [["2.5.4.3", "svc"], …], one attribute per RDN. */
export function name(attrs: [string, string][]): Buffer {
  return seq(...attrs.map(([o, v]) => set(seq(oid(o), utf8(v)))));
}

const SHA256_RSA = seq(oid("1.2.840.113549.1.1.11"), tlv(0x05));
const bitString = (b: Buffer) => tlv(0x03, Buffer.from([0]), b);
const spki = (k: KeyObject) => k.export({ type: "spki", format: "der" });
const pem = (label: string, der: Buffer) =>
  `-----BEGIN ${label}-----\n${der.toString("base64").replace(/.{64}/g, "$&\n").trimEnd()}\n-----END ${label}-----\n`;

function signed(tbs: Buffer, key: KeyObject): Buffer {
  return seq(tbs, SHA256_RSA, bitString(sign("sha256", tbs, key)));
}

/** A self-signed RSA certificate for `cn`, valid 2020–2049, as PEM. */
export function selfSignedCert(cn: string, pub: KeyObject, priv: KeyObject): string {
  const subject = name([["2.5.4.3", cn]]);
  const time = (s: string) => tlv(0x17, Buffer.from(s, "latin1")); // UTCTime
  const tbs = seq(
    tlv(0xa0, int(2)),
    int(7),
    SHA256_RSA,
    subject,
    seq(time("200101000000Z"), time("491231235959Z")),
    subject,
    spki(pub),
  );
  return pem("CERTIFICATE", signed(tbs, priv));
}

/** A PKCS#10 request for `subject` asking for a subjectAltName (DNS names, IPv4 addresses, emails). */
export function certificateRequest(
  subject: [string, string][],
  san: { dns?: string[]; ip?: number[][]; email?: string[] },
  pub: KeyObject,
  priv: KeyObject,
): string {
  const names = [
    ...(san.dns ?? []).map((d) => tlv(0x82, Buffer.from(d))),
    ...(san.email ?? []).map((e) => tlv(0x81, Buffer.from(e))),
    ...(san.ip ?? []).map((ip) => tlv(0x87, Buffer.from(ip))),
  ];
  const ext = seq(oid("2.5.29.17"), tlv(0x04, seq(...names)));
  const extRequest = seq(oid("1.2.840.113549.1.9.14"), set(seq(ext)));
  const info = seq(int(0), name(subject), spki(pub), tlv(0xa0, extRequest));
  return pem("CERTIFICATE REQUEST", signed(info, priv));
}
