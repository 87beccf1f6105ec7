/**
 * Vault ACL path semantics the rules need, written independently of the Rego (policies/*.rego) so
 * the two implementations check each other: glob coverage, "too wide" wildcards, KV v2 API paths.
 */

const KV_API_PREFIXES = new Set(["data", "metadata", "delete", "undelete", "destroy", "subkeys"]);

/** Whether policy path `pattern` (Vault glob: trailing `*`, whole-segment `+`) reaches `path`. */
export function covers(pattern: string, path: string): boolean {
  if (pattern === path) return true;
  const ps = pattern.split("/");
  const hasPlus = ps.includes("+");
  const star = pattern.endsWith("*");
  if (!hasPlus) return star && path.startsWith(pattern.slice(0, -1));
  const xs = path.split("/");
  const segMatch = (p: string, x: string): boolean => p === "+" || p === x;
  if (!star) return xs.length === ps.length && ps.every((p, i) => segMatch(p, xs[i]));
  const n = ps.length;
  if (xs.length < n) return false;
  for (let i = 0; i < n - 1; i++) if (!segMatch(ps[i], xs[i])) return false;
  return xs[n - 1].startsWith(ps[n - 1].slice(0, -1));
}

export function isPattern(path: string): boolean {
  return path.endsWith("*") || path.split("/").includes("+");
}

/**
 * Segments that make up a mount root: `auth/<name>` for auth mounts, `<mount>/data` (or another
 * KV v2 API prefix) for secrets engines, else the mount alone.
 */
function rootDepth(segs: string[]): number {
  const mountDepth = segs[0] === "auth" ? 2 : 1;
  if (segs[0] !== "auth" && segs.length > mountDepth && KV_API_PREFIXES.has(segs[mountDepth])) {
    return mountDepth + 1;
  }
  return mountDepth;
}

const wildSegment = (seg: string): boolean => seg.includes("*") || seg === "+";

/** A glob at the mount root or above: `*`, `secret/*`, `secret/data/*`, `secret/data/+/x`, `se*`. */
export function tooWide(path: string): boolean {
  const segs = path.split("/");
  const d = rootDepth(segs);
  for (let i = 0; i < Math.min(d, segs.length); i++) if (wildSegment(segs[i])) return true;
  return segs.length > d && (segs[d] === "*" || segs[d] === "+");
}

/**
 * The KV v2 entry a path names: `<mount>/data/<name>` (read) and `<mount>/metadata/<name>`
 * (manage) both name the entry `<mount>/<name>`; any other path is its own entry.
 */
export function kvEntryPath(path: string): string {
  const segs = path.split("/");
  if (segs.length > 2 && (segs[1] === "data" || segs[1] === "metadata")) {
    return [segs[0], ...segs.slice(2)].join("/");
  }
  return path;
}
