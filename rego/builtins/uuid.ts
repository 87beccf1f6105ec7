/**
 * uuid.rfc4122 (random version-4 UUIDs, one per key per query, as OPA memoises them) and
 * uuid.parse (the fields google/uuid decodes, in OPA's result shape).
 */
import { randomBytes } from "node:crypto";
import { defineAll, operandError } from "./types";
import { RObject, keyOf, normNum, type Value } from "../value";

function newV4(): string {
  const b = randomBytes(16);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** google/uuid.Parse's accepted spellings → 16 bytes, or null. */
function parseBytes(s: string): Uint8Array | null {
  let hex: string;
  if (s.length === 36) hex = dashed(s);
  else if (s.length === 38 && s[0] === "{" && s[37] === "}") hex = dashed(s.slice(1, 37));
  else if (s.length === 45 && s.slice(0, 9).toLowerCase() === "urn:uuid:") hex = dashed(s.slice(9));
  else if (s.length === 32) hex = s;
  else return null;
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return null;
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

function dashed(s: string): string {
  if (s[8] !== "-" || s[13] !== "-" || s[18] !== "-" || s[23] !== "-") return "";
  return s.replaceAll("-", "");
}

function variant(b: number): string {
  if ((b & 0xc0) === 0x80) return "RFC4122";
  if ((b & 0xe0) === 0xc0) return "Microsoft";
  if ((b & 0xe0) === 0xe0) return "Future";
  return "Reserved";
}

function macVariables(b: number): string {
  if ((b & 3) === 3) return "local:multicast";
  if ((b & 1) === 1) return "global:multicast";
  if ((b & 2) === 2) return "local:unicast";
  return "global:unicast";
}

/** 100ns intervals between the Gregorian reform (1582-10-15) and the Unix epoch. */
const GREGORIAN_OFFSET = 122192928000000000n;

function describe(u: Uint8Array): RObject {
  const out = new RObject();
  const version = u[6] >> 4;
  out.set("version", version);
  out.set("variant", variant(u[8]));
  if (version === 1 || version === 2) {
    const be = (from: number, len: number): bigint =>
      [...u.slice(from, from + len)].reduce((acc, x) => (acc << 8n) | BigInt(x), 0n);
    const t = be(0, 4) | (be(4, 2) << 32n) | ((be(6, 2) & 0xfffn) << 48n);
    const since = t - GREGORIAN_OFFSET;
    // Go truncates toward zero for both the seconds and the remainder.
    const ns = (since / 10000000n) * 1000000000n + (since % 10000000n) * 100n;
    out.set("time", normNum(ns));
    out.set("nodeid", [...u.slice(10)].map((x) => x.toString(16).padStart(2, "0")).join("-"));
    out.set("macvariables", macVariables(u[10]));
    out.set("clocksequence", Number(be(8, 2) & 0x3fffn));
    if (version === 2) {
      out.set("id", Number(be(0, 4)));
      const d = u[9];
      out.set("domain", d === 0 ? "Person" : d === 1 ? "Group" : d === 2 ? "Org" : `Domain${d}`);
    }
  }
  return out;
}

export const builtins = defineAll([
  {
    name: "uuid.rfc4122",
    arity: 1,
    args: [["string"]],
    nondeterministic: true,
    impl: ([k], ctx) => {
      if (typeof k !== "string") throw operandError("uuid.rfc4122", 1, "string", k);
      const cacheKey = "uuid.rfc4122\0" + keyOf(k);
      const hit = ctx.cache.get(cacheKey);
      if (typeof hit === "string") return hit;
      const id = newV4();
      ctx.cache.set(cacheKey, id);
      return id;
    },
  },
  {
    name: "uuid.parse",
    arity: 1,
    args: [["string"]],
    impl: ([s]): Value | undefined => {
      if (typeof s !== "string") throw operandError("uuid.parse", 1, "string", s);
      const bytes = parseBytes(s);
      return bytes === null ? undefined : describe(bytes);
    },
  },
]);
