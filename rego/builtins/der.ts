/**
 * A minimal ASN.1 DER reader: enough to walk a PKCS#10 certificate request (Node's crypto has no
 * CSR parser). Reads tag/length/value triples; no BER indefinite lengths, as DER forbids them.
 */

export interface Der {
  /** The identifier octet, e.g. 0x30 SEQUENCE, 0xa0 [0] constructed. */
  readonly tag: number;
  /** The whole encoding (tag, length and contents). */
  readonly raw: Buffer;
  /** The contents octets. */
  readonly body: Buffer;
}

export class DerError extends Error {}

/** The element at `offset` of `buf`. */
export function readDer(buf: Buffer, offset = 0): Der {
  if (offset + 2 > buf.length) throw new DerError("truncated DER");
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte DER tags are not supported");
  let len = buf[offset + 1];
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError("invalid DER length");
    if (pos + n > buf.length) throw new DerError("truncated DER");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + i];
    pos += n;
  }
  if (pos + len > buf.length) throw new DerError("truncated DER");
  return { tag, raw: buf.subarray(offset, pos + len), body: buf.subarray(pos, pos + len) };
}

/** The elements inside a constructed value (SEQUENCE, SET, [n]). */
export function children(d: Der): Der[] {
  const out: Der[] = [];
  for (let off = 0; off < d.body.length;) {
    const c = readDer(d.body, off);
    out.push(c);
    off += c.raw.length;
  }
  return out;
}

/** An OBJECT IDENTIFIER's arcs, e.g. [2, 5, 4, 3] (Go's asn1.ObjectIdentifier as JSON). */
export function oidArcs(d: Der): number[] {
  if (d.tag !== 0x06) throw new DerError("expected an OBJECT IDENTIFIER");
  const arcs: number[] = [];
  let v = 0;
  for (const b of d.body) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (arcs.length === 0) arcs.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else arcs.push(v);
      v = 0;
    }
  }
  return arcs;
}

/** Non-negative INTEGER contents as a bigint. */
export function derInteger(d: Der): bigint {
  if (d.tag !== 0x02) throw new DerError("expected an INTEGER");
  return d.body.length ? BigInt("0x" + d.body.toString("hex")) : 0n;
}

/** A string-typed value (UTF8String, PrintableString, IA5String, …) as text. */
export function derString(d: Der): string {
  return d.tag === 0x1e
    ? Buffer.from(d.body).swap16().toString("utf16le")
    : d.body.toString("utf8");
}
