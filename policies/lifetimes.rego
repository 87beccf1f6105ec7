# TW004 TTL / max TTL missing or above the limits; TW005 rotation missing, too long, or shorter
# than the TTL. Needs are judged on their declared values; rendered tokens and auth roles on
# theirs, so a Pulumi or Terraform document without a manifest is judged too.
package tokenwarden

import rego.v1

# `not` negates the whole expression, undefined operands included (OPA's future.keywords.not)
import future.keywords.not

# --- TW004 on needs -------------------------------------------------------------------------

need_ttl_fields := {"ttl_seconds": "ttl", "max_ttl_seconds": "maxTtl"}

# METADATA
# title: "TTL or max TTL missing or above the limits"
# description: >-
#   A need, role or token has no TTL or max TTL, or one above `limits.maxTtl` or the provider's own
#   ceiling.
# custom:
#   id: TW004
#   severity: deny
#   remediation: >-
#     Set `ttl` and `maxTtl` on the need (or in `defaults`) within `limits.maxTtl` and the
#     provider's maximum.
#   tags: ["OWASP-NHI7:2025"]
findings contains finding(
	"TW004", "deny", need.name,
	sprintf(`need "%s" has no %s`, [need.name, field]),
	sprintf("set %s (at most %s)", [field, max_ttl_text]),
	need_ref(need.name, field),
) if {
	fields := need_ttl_fields
	some need in input.needs
	some key, field in fields
	not is_number(need[key])
}

findings contains finding(
	"TW004", "deny", need.name,
	sprintf(`need "%s" has %s %s, above the organisation limit of %s`, [need.name, field, dur(need[key]), max_ttl_text]),
	sprintf("lower %s to %s or less", [field, max_ttl_text]),
	need_ref(need.name, field),
) if {
	fields := need_ttl_fields
	limit := max_ttl
	some need in input.needs
	some key, field in fields
	is_number(need[key])
	need[key] > limit
}

findings contains finding(
	"TW004", "deny", need.name,
	sprintf(`need "%s" has %s %s, above provider "%s"'s ceiling of %s`, [need.name, field, dur(need[key]), provider.name, dur(provider.max_ttl_seconds)]),
	sprintf("lower %s to %s or less", [field, dur(provider.max_ttl_seconds)]),
	need_ref(need.name, field),
) if {
	fields := need_ttl_fields
	providers := providers_by_name
	some need in input.needs
	provider := providers[need.provider]
	is_number(provider.max_ttl_seconds)
	some key, field in fields
	is_number(need[key])
	need[key] > provider.max_ttl_seconds
}

# --- TW004 on tokens and roles --------------------------------------------------------------

token_ttl_fields := {"ttl_seconds": "ttl", "explicit_max_ttl_seconds": "explicit max TTL"}

role_ttl_fields := {"token_ttl_seconds": "token TTL", "token_max_ttl_seconds": "token max TTL"}

# A token role has no TTLs of its own (Vault's token roles take none): it caps every token created
# against it with token_explicit_max_ttl, so that is the lifetime judged on it.
token_role_ttl_fields := {"token_explicit_max_ttl_seconds": "token explicit max TTL"}

ttl_fields_of(role) := token_role_ttl_fields if role.kind == "token"

ttl_fields_of(role) := role_ttl_fields if role.kind != "token"

token_extra(token) := {"need": name} if {
	name := token_need(token)
} else := {}

# One mistake, one finding: tokens and roles rendered from needs carry the needs' TTLs, so a gap
# already reported on the need (missing, or above the organisation limit) is not reported again
# on every object rendered from it.
need_key_of := {
	"ttl_seconds": "ttl_seconds",
	"explicit_max_ttl_seconds": "max_ttl_seconds",
	"token_ttl_seconds": "ttl_seconds",
	"token_max_ttl_seconds": "max_ttl_seconds",
	"token_explicit_max_ttl_seconds": "max_ttl_seconds",
}

missing_on_need(need, key) if not is_number(need[need_key_of[key]])

above_on_need(need, key) if need[need_key_of[key]] > max_ttl

