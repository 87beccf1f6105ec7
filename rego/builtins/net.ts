/**
 * net.cidr_* built-ins with Go's net package semantics (OPA is Go): strict address syntax
 * (no leading zeros in IPv4 fields, no zones), IPv4-mapped IPv6 addresses treated as IPv4 when
 * matching, results printed the way Go's IP.String and IPNet.String print them.
 * DNS (net.lookup_ip_addr) is deliberately absent: policies never reach the network.
 */
import { BuiltinError, defineAll } from "./types";
import { str } from "./operands";
import { RObject, RSet, type Value } from "../value";

/** An address: `bits` is 32 (IPv4, including IPv4-mapped IPv6) or 128. */
interface Addr {
  readonly n: bigint;
  readonly bits: 32 | 128;
}
/** A network as Go's networkNumberAndMask sees it (the address may have host bits set). */
interface Net {
  readonly ip: Addr;
  readonly prefix: number;
}

function parseIPv4(s: string): bigint | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  let n = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = (n << 8n) | BigInt(v);
  }
  return n;
}

function parseIPv6(s: string): bigint | null {
  if (s.includes("%")) return null; // zones are never accepted by ParseIP/ParseCIDR
  const dbl = s.indexOf("::");
  if (dbl !== s.lastIndexOf("::")) return null;
  const parseGroups = (part: string, allowV4Tail: boolean): number[] | null => {
    if (part === "") return [];
    const out: number[] = [];
    const gs = part.split(":");
    for (let i = 0; i < gs.length; i++) {
      const g = gs[i];
      if (allowV4Tail && i === gs.length - 1 && g.includes(".")) {
        const v4 = parseIPv4(g);
        if (v4 === null) return null;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[];
  if (dbl >= 0) {
    const head = parseGroups(s.slice(0, dbl), false);
    const tail = parseGroups(s.slice(dbl + 2), true);
    if (head === null || tail === null || head.length + tail.length > 7) return null;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = parseGroups(s, true);
    if (all === null || all.length !== 8) return null;
    groups = all;
  }
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** Go's net.ParseIP, already reduced the way To4 would (IPv4-mapped → 32 bits). */
function parseIP(s: string): Addr | null {
  const v4 = parseIPv4(s);
  if (v4 !== null) return { n: v4, bits: 32 };
  const v6 = parseIPv6(s);
  if (v6 === null) return null;
  if (v6 >> 32n === 0xffffn) return { n: v6 & 0xffffffffn, bits: 32 };
  return { n: v6, bits: 128 };
}

function hostMask(bits: number, prefix: number): bigint {
  return (1n << BigInt(bits - prefix)) - 1n;
}

/** Go's net.ParseCIDR; the network's address is masked. */
function parseCIDR(s: string): Net | null {
  const slash = s.indexOf("/");
  if (slash < 0) return null;
  const addr = s.slice(0, slash);
  const m = s.slice(slash + 1);
  if (!/^[0-9]+$/.test(m) || m.length > 6) return null;
  const prefix = Number(m);
  const v4 = parseIPv4(addr);
  if (v4 !== null) {
    if (prefix > 32) return null;
    return { ip: { n: v4 & ~hostMask(32, prefix), bits: 32 }, prefix };
  }
  const v6 = parseIPv6(addr);
  if (v6 === null || prefix > 128) return null;
  const masked = v6 & ~hostMask(128, prefix) & ((1n << 128n) - 1n);
  // An IPv6 network whose masked address is IPv4-mapped behaves as the IPv4 network.
  if (masked >> 32n === 0xffffn) {
    return { ip: { n: masked & 0xffffffffn, bits: 32 }, prefix: Math.max(prefix - 96, 0) };
  }
  return { ip: { n: masked, bits: 128 }, prefix };
}

function contains(net: Net, ip: Addr): boolean {
  if (net.ip.bits !== ip.bits) return false;
  const keep = ~hostMask(net.ip.bits, net.prefix);
  return (net.ip.n & keep) === (ip.n & keep);
}

function lastOf(net: Net): Addr {
  return { n: net.ip.n | hostMask(net.ip.bits, net.prefix), bits: net.ip.bits };
}

/** Go's IP.String: dotted IPv4, otherwise RFC 5952 text with the longest zero run as "::". */
function ipString(a: Addr): string {
  if (a.bits === 32) {
    return [24n, 16n, 8n, 0n].map((sh) => String((a.n >> sh) & 255n)).join(".");
  }
  if (a.n >> 32n === 0xffffn) return ipString({ n: a.n & 0xffffffffn, bits: 32 });
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((a.n >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return (
    hex.slice(0, bestStart).join(":") +
    "::" +
    hex.slice(bestStart + bestLen).join(":")
  ).replace(/^$/, "::");
}

function netString(n: Net): string {
  return `${ipString(n.ip)}/${n.prefix}`;
}

function cidrArg(name: string, pos: number, v: Value): Net {
  const s = str(name, v, pos);
  const n = parseCIDR(s);
  if (n === null) throw new BuiltinError(`${name}: invalid CIDR address: ${s}`);
  return n;
}

function cidrContains(name: string, a: Value, b: Value): boolean {
  const netA = cidrArg(name, 1, a);
  // OPA reports a non-string second operand as "operand 1".
  const bs = str(name, b, 1);
  const ip = parseIP(bs);
  if (ip !== null) return contains(netA, ip);
  const netB = parseCIDR(bs);
  if (netB === null) {
    throw new BuiltinError(
      `${name}: not a valid textual representation of an IP address or CIDR: ${bs}`,
    );
  }
  return contains(netA, netB.ip) && contains(netA, lastOf(netB));
}

function matchOperand(
  name: string,
  pos: number,
  v: Value,
  each: (cidr: Value, index: Value) => void,
): void {
  const pick = (x: Value): Value => {
    if (typeof x === "string") return x;
    if (Array.isArray(x) && x.length > 0) return x[0];
    throw new BuiltinError(`${name}: operand ${pos}: element must be string or non-empty array`);
  };
  if (typeof v === "string") each(v, v);
  else if (Array.isArray(v)) v.forEach((x, i) => each(pick(x), i));
  else if (v instanceof RSet) for (const x of v.sortedValues()) each(pick(x), x);
  else if (v instanceof RObject) for (const [k, x] of v.sortedEntries()) each(pick(x), k);
}

/** The smallest list of CIDRs covering [first, last] (inclusive) of one family. */
function rangeToCIDRs(first: bigint, last: bigint, bits: 32 | 128): Net[] {
  const out: Net[] = [];
  let cur = first;
  while (cur <= last) {
    let size = 0;
    while (size < bits) {
      const next = size + 1;
      const block = 1n << BigInt(next);
      if (cur % block !== 0n || cur + block - 1n > last) break;
      size = next;
    }
    out.push({ ip: { n: cur, bits }, prefix: bits - size });
    cur += 1n << BigInt(size);
  }
  return out;
}

interface Range {
  first: bigint;
  last: bigint;
  net: Net | null;
}

function mergeFamily(nets: Net[], bits: 32 | 128): Net[] {
  let ranges: Range[] = nets.map((n) => ({ first: n.ip.n, last: lastOf(n).n, net: n }));
  ranges.sort((x, y) =>
    x.last !== y.last
      ? x.last < y.last
        ? -1
        : 1
      : x.first < y.first
        ? -1
        : x.first > y.first
          ? 1
          : 0,
  );
  for (let i = ranges.length - 1; i > 0; i--) {
    const prev = ranges[i].first === 0n ? 0n : ranges[i].first - 1n;
    if (prev <= ranges[i - 1].last) {
      const first = ranges[i - 1].first < ranges[i].first ? ranges[i - 1].first : ranges[i].first;
      ranges[i - 1] = { first, last: ranges[i].last, net: null };
      ranges = ranges.slice(0, i).concat(ranges.slice(i + 1));
    }
  }
  return ranges.flatMap((r) => (r.net !== null ? [r.net] : rangeToCIDRs(r.first, r.last, bits)));
}

/** An element of net.cidr_merge: a CIDR, or a bare IPv4 address with its classful mask. */
function mergeElement(v: Value): Net {
  if (typeof v !== "string") throw new BuiltinError("net.cidr_merge: element must be string");
  const ip = parseIP(v);
  if (ip === null) {
    const n = parseCIDR(v);
    if (n === null) throw new BuiltinError(`net.cidr_merge: invalid CIDR address: ${v}`);
    return n;
  }
  if (ip.bits === 32) {
    const first = Number(ip.n >> 24n);
    return { ip, prefix: first < 0x80 ? 8 : first < 0xc0 ? 16 : 24 };
  }
  throw new BuiltinError("net.cidr_merge: IPv6 invalid: needs prefix length");
}

/** Upper bound for net.cidr_expand: OPA relies on cancellation, we refuse outright. */
const MAX_EXPAND = 1n << 20n;

export const builtins = defineAll([
  {
    name: "net.cidr_contains",
    arity: 2,
    args: [["string"], ["string"]],
    impl: ([a, b]) => cidrContains("net.cidr_contains", a, b),
  },
  {
    name: "net.cidr_intersects",
    arity: 2,
    args: [["string"], ["string"]],
    impl: ([a, b]) => {
      const x = cidrArg("net.cidr_intersects", 1, a);
      const y = cidrArg("net.cidr_intersects", 1, b);
      return contains(x, y.ip) || contains(y, x.ip);
    },
  },
  {
    name: "net.cidr_is_valid",
    arity: 1,
    args: [["string"]],
    impl: ([s]) => typeof s === "string" && parseCIDR(s) !== null,
  },
  {
    name: "net.cidr_expand",
    arity: 1,
    args: [["string"]],
    impl: ([s]) => {
      const n = cidrArg("net.cidr_expand", 1, s);
      const count = 1n << BigInt(n.ip.bits - n.prefix);
      if (count > MAX_EXPAND) {
        throw new BuiltinError(
          `net.cidr_expand: ${count} addresses is more than this engine expands`,
        );
      }
      const out = new RSet();
      for (let i = 0n; i < count; i++) out.add(ipString({ n: n.ip.n + i, bits: n.ip.bits }));
      return out;
    },
  },
  {
    name: "net.cidr_merge",
    arity: 1,
    args: [["array", "set"]],
    impl: ([v]) => {
      let items: Value[];
      if (Array.isArray(v)) items = v;
      else if (v instanceof RSet) items = v.sortedValues();
      else throw new BuiltinError("net.cidr_merge: operand must be an array");
      const nets = items.map(mergeElement);
      const merged = [
        ...mergeFamily(
          nets.filter((n) => n.ip.bits === 32),
          32,
        ),
        ...mergeFamily(
          nets.filter((n) => n.ip.bits === 128),
          128,
        ),
      ];
      return new RSet(merged.map(netString));
    },
  },
  {
    name: "net.cidr_contains_matches",
    arity: 2,
    args: [
      ["string", "array", "set", "object"],
      ["string", "array", "set", "object"],
    ],
    impl: ([a, b]) => {
      const out = new RSet();
      matchOperand("net.cidr_contains_matches", 1, a, (c1, i1) => {
        matchOperand("net.cidr_contains_matches", 2, b, (c2, i2) => {
          if (cidrContains("net.cidr_contains_matches", c1, c2)) out.add([i1, i2]);
        });
      });
      return out;
    },
  },
]);

export const _internal = { parseIP, parseCIDR, ipString };
