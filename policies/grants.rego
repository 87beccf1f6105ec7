# TW001 wildcard too wide, TW002 capability beyond the access level, TW003 path no need covers.
#
# Rendered Vault policies are judged rule by rule against the need they were generated for
# (need.policy_name). A need whose policy is not in the document (e.g. a manifest checked without
# its grant plan) has its declared paths judged directly, so a problem is reported once, not twice.
package tokenwarden

import rego.v1

# `not` negates the whole expression, undefined operands included (OPA's future.keywords.not)
import future.keywords.not

# The manifest field of the need path a policy rule came from, when the need declares it.
rule_field(need, path, suffix) := {"need": need.name, "field": sprintf("paths[%d].%s", [idx[0], suffix])} if {
	idx := [i | some i, p in need.paths; p.path == path]
	count(idx) > 0
} else := {"need": need.name}

policy_extra(i, path, suffix) := rule_field(linked_need[i], path, suffix) if {
	linked_need[i]
} else := {}

# --- TW001 ----------------------------------------------------------------------------------

# METADATA
# title: "Policy path wildcard wider than the need allows"
# description: >-
#   A Vault policy path uses a wildcard (`*` or `+`) at a mount root or above, or is a bare `*`, so
#   it reaches every secret under that mount.
# custom:
#   id: TW001
#   severity: deny
#   remediation: >-
#     Name the exact paths the need uses, or put the wildcard below an application-specific prefix
#     (e.g. secret/data/<app>/*).
#   tags: ["OWASP-NHI5:2025"]
findings contains finding(
	"TW001", "deny", policy.source,
	sprintf(`policy "%s" grants "%s": a wildcard at the mount root or above reaches every secret under it`, [policy.name, rule.path]),
	"name the exact paths the need uses, or put the wildcard below an application-specific prefix (e.g. secret/data/<app>/*)",
	policy_extra(i, rule.path, "path"),
) if {
	some i, policy in input.vault.policies
	not is_string(policy.parse_error) # TW013 reports it; it has no rules
	some rule in policy.rules
	contains(replace(rule.path, "+", "*"), "*") # only a globbed path can be too wide: a cheap filter first
	too_wide(rule.path)
}

findings contains finding(
	"TW001", "deny", need.name,
	sprintf(`need "%s" asks for "%s": a wildcard at the mount root or above reaches every secret under it`, [need.name, p.path]),
	"name the exact paths the need uses, or put the wildcard below an application-specific prefix (e.g. secret/data/<app>/*)",
	need_ref(need.name, sprintf(`paths[%d].path`, [i])),
) if {
	some need in unrendered_needs
	some i, p in need.paths
	contains(replace(p.path, "+", "*"), "*")
	too_wide(p.path)
}

# --- TW002 ----------------------------------------------------------------------------------

capability_fix(need, "sudo") := sprintf(`remove "%s", or make need "%s" access: admin with a justification`, ["sudo", need.name])

capability_fix(need, cap) := sprintf(`remove "%s" (access %s allows %s), or raise the need's access level if it really must %s`, [cap, need.access, allowed_text(need.access), cap]) if cap != "sudo"

# METADATA
# title: "Capability beyond the need's access level"
# description: >-
#   A policy grants a capability the need's access level does not allow: `read` allows read/list
#   only; `sudo` only for `admin` needs with a justification.
# custom:
#   id: TW002
#   severity: deny
#   remediation: >-
#     Drop the extra capabilities, or raise the need's access level with a justification that a
#     reviewer accepts.
#   tags: ["OWASP-NHI5:2025"]
findings contains finding(
	"TW002", "deny", policy.source,
	sprintf(`policy "%s" grants "%s" on "%s", beyond need "%s"'s access level "%s"`, [policy.name, cap, rule.path, need.name, need.access]),
	capability_fix(need, cap),
	policy_extra(i, rule.path, "capabilities"),
) if {
	declared
	links := linked_need
	levels := unconditional_capabilities
	some i, policy in input.vault.policies
	need := links[i]
	not is_string(policy.parse_error)
	allowed := object.get(levels, need.access, set())
	some rule in policy.rules
	some cap in rule.capabilities
	not cap in allowed
	not justified_sudo(need, cap)
}

findings contains finding(
	"TW002", "deny", need.name,
	sprintf(`need "%s" asks for "%s" on "%s", beyond its access level "%s"`, [need.name, cap, p.path, need.access]),
	capability_fix(need, cap),
	need_ref(need.name, sprintf(`paths[%d].capabilities`, [i])),
) if {
	declared
	levels := unconditional_capabilities
	some need in unrendered_needs
	some i, p in need.paths
	some cap in p.capabilities
	not cap in object.get(levels, need.access, set())
	not justified_sudo(need, cap)
}

# --- TW003 ----------------------------------------------------------------------------------

# METADATA
# title: "Grant reaches a path no declared need covers"
# description: >-
#   A policy, role or token reaches a Vault path that no need in the manifest declares.
# custom:
#   id: TW003
#   severity: deny
#   remediation: >-
#     Declare a need for the path (with owner, justification and review date), or remove the grant.
#   tags: ["OWASP-NHI5:2025"]
findings contains finding(
	"TW003", "deny", policy.source,
	sprintf(`policy "%s" of need "%s" reaches "%s", which the need does not declare`, [policy.name, need.name, rule.path]),
	sprintf(`remove the rule from the policy, or add the path to need "%s" if it really needs it`, [need.name]),
	{"need": need.name},
) if {
	declared
	links := linked_need
	some i, policy in input.vault.policies
	need := links[i]
	not is_string(policy.parse_error)
	some rule in policy.rules
	not concat("|", [need.name, rule.path]) in covered_need_paths # most rules: one lookup
	not need_covers(need, rule.path)
}

findings contains finding(
	"TW003", "deny", policy.source,
	sprintf(`policy "%s" reaches "%s", which no declared need covers`, [policy.name, rule.path]),
	"declare a need for the path in access-needs.yaml, or remove the rule from the policy",
	{},
) if {
	declared
	links := linked_need
	some i, policy in input.vault.policies
	not links[i]
	not is_string(policy.parse_error)
	some rule in policy.rules
	not any_need_covers(rule.path)
}
