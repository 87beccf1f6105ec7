# Login bindings: who may log in through an auth role.
# TW017 Kubernetes roles bound to any service account or namespace (`*` or a glob);
# TW018 JWT/OIDC roles that pin nothing identifying; TW019 glob-typed bound claims with wildcards;
# TW020 GitHub-style subjects without repository and ref/environment;
# TW021 AppRole SecretIDs that never expire; TW022 (warn) SecretIDs with unlimited uses;
# TW023 roles of a consumer with fixed addresses that are not bound to them;
# TW024 token roles allowing policies nobody listed.
#
# A field listed in the role's `unknown` is TW012's to report; these rules then stay quiet on it.
package tokenwarden

import rego.v1

# `not` negates the whole expression, undefined operands included (OPA's future.keywords.not)
import future.keywords.not

role_field_known(role, field) if not field in unknown_fields(role)

role_list(role, key) := [x | some x in object.get(role, key, [])]

# --- TW017 ----------------------------------------------------------------------------------

k8s_binding_fields := {
	"bound_service_account_names": "service accounts",
	"bound_service_account_namespaces": "namespaces",
}

# METADATA
# title: "Kubernetes role bound to any service account or namespace"
# description: >-
#   A Kubernetes auth role's `bound_service_account_names` or `bound_service_account_namespaces` is
#   `*` or a glob.
# custom:
#   id: TW017
#   severity: deny
#   remediation: >-
#     Why: any pod running as a matching service account, in any matching namespace, logs in and
#     gets the role's policies. Fix: bind the role to the exact service accounts and namespaces the
#     consumer runs as.
#   tags: ["OWASP-NHI4:2025"]
findings contains finding(
	"TW017", "deny", role.source,
	sprintf(`kubernetes role "%s" accepts %s "%s": any %s matching it logs in and gets the role's policies`, [role.name, what, value, trim_suffix(what, "s")]),
	sprintf("bind the role to the exact %s the consumer runs as (no * or globs)", [what]),
	{},
) if {
	fields := k8s_binding_fields
	some role in input.vault.roles
	role.kind == "kubernetes"
	some key, what in fields
	role_field_known(role, key)
	some value in role_list(role, key)
	contains(value, "*")
}

# --- JWT/OIDC -------------------------------------------------------------------------------

# Claims that say who or what the login is. `aud`, `iss` and the token's timing say only which
# issuer minted it for which audience: every workload of that issuer has them.
non_identifying_claims := {"aud", "iss", "azp", "iat", "nbf", "exp", "jti"}

jwt_claims(role) := object.get(role, "bound_claims", {})

identifying_claims(role) := {k | some k, vs in jwt_claims(role); not k in non_identifying_claims; count(vs) > 0}

jwt_subject(role) := role.bound_subject if {
	is_string(role.bound_subject)
	not blank(role.bound_subject)
}

jwt_fields_known(role) if {
	role_field_known(role, "bound_claims")
	role_field_known(role, "bound_subject")
}

# METADATA
# title: "JWT/OIDC role pins nothing identifying"
# description: >-
#   A JWT/OIDC role has no `bound_subject` and its `bound_claims` are empty or pin only claims every
#   token of the issuer carries (`aud`, `iss`, timing claims).
# custom:
#   id: TW018
#   severity: deny
#   remediation: >-
#     Why: any token the issuer mints for that audience logs in, whichever workload it was minted
#     for. Fix: bind the claims that name the workload (sub, or repository and ref/environment for
#     CI).
#   tags: ["OWASP-NHI4:2025"]
findings contains finding(
	"TW018", "deny", role.source,
	sprintf(`jwt role "%s" binds no identifying claim (no bound_subject, and bound_claims %s): any token its issuer mints for the audience logs in`, [role.name, claims_text(role)]),
	"bind the claims that name the workload: sub (bound_subject), or e.g. repository and ref/environment for CI, namespace and service account for clusters",
	{},
) if {
	some role in input.vault.roles
	role.kind == "jwt"
	jwt_fields_known(role)
	count(identifying_claims(role)) == 0
	not jwt_subject(role)
}

claims_text(role) := "are empty" if {
	count(jwt_claims(role)) == 0
} else := sprintf("pin only %s", [concat(", ", sort([k | some k, _ in jwt_claims(role)]))])

glob_typed(role) if object.get(role, "bound_claims_type", "") == "glob"

# METADATA
# title: "JWT/OIDC bound claim matched as a glob with a wildcard"
# description: >-
#   A JWT/OIDC role has `bound_claims_type: glob` and a bound claim value containing `*`.
# custom:
#   id: TW019
#   severity: deny
#   remediation: >-
#     Why: every claim value of that shape logs in, including repositories, branches or jobs created
#     later by anyone who can create them. Fix: list exact values (`bound_claims_type: string`), or
#     keep a narrow glob a reviewer accepts under a waiver.
#   tags: ["OWASP-NHI4:2025"]
findings contains finding(
	"TW019", "deny", role.source,
	sprintf(`jwt role "%s" matches claim "%s" against the glob "%s" (bound_claims_type glob), so any value of that shape logs in`, [role.name, claim, value]),
	sprintf(`list the exact values of "%s" (bound_claims_type string), or narrow the glob to a fixed prefix a reviewer accepts and record a waiver`, [claim]),
	{},
) if {
	some role in input.vault.roles
	role.kind == "jwt"
	role_field_known(role, "bound_claims")
	role_field_known(role, "bound_claims_type")
	glob_typed(role)
	some claim, values in jwt_claims(role)
	some value in values
	contains(value, "*")
}

