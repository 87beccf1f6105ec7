# Token shape: TW025 periodic tokens (or token-issuing roles) without an explicit max TTL;
# TW026 batch tokens used where they cannot be controlled; TW027 bootstrap tokens with unlimited
# uses; TW028 (warn) tokens whose display name or metadata would not tie audit lines to a need.
package tokenwarden

import rego.v1

# `not` negates the whole expression, undefined operands included (OPA's future.keywords.not)
import future.keywords.not

# --- TW025 ----------------------------------------------------------------------------------

# METADATA
# title: "Periodic token without an explicit max TTL"
# description: >-
#   A token has a `period`, or a role issues tokens with a `token_period`, and no explicit max TTL.
# custom:
#   id: TW025
#   severity: deny
#   remediation: >-
#     Why: a periodic token renewed on time never expires. Fix: set an explicit max TTL within
#     `limits.maxTtl`, or drop the period.
#   tags: ["OWASP-NHI7:2025"]
findings contains finding(
	"TW025", "deny", token.source,
	sprintf(`token "%s" is periodic (period %s) with no explicit max TTL, so it can be renewed for ever`, [token.name, dur(token.period_seconds)]),
	sprintf("set explicit_max_ttl on the token (at most %s), or drop the period and use a renewable token with a max TTL", [max_ttl_text]),
	token_extra(token),
) if {
	some token in input.vault.tokens
	is_number(token.period_seconds)
	token.period_seconds > 0
	known_missing(token, "explicit_max_ttl_seconds")
}

findings contains finding(
	"TW025", "deny", role.source,
	sprintf(`%s role "%s" issues periodic tokens (token_period %s) with no token_explicit_max_ttl, so they can be renewed for ever`, [role.kind, role.name, dur(role.token_period_seconds)]),
	sprintf("set token_explicit_max_ttl on the role (at most %s), or drop token_period", [max_ttl_text]),
	{},
) if {
	some role in input.vault.roles
	is_number(role.token_period_seconds)
	role.token_period_seconds > 0
	known_missing(role, "token_explicit_max_ttl_seconds")
}

# --- TW026 ----------------------------------------------------------------------------------

# Batch tokens have no accessor and cannot be renewed, made periodic or revoked one by one: they
# suit short, high-volume work, and go wrong anywhere a token must be controllable.
batch_types := {"batch", "default-batch"}

issues_batch(role) if {
	object.get(role, "token_type", null) in batch_types
	not "token_type" in unknown_fields(role)
}

# METADATA
# title: "Batch tokens where they cannot be controlled"
# description: >-
#   A role issues batch tokens that are periodic, orphans (token roles), or live longer than the
#   long-lived threshold (1d by default).
# custom:
#   id: TW026
#   severity: deny
#   remediation: >-
#     Why: batch tokens have no accessor and cannot be renewed or revoked one by one; an orphan or
#     long-lived one stays valid whatever happens. Fix: issue service tokens there, or short-lived
#     batch tokens with a parent.
#   tags: ["OWASP-NHI1:2025"]
findings contains finding(
	"TW026", "deny", role.source,
	sprintf(`%s role "%s" issues batch tokens with a token_period, but batch tokens cannot be periodic or renewed`, [role.kind, role.name]),
	"issue service tokens for periodic use (token_type service), or drop token_period",
	{},
) if {
	some role in input.vault.roles
	issues_batch(role)
	is_number(role.token_period_seconds)
	role.token_period_seconds > 0
}

findings contains finding(
	"TW026", "deny", role.source,
	sprintf(`token role "%s" issues orphan batch tokens: with no parent and no accessor, nothing revokes them before they expire`, [role.name]),
	"issue batch tokens with a parent (orphan false), or service tokens that can be revoked by accessor",
	{},
) if {
	some role in input.vault.roles
	role.kind == "token"
	issues_batch(role)
	object.get(role, "orphan", false) == true
}

batch_lifetime(role) := max(ttls) if {
	ttls := [role[k] | some k in ["token_ttl_seconds", "token_max_ttl_seconds", "token_explicit_max_ttl_seconds"]; is_number(role[k])]
	count(ttls) > 0
}

findings contains finding(
	"TW026", "deny", role.source,
	sprintf(`%s role "%s" issues batch tokens living %s (long-lived: above %s), which cannot be revoked one by one`, [role.kind, role.name, dur(batch_lifetime(role)), long_lived_token_text]),
	sprintf("cut the token TTL to %s or less, or issue service tokens (token_type service)", [long_lived_token_text]),
	{},
) if {
	threshold := long_lived_token
	some role in input.vault.roles
	issues_batch(role)
	batch_lifetime(role) > threshold
}

