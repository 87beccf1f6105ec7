# Items the other rules cannot judge: values unknown at preview (TW012) and policy HCL that did
# not parse (TW013). Both deny: a value nobody could check must not pass silently.
package tokenwarden

import rego.v1

unknown_kinds := {"policies": "policy", "tokens": "token", "roles": "role", "secrets": "secret"}

item_label(kind, item) := sprintf(`%s "%s"`, [unknown_kinds[kind], item.name]) if {
	is_string(item.name)
} else := sprintf(`%s "%s"`, [unknown_kinds[kind], item.path])

# METADATA
# title: "Value unknown at preview"
# description: >-
#   A value the rules judge (TTL, policies, paths) was not known at preview time, so it could not be
#   checked.
# custom:
#   id: TW012
#   severity: deny
#   remediation: >-
#     Compute the value from the manifest as a plain value, or check a plan in which it is known.
findings contains finding(
	"TW012", "deny", item.source,
	sprintf(`%s: %s was unknown at preview, so the rules that judge it could not run`, [item_label(kind, item), field]),
	"compute the value from the manifest as a plain value (not from another resource's output), or run the check on a plan where it is known",
	{},
) if {
	some kind, _ in unknown_kinds
	some item in input.vault[kind]
	some field in object.get(item, "unknown", [])
}

# METADATA
# title: "Policy HCL does not parse"
# description: >-
#   A Vault policy document is not valid HCL; its rules could not be checked.
# custom:
#   id: TW013
#   severity: deny
#   remediation: >-
#     Fix the HCL at the reported line and column.
findings contains finding(
	"TW013", "deny", policy.source,
	sprintf(`policy "%s" did not parse as HCL: %s`, [policy.name, policy.parse_error]),
	"fix the policy's HCL at that location; its rules were not checked",
	{},
) if {
	some policy in input.vault.policies
	is_string(policy.parse_error)
}