# GitHub Actions' OIDC token names the repository (`repository`, `repository_id`, or the
# `repo:<owner>/<repo>:…` subject) and what ran (`ref`, `environment`, or `:ref:`/`:environment:`
# in the subject). A role that looks at those claims must pin both.
github_claims := {"repository", "repository_id", "repository_owner", "repository_owner_id", "job_workflow_ref", "workflow_ref", "workflow"}

jwt_subjects(role) := {s | s := jwt_subject(role)} | {s | some s in object.get(jwt_claims(role), "sub", [])}

github_style(role) if {
	some k, _ in jwt_claims(role)
	k in github_claims
}

github_style(role) if {
	some s in jwt_subjects(role)
	startswith(s, "repo:")
}

pins_repository(role) if count(object.get(jwt_claims(role), "repository", [])) > 0

pins_repository(role) if count(object.get(jwt_claims(role), "repository_id", [])) > 0

pins_repository(role) if {
	subjects := jwt_subjects(role)
	count(subjects) > 0
	every s in subjects {
		regex.match(`^repo:[^:*/]+/[^:*]+:`, s)
	}
}

pins_ref(role) if count(object.get(jwt_claims(role), "ref", [])) > 0

pins_ref(role) if count(object.get(jwt_claims(role), "environment", [])) > 0

pins_ref(role) if {
	subjects := jwt_subjects(role)
	count(subjects) > 0
	every s in subjects {
		regex.match(`^repo:[^:]+:(ref|environment):[^*]+$`, s)
	}
}

github_missing(role) := "repository" if {
	not pins_repository(role)
	pins_ref(role)
} else := "ref or environment" if {
	pins_repository(role)
	not pins_ref(role)
} else := "repository, ref or environment" if {
	not pins_repository(role)
	not pins_ref(role)
}

# METADATA
# title: "GitHub-style subject without repository and ref/environment"
# description: >-
#   A JWT/OIDC role looks at GitHub Actions claims (`repository*`, `workflow*`, or a `repo:`
#   subject) but does not pin both the repository and the ref or environment.
# custom:
#   id: TW020
#   severity: deny
#   remediation: >-
#     Why: without the repository, other repositories' workflows log in; without the ref or
#     environment, any branch (a pull request's included) does. Fix: bind `repository` and `ref` or
#     `environment`, or a subject `repo:<org>/<repo>:ref:<ref>`.
#   tags: ["OWASP-NHI4:2025", "OWASP-NHI8:2025"]
findings contains finding(
	"TW020", "deny", role.source,
	sprintf(`jwt role "%s" takes GitHub-style tokens but does not pin the %s, so other repositories' workflows, or any branch of this one, log in`, [role.name, missing]),
	"bind repository (owner/name) and ref or environment (e.g. bound_claims repository: org/app, ref: refs/heads/main), or a bound_subject repo:org/app:ref:refs/heads/main",
	{},
) if {
	some role in input.vault.roles
	role.kind == "jwt"
	jwt_fields_known(role)
	github_style(role)
	missing := github_missing(role)
}

# --- AppRole SecretIDs ----------------------------------------------------------------------

# METADATA
# title: "AppRole SecretIDs never expire"
# description: >-
#   An AppRole role has no `secret_id_ttl`, so its SecretIDs live for ever.
# custom:
#   id: TW021
#   severity: deny
#   remediation: >-
#     Why: a SecretID is a long-lived login credential; one that never expires keeps working
#     wherever it was copied. Fix: set `secret_id_ttl` (the consumer's `approle.secretIdTtl`) to at
#     most its rotation period.
#   tags: ["OWASP-NHI7:2025"]
findings contains finding(
	"TW021", "deny", role.source,
	sprintf(`approle role "%s" issues SecretIDs that never expire (no secret_id_ttl)`, [role.name]),
	sprintf("set secret_id_ttl (secretIdTtl on the consumer) to at most the consumer's rotation period, within %s", [max_rotation_text]),
	{},
) if {
	some role in input.vault.roles
	role.kind == "approle"
	known_missing(role, "secret_id_ttl_seconds")
}