# --- TW027 ----------------------------------------------------------------------------------

bootstrap_catalogue := data.tokenwarden.bootstrap_paths if is_object(data.tokenwarden.bootstrap_paths)

policies_by_name := {p.name: p | some p in input.vault.policies}

# The distinct judged rules (escalation.rego's judged_rules) that reach a bootstrap path: decided
# once per distinct rule, not once per policy that repeats it.
minting_rules := {key |
	catalogue := bootstrap_catalogue
	some key in judged_rules
	reach({"path": key[0], "capabilities": key[1]}, catalogue)
}

# Policies in the document that can mint credentials (create tokens, generate SecretIDs). Only
# a rule the escalation rules judge (one that may reach a catalogue path, escalation.rego) can:
# those few are taken from judged_grants rather than every policy's rules being walked again.
minting_policies contains input.vault.policies[g.i].name if {
	bootstrap_catalogue
	rules := minting_rules
	some g in judged_grants
	g.policy
	judged_rule_key(g) in rules
}

bootstrap_reason(token) := "its metadata says purpose=bootstrap" if {
	token.meta.purpose == "bootstrap"
} else := sprintf("it carries %s, which can mint credentials", [concat(", ", [sprintf(`policy "%s"`, [p]) | some p in sort(minting)])]) if {
	minting := {p | some p in token.policies; p in minting_policies}
	count(minting) > 0
}

# METADATA
# title: "Bootstrap token with unlimited uses"
# description: >-
#   A token that can mint credentials (its policy reaches token creation or AppRole SecretID
#   generation, or its metadata says `purpose=bootstrap`) has `num_uses` 0.
# custom:
#   id: TW027
#   severity: deny
#   remediation: >-
#     Why: a bootstrap token is meant to be used once to hand out credentials; with unlimited uses,
#     a copy keeps minting them. Fix: set `num_uses` to the uses bootstrapping takes, a short TTL,
#     and deliver it response-wrapped.
#   tags: ["OWASP-NHI2:2025"]
findings contains finding(
	"TW027", "deny", token.source,
	sprintf(`token "%s" is a bootstrap token (%s) with unlimited uses (num_uses 0), so a copy of it keeps minting credentials as long as it lives`, [token.name, bootstrap_reason(token)]),
	"set num_uses to the uses bootstrapping takes (often 1), give it a short ttl, and hand it over response-wrapped",
	token_extra(token),
) if {
	some token in input.vault.tokens
	bootstrap_reason(token) # few tokens mint credentials: the selective test first
	not "num_uses" in unknown_fields(token)
	not object.get(token, "num_uses", 0) > 0
}

# --- TW028 ----------------------------------------------------------------------------------

# METADATA
# title: "Token whose audit lines cannot be tied to a need"
# description: >-
#   A token has no `display_name`, no `need` in its metadata, or names a need that is not declared.
# custom:
#   id: TW028
#   severity: warn
#   remediation: >-
#     Why: Vault copies the display name and metadata into every audit line; without them a use
#     cannot be traced to a declared need and owner, so unused or misused tokens go unnoticed. Fix:
#     set display_name and meta need (with consumer and owner) to the need the token serves.
#   tags: ["OWASP-NHI1:2025"]
findings contains finding(
	"TW028", "warn", token.source,
	sprintf(`token "%s" has no display_name, so its audit lines show only "token"`, [token.name]),
	"set display_name to the name of the need the token serves",
	token_extra(token),
) if {
	some token in input.vault.tokens
	not "display_name" in unknown_fields(token)
	blank(object.get(token, "display_name", null))
}

findings contains finding(
	"TW028", "warn", token.source,
	sprintf(`token "%s" names no need in its metadata, so its audit lines cannot be traced to a declared need`, [token.name]),
	"set meta need=<need name> (with consumer and owner) on the token",
	token_extra(token),
) if {
	some token in input.vault.tokens
	not "meta" in unknown_fields(token)
	blank(object.get(token.meta, "need", null))
}

findings contains finding(
	"TW028", "warn", token.source,
	sprintf(`token "%s" names need "%s" in its metadata, which is not declared, so its audit lines point at nothing`, [token.name, token.meta.need]),
	"set meta need to the declared need the token serves, or declare that need",
	token_extra(token),
) if {
	declared
	names := needs_by_name
	some token in input.vault.tokens
	not "meta" in unknown_fields(token)
	is_string(token.meta.need)
	not blank(token.meta.need)
	not names[token.meta.need]
}