token_missing_on_need(token, key) if missing_on_need(needs_by_name[token_need(token)], key)

token_above_on_need(token, key) if above_on_need(needs_by_name[token_need(token)], key)

role_missing_on_needs(role, key) if {
	some need in input.needs
	need.consumer == role.consumer
	missing_on_need(need, key)
}

role_above_on_needs(role, key) if {
	some need in input.needs
	need.consumer == role.consumer
	above_on_need(need, key)
}

findings contains finding(
	"TW004", "deny", token.source,
	sprintf(`token "%s" has no %s, so Vault applies its system default`, [token.name, label]),
	sprintf("set the token's %s (at most %s)", [label, max_ttl_text]),
	token_extra(token),
) if {
	some token in input.vault.tokens
	some key, label in token_ttl_fields
	known_missing(token, key)
	not token_missing_on_need(token, key)
}

findings contains finding(
	"TW004", "deny", token.source,
	sprintf(`token "%s" has %s %s, above the organisation limit of %s`, [token.name, label, dur(token[key]), max_ttl_text]),
	sprintf("lower the token's %s to %s or less", [label, max_ttl_text]),
	token_extra(token),
) if {
	fields := token_ttl_fields
	limit := max_ttl
	some token in input.vault.tokens
	some key, label in fields
	is_number(token[key])
	token[key] > limit
	not token_above_on_need(token, key)
}

findings contains finding(
	"TW004", "deny", role.source,
	sprintf(`%s role "%s" has no %s, so Vault applies its mount default`, [role.kind, role.name, label]),
	sprintf("set the role's %s (at most %s)", [label, max_ttl_text]),
	{},
) if {
	some role in input.vault.roles
	some key, label in ttl_fields_of(role)
	known_missing(role, key)
	not role_missing_on_needs(role, key)
}

findings contains finding(
	"TW004", "deny", role.source,
	sprintf(`%s role "%s" has %s %s, above the organisation limit of %s`, [role.kind, role.name, label, dur(role[key]), max_ttl_text]),
	sprintf("lower the role's %s to %s or less", [label, max_ttl_text]),
	{},
) if {
	limit := max_ttl
	some role in input.vault.roles
	some key, label in ttl_fields_of(role)
	is_number(role[key])
	role[key] > limit
	not role_above_on_needs(role, key)
}

# --- TW005 ----------------------------------------------------------------------------------

# METADATA
# title: "Rotation missing or too long"
# description: >-
#   A need has no rotation period, one above `limits.maxRotation`, or a TTL longer than its rotation
#   period.
# custom:
#   id: TW005
#   severity: deny
#   remediation: >-
#     Set `rotation` within `limits.maxRotation`, and keep the TTL at most the rotation period.
#   tags: ["OWASP-NHI7:2025"]
findings contains finding(
	"TW005", "deny", need.name,
	sprintf(`need "%s" has no rotation period`, [need.name]),
	sprintf("set rotation (at most %s)", [max_rotation_text]),
	need_ref(need.name, "rotation"),
) if {
	some need in input.needs
	not is_number(need.rotation_seconds)
}

findings contains finding(
	"TW005", "deny", need.name,
	sprintf(`need "%s" rotates every %s, above the organisation limit of %s`, [need.name, dur(need.rotation_seconds), max_rotation_text]),
	sprintf("set rotation to %s or less", [max_rotation_text]),
	need_ref(need.name, "rotation"),
) if {
	limit := max_rotation
	some need in input.needs
	is_number(need.rotation_seconds)
	need.rotation_seconds > limit
}

findings contains finding(
	"TW005", "deny", need.name,
	sprintf(`need "%s" has ttl %s, longer than its rotation period %s, so a token outlives its rotation`, [need.name, dur(need.ttl_seconds), dur(need.rotation_seconds)]),
	sprintf("lower ttl to %s or less, or rotate less often (within %s)", [dur(need.rotation_seconds), max_rotation_text]),
	need_ref(need.name, "ttl"),
) if {
	some need in input.needs
	is_number(need.rotation_seconds)
	is_number(need.ttl_seconds)
	need.ttl_seconds > need.rotation_seconds
}
