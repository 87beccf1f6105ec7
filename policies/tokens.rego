# TW008 root policy on a token or role, Vault's default policy on a token whose need did not ask
# for it; TW009 (warn) orphan tokens and non-renewable long-lived tokens.
package tokenwarden

import rego.v1

# `not` negates the whole expression, undefined operands included (OPA's future.keywords.not)
import future.keywords.not

# --- TW008 ----------------------------------------------------------------------------------

# METADATA
# title: "`root` policy, or `default` policy not asked for"
# description: >-
#   A token or role carries the `root` policy, or tokens carry Vault's `default` policy although the
#   need did not ask for it.
# custom:
#   id: TW008
#   severity: deny
#   remediation: >-
#     Remove `root`; set `no_default_policy` (or `defaultPolicy: true` on the need when it really
#     needs `default`).
#   tags: ["OWASP-NHI5:2025"]
findings contains finding(
	"TW008", "deny", token.source,
	sprintf(`token "%s" carries the root policy, which can do anything in Vault`, [token.name]),
	"remove root from the token's policies and grant the need's own policy instead",
	token_extra(token),
) if {
	some token in input.vault.tokens
	"root" in token.policies
}

findings contains finding(
	"TW008", "deny", role.source,
	sprintf(`%s role "%s" issues tokens with the root policy, which can do anything in Vault`, [role.kind, role.name]),
	"remove root from the role's token policies and list only the needs' own policies",
	{},
) if {
	some role in input.vault.roles
	"root" in role.token_policies
}

carries_default(token) if not token.no_default_policy

carries_default(token) if "default" in token.policies

asked_for_default(token) if needs_by_name[token_need(token)].default_policy == true

default_refusal(token) := sprintf(`need "%s" did not ask for`, [name]) if {
	name := token_need(token)
} else := "no declared need asked for"

findings contains finding(
	"TW008", "deny", token.source,
	sprintf(`token "%s" carries Vault's default policy, which %s`, [token.name, default_refusal(token)]),
	"set no_default_policy: true on the token and drop default from its policies, or set defaultPolicy: true on the need if it really needs it",
	token_extra(token),
) if {
	some token in input.vault.tokens
	carries_default(token)
	not asked_for_default(token)
}

# --- TW009 ----------------------------------------------------------------------------------

# METADATA
# title: "Orphan or non-renewable long-lived token"
# description: >-
#   A token is an orphan (`no_parent`) or is long-lived and not renewable.
# custom:
#   id: TW009
#   severity: warn
#   remediation: >-
#     Create tokens with a parent and a short, renewable TTL; rotate instead of issuing long-lived
#     tokens.
#   tags: ["OWASP-NHI7:2025"]
findings contains finding(
	"TW009", "warn", token.source,
	sprintf(`token "%s" is an orphan (no_parent), so revoking its creator does not revoke it`, [token.name]),
	"create the token with a parent (no_parent: false) unless it must outlive its creator, and say why in the need's justification",
	token_extra(token),
) if {
	some token in input.vault.tokens
	token.no_parent == true
}

findings contains finding(
	"TW009", "warn", token.source,
	sprintf(`token "%s" is not renewable and lives %s (long-lived: above %s), so it stays valid long after its last use`, [token.name, dur(token.ttl_seconds), long_lived_token_text]),
	sprintf("make the token renewable with a short ttl, or cut its ttl to %s or less", [long_lived_token_text]),
	token_extra(token),
) if {
	threshold := long_lived_token
	some token in input.vault.tokens
	token.renewable == false
	is_number(token.ttl_seconds)
	token.ttl_seconds > threshold
}
