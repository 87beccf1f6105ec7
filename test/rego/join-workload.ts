/**
 * The issue-3 speed workload: deny rules joining two collections by key plus string built-ins,
 * and a hand-written TypeScript function computing the same decisions.
 */
export const JOIN_POLICY = `package bench
import rego.v1

deny contains msg if {
  some need in input.needs
  some grant in input.grants
  grant.need == need.name
  grant.ttl > need.max_ttl
  msg := sprintf("grant %s: ttl %d above %d", [grant.id, grant.ttl, need.max_ttl])
}

deny contains msg if {
  some grant in input.grants
  not startswith(grant.path, "secret/")
  msg := concat("", ["grant ", grant.id, " outside secret/"])
}

deny contains msg if {
  some need in input.needs
  not granted[need.name]
  msg := sprintf("need %s has no grant", [upper(need.name)])
}

granted contains g.need if some g in input.grants
`;

export interface Need {
  name: string;
  max_ttl: number;
}
export interface Grant {
  id: string;
  need: string;
  ttl: number;
  path: string;
}
export interface Workload {
  needs: Need[];
  grants: Grant[];
}

export function generate(n: number): Workload {
  const needs: Need[] = [];
  const grants: Grant[] = [];
  for (let i = 0; i < n; i++) {
    needs.push({ name: `need-${i}`, max_ttl: 3600 });
    if (i % 10 === 0) continue; // every tenth need has no grant
    grants.push({
      id: `g-${i}`,
      need: `need-${i}`,
      ttl: i % 7 === 0 ? 7200 : 600,
      path: i % 13 === 0 ? "kv/x" : "secret/x",
    });
  }
  return { needs, grants };
}

export function handWritten(input: Workload): string[] {
  const out = new Set<string>();
  const byName = new Map<string, Need>();
  for (const n of input.needs) byName.set(n.name, n);
  for (const g of input.grants) {
    const n = byName.get(g.need);
    if (n && g.ttl > n.max_ttl) out.add(`grant ${g.id}: ttl ${g.ttl} above ${n.max_ttl}`);
  }
  for (const g of input.grants) {
    if (!g.path.startsWith("secret/")) out.add(`grant ${g.id} outside secret/`);
  }
  const granted = new Set(input.grants.map((g) => g.need));
  for (const n of input.needs) {
    if (!granted.has(n.name)) out.add(`need ${n.name.toUpperCase()} has no grant`);
  }
  return [...out].sort();
}

/**
 * Best of `runs` CPU times in milliseconds. CPU time, not wall time: on a loaded machine a long
 * run is preempted more often than a short one, which would fake superlinear growth.
 */
export function bestOf(runs: number, f: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const s = process.cpuUsage();
    f();
    const d = process.cpuUsage(s);
    best = Math.min(best, (d.user + d.system) / 1000);
  }
  return best;
}
