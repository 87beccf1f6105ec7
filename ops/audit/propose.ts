/**
 * Narrower policies from observed use, the way IAM Access Analyzer generates a policy from
 * activity: keep only the rules a need used, only the capabilities it used on them, and replace a
 * wildcard by the exact paths when only a few were used. The proposal is given as the policy HCL
 * Vault would hold and as the change to the need's `paths` in the manifest (the manifest is the
 * source of truth; the HCL follows from it).
 */
import type { Manifest, PolicyRule, Capability } from "../../model";
import { renderPolicyHcl, policyName } from "../../model";
import { isWildcard } from "./acl-path";
import type { NeedUsage, PolicyProposal } from "./report-types";

/** A wildcard is replaced by exact paths when at most this many were used. */
export const MAX_EXACT_PATHS = 5;

export function proposePolicy(
  manifest: Manifest,
  usage: NeedUsage,
  currentHcl: string,
  window: { since: string; until: string },
): PolicyProposal | undefined {
  if (usage.uses === 0) return undefined; // never used: a revocation candidate, not a narrowing
  const index = manifest.needs.findIndex((n) => n.name === usage.need);
  const need = manifest.needs[index];
  // Third-party needs have one rule (read on their KV entry) that cannot be narrowed.
  if (!need || need.paths.length === 0) return undefined;
  const rules: PolicyRule[] = [];
  const changes: string[] = [];
  for (const r of usage.rules) {
    if (r.used.length === 0) {
      changes.push(`drop ${r.path} [${r.granted.join(", ")}]: never used`);
      continue;
    }
    const caps = r.used as Capability[];
    if (caps.length < r.granted.length)
      changes.push(`${r.path}: capabilities [${r.granted.join(", ")}] → [${caps.join(", ")}]`);
    if (isWildcard(r.path) && !r.morePaths && r.paths.length <= MAX_EXACT_PATHS) {
      const exact = [...r.paths].sort((a, b) => a.path.localeCompare(b.path));
      changes.push(`${r.path} → ${exact.map((p) => p.path).join(", ")} (the paths used)`);
      for (const p of exact)
        rules.push({
          path: p.path,
          capabilities: r.granted.filter((c) => p.capabilities.includes(c)) as Capability[],
        });
    } else rules.push({ path: r.path, capabilities: caps });
  }
  if (changes.length === 0) return undefined;
  const pos = manifest.source.locate(["needs", index, "paths"]);
  const location = `${manifest.source.file}:${pos?.line ?? 0}`;
  const before = need.paths.map((p) =>
    yamlPathItem(p.path, p.capabilities.length > 0 ? p.capabilities : undefined),
  );
  const after = rules.map((r) => yamlPathItem(r.path, r.capabilities));
  const manifestDiff =
    `--- ${location} needs[${index}] ${usage.need}\n` +
    `+++ proposed from use ${window.since.slice(0, 10)}..${window.until.slice(0, 10)}\n` +
    `   paths:\n` +
    before.map((l) => l.replace(/^/gm, "-  ")).join("\n") +
    "\n" +
    after.map((l) => l.replace(/^/gm, "+  ")).join("\n") +
    "\n";
  return {
    need: usage.need,
    policy: policyName(usage.need),
    currentHcl,
    proposedHcl: renderPolicyHcl(rules),
    manifestDiff,
    location,
    changes,
  };
}

function yamlPathItem(path: string, caps: readonly string[] | undefined): string {
  const head = `  - path: ${JSON.stringify(path)}`;
  return caps === undefined ? head : `${head}\n    capabilities: [${caps.join(", ")}]`;
}