# METADATA
# title: "AppRole SecretIDs with unlimited uses from any address"
# description: >-
#   An AppRole role issues SecretIDs with `secret_id_num_uses` 0 (unlimited) and no
#   `secret_id_bound_cidrs`.
# custom:
#   id: TW022
#   severity: warn
#   remediation: >-
#     Why: a copied SecretID logs in from anywhere, any number of times, until it expires. Fix: set
#     `secret_id_num_uses` (`approle.secretIdNumUses`) to the logins one SecretID needs, or bind
#     SecretIDs to the consumer's addresses.
#   tags: ["OWASP-NHI2:2025"]
findings contains finding(
	"TW022", "warn", role.source,
	sprintf(`approle role "%s" issues SecretIDs with unlimited uses (secret_id_num_uses 0) from any address, so a copied SecretID keeps working until it expires`, [role.name]),
	"set secret_id_num_uses (secretIdNumUses on the consumer) to the logins one SecretID needs, or bind SecretIDs to the consumer's addresses (secret_id_bound_cidrs)",
	{},
) if {
	some role in input.vault.roles
	role.kind == "approle"
	role_field_known(role, "secret_id_num_uses")
	not object.get(role, "secret_id_num_uses", 0) > 0
	role_field_known(role, "secret_id_bound_cidrs")
	count(role_list(role, "secret_id_bound_cidrs")) == 0
}

# --- TW023 ----------------------------------------------------------------------------------

consumers_by_name := {c.name: c | some c in input.consumers}

# The binding each role kind offers for its credential: an AppRole's SecretIDs, a token role's
# tokens. (Kubernetes and JWT logins are bound by the workload's identity instead.)
cidr_binding_field := {"approle": "secret_id_bound_cidrs", "token": "token_bound_cidrs"}

role_consumer(role) := consumers_by_name[role.consumer] if is_string(role.consumer)

# METADATA
# title: "Consumer with fixed addresses, credentials not bound to them"
# description: >-
#   A consumer declares the addresses it logs in from (`cidrs`), but its AppRole role has no
#   `secret_id_bound_cidrs` (or its token role no `token_bound_cidrs`).
# custom:
#   id: TW023
#   severity: deny
#   remediation: >-
#     Why: a credential that only ever comes from known addresses should not work from any other.
#     Fix: bind the role to the consumer's CIDR blocks.
#   tags: ["OWASP-NHI4:2025"]
findings contains finding(
	"TW023", "deny", role.source,
	sprintf(`%s role "%s" of consumer "%s", which logs in from fixed addresses (%s), does not bind its credentials to them (no %s)`, [role.kind, role.name, c.name, concat(", ", c.cidrs), field]),
	sprintf("set %s to the consumer's addresses (%s)", [field, concat(", ", c.cidrs)]),
	{},
) if {
	fields := cidr_binding_field
	some role in input.vault.roles
	field := fields[role.kind]
	c := role_consumer(role)
	count(object.get(c, "cidrs", [])) > 0
	role_field_known(role, field)
	count(role_list(role, field)) == 0
}

# --- TW024 ----------------------------------------------------------------------------------

# The policies of the needs of the role's consumer: the only ones its tokens should carry.
consumer_policies(name) := {n.policy_name | some n in input.needs; n.consumer == name}

# METADATA
# title: "Token role allows policies nobody listed"
# description: >-
#   A token role has no `allowed_policies` (tokens may carry any policy of their creator), allows
#   policies by a `*` glob, or allows a policy that no need of its consumer generates.
# custom:
#   id: TW024
#   severity: deny
#   remediation: >-
#     Why: tokens created against the role can carry more than the consumer's declared needs. Fix:
#     list exactly the needs' own policies in `allowed_policies`.
#   tags: ["OWASP-NHI5:2025"]
findings contains finding(
	"TW024", "deny", role.source,
	sprintf(`token role "%s" lists no allowed_policies, so its tokens may carry any policy of the token that creates them`, [role.name]),
	"set allowed_policies to the needs' own policies",
	{},
) if {
	some role in input.vault.roles
	role.kind == "token"
	role_field_known(role, "token_policies")
	role_field_known(role, "allowed_policies_glob")
	count(role_list(role, "allowed_policies")) == 0
	count(role_list(role, "allowed_policies_glob")) == 0
}

findings contains finding(
	"TW024", "deny", role.source,
	sprintf(`token role "%s" allows policies by the glob "%s", which matches policies nobody listed`, [role.name, glob]),
	"list the allowed policies by name (allowed_policies) instead of a glob",
	{},
) if {
	some role in input.vault.roles
	role.kind == "token"
	role_field_known(role, "allowed_policies_glob")
	some glob in role_list(role, "allowed_policies_glob")
	contains(glob, "*")
}

findings contains finding(
	"TW024", "deny", role.source,
	sprintf(`token role "%s" allows policy "%s", which no need of consumer "%s" generates`, [role.name, policy, role.consumer]),
	sprintf(`remove "%s" from allowed_policies, or declare the need that uses it`, [policy]),
	{},
) if {
	declared
	some role in input.vault.roles
	role.kind == "token"
	is_string(role.consumer)
	role_field_known(role, "token_policies")
	own := consumer_policies(role.consumer)
	some policy in role_list(role, "allowed_policies")
	policy != "root" # TW008 reports root
	not policy in own
}
