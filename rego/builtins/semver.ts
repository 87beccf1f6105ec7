/**
 * semver.is_valid / semver.compare: strict SemVer 2.0.0 (no "v" prefix, no leading zeros in
 * numeric parts, non-empty pre-release/build sections); build metadata never affects order.
 */
import { BuiltinError, defineAll, operandError } from "./types";
import type { Value } from "../value";

interface Version {
  readonly core: [bigint, bigint, bigint];
  readonly pre: string[];
}

const SEMVER =
  /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-((?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

const INT64_MAX = 9223372036854775807n;

function parse(s: string): Version | null {
  const m = SEMVER.exec(s);
  if (!m) return null;
  const core = [BigInt(m[1]), BigInt(m[2]), BigInt(m[3])] as [bigint, bigint, bigint];
  // OPA's parser keeps the numeric parts in int64.
  if (core.some((n) => n > INT64_MAX)) return null;
  return { core, pre: m[4] === undefined ? [] : m[4].split(".") };
}

const isNumeric = (id: string): boolean => /^[0-9]+$/.test(id);

function comparePre(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    const xn = isNumeric(x);
    const yn = isNumeric(y);
    if (xn && yn) return BigInt(x) < BigInt(y) ? -1 : 1;
    if (xn !== yn) return xn ? -1 : 1; // numeric identifiers sort before alphanumeric ones
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function compareSemver(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    if (a.core[i] !== b.core[i]) return a.core[i] < b.core[i] ? -1 : 1;
  }
  return comparePre(a.pre, b.pre);
}

function versionArg(pos: number, v: Value): Version {
  if (typeof v !== "string") throw operandError("semver.compare", pos, "string", v);
  const parsed = parse(v);
  if (parsed === null) {
    throw new BuiltinError(
      `semver.compare: operand ${pos}: string ${JSON.stringify(v)} is not a valid SemVer`,
    );
  }
  return parsed;
}

export const builtins = defineAll([
  {
    name: "semver.is_valid",
    arity: 1,
    args: [["any"]],
    impl: ([v]) => typeof v === "string" && parse(v) !== null,
  },
  {
    name: "semver.compare",
    arity: 2,
    args: [["string"], ["string"]],
    impl: ([a, b]) => compareSemver(versionArg(1, a), versionArg(2, b)),
  },
]);
