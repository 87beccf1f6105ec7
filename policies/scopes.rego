# TW010 scopes the provider does not offer, or write/admin scopes on a read need.
package tokenwarden

import rego.v1

# `not` negates the whole expression, undefined operands included (OPA's future.keywords.not)
import future.keywords.not

# Words that make a scope a write or admin scope ("charges:write", "admin:org", "repo.delete").
write_scope_words := {"write", "admin", "delete", "create", "update", "manage", "modify", "edit", "full", "*"}

offered_scopes := {p.name: {s | some s in p.scopes} | some p in input.providers}

# METADATA
# title: "Scope not offered, or write scope on a read need"
# description: >-
#   A need asks for scopes its provider does not offer, or for write/admin scopes while its access
#   level is `read`.
# custom:
#   id: TW010
#   severity: deny
#   remediation: >-
#     Use only scopes listed under the provider, and match scopes to the need's access level.
#   tags: ["OWASP-NHI5:2025"]
findings contains finding(
	"TW010", "deny", need.name,
	sprintf(`need "%s" asks for scopes from provider "%s", which is not declared`, [need.name, need.provider]),
	"declare the provider with the scopes it offers, or point the need at a declared provider",
	need_ref(need.name, "provider"),
) if {
	declared
	providers := providers_by_name
	some need in input.needs
	count(need.scopes) > 0
	not providers[need.provider]
}

findings contains finding(
	"TW010", "deny", need.name,
	sprintf(`need "%s" asks for scope "%s", which provider "%s" does not offer`, [need.name, scope, need.provider]),
	sprintf("use only scopes provider %s offers (%s)", [need.provider, concat(", ", sort(offered_scopes[need.provider]))]),
	need_ref(need.name, sprintf("scopes[%d]", [i])),
) if {
	declared
	offered_by := offered_scopes
	some need in input.needs
	offered := offered_by[need.provider]
	some i, scope in need.scopes
	not scope in offered
}

findings contains finding(
	"TW010", "deny", need.name,
	sprintf(`need "%s" has access read but asks for write-level scope "%s"`, [need.name, scope]),
	"drop the scope, or raise the need's access to write if it really must change data",
	need_ref(need.name, sprintf("scopes[%d]", [i])),
) if {
	declared
	write_level := write_level_scopes
	some need in input.needs
	need.access == "read"
	some i, scope in need.scopes
	scope in write_level
}

# The distinct scopes of read needs that hold a write-level word: each is lowered and split into
# words once, however many needs ask for it (thousands of needs share a provider's few scopes).
write_level_scopes := {scope |
	words := write_scope_words
	some scope in {scope | some need in input.needs; need.access == "read"; some scope in need.scopes}
	s := lower(scope)
	some word in words
	contains(s, word) # a cheap filter first: only a scope holding the word is split into words
	word in regex.split(`[^a-z0-9*]+`, s)
}
