# Unit tests for the rules that know Vault (TW014–TW028): each fires on a minimal bad document and
# stays quiet on the closest good one. They build on the clean document and helpers of
# tokenwarden_test.rego (same package).
package tokenwarden_test

import rego.v1

# `not` negates the whole expression, undefined operands included (OPA's future.keywords.not)
import future.keywords.not

# --- can a policy path reach a catalogue path? ----------------------------------------------

meets(a, b) if data.tokenwarden.patterns_meet(a, b)

test_patterns_meet_exact_and_globs if {
	meets("sys/policies/acl/app", "sys/policies/acl/*")
	meets("sys/*", "sys/policies/acl/*")
	meets("sys/pol*", "sys/policies/acl/*")
	meets("sys/p*", "sys/policy/*")
	meets("*", "sys/seal")
	meets("sys/raw*", "sys/raw")
	meets("sys/policy/", "sys/policy/*")
}

test_patterns_meet_plus_segments if {
	meets("+/policies/acl/x", "sys/policies/acl/*")
	meets("auth/approle/role/app/secret-id", "auth/+/role/*")
	meets("auth/+/role/app", "auth/+/role/*")
	not meets("auth/+/login", "auth/+/config")
}

test_patterns_do_not_meet if {
	not meets("sys/*", "sys")
	not meets("sys/policy", "sys/policy/*")
	not meets("sys/policies/b*", "sys/policies/acl/*")
	not meets("secret/data/app", "sys/raw")
	not meets("sys/seal-status", "sys/seal")
	not meets("auth/token/lookup-self", "auth/token/create*")
	not meets("sys/policies/password/x", "sys/policies/acl/*")
}

# --- TW014 / TW015: power over Vault --------------------------------------------------------

write_need(paths) := {"access": "write", "paths": paths}

policy_grants(path, caps) := with_policy_rules([
	{"path": "secret/data/billing/config", "capabilities": ["read"]},
	{"path": path, "capabilities": caps},
])

test_tw014_own_policy_rewrite if fires_as("TW014", "deny", policy_grants("sys/policies/acl/tw-billing-config", ["update"]))

test_tw014_token_creation if fires_as("TW014", "deny", policy_grants("auth/token/create", ["update"]))

test_tw014_own_approle_secret_id if fires_as("TW014", "deny", policy_grants("auth/approle/role/billing-api/secret-id", ["update"]))

test_tw014_glob_that_can_reach if fires_as("TW014", "deny", policy_grants("sys/*", ["update"]))

test_tw014_plus_that_can_reach if fires_as("TW014", "deny", policy_grants("+/policies/acl/x", ["create"]))

# A path is judged only when its first segment may reach a catalogue root (sys, auth, identity):
# a root, `+`, or a star after any prefix of a root, bare `*` included.
test_tw014_first_segment_stars_that_can_reach if {
	fires_as("TW014", "deny", policy_grants("*", ["update"]))
	fires_as("TW014", "deny", policy_grants("s*", ["update"]))
	fires_as("TW014", "deny", policy_grants("sys*", ["update"]))
	fires_as("TW014", "deny", policy_grants("a*", ["update"]))
}

test_tw014_quiet_on_first_segments_that_cannot_reach if {
	quiet("TW014", policy_grants("sysx*", ["update"]))
	quiet("TW014", policy_grants("x*", ["update"]))
	quiet("TW014", policy_grants("secret/policies/acl/x", ["update"]))
}

# A catalogue path with a pattern in its first segment can be reached from any mount.
test_tw014_catalogue_root_pattern_reached_from_anywhere if {
	catalogue := [{"id": "policies", "title": "ACL policies", "why": "it rewrites policies", "paths": [{"path": "+/policies/acl/*", "capabilities": ["update"]}]}]
	fs := data.tokenwarden.findings with input as policy_grants("secret/policies/acl/x", ["update"]) with data.tokenwarden.escalation as catalogue
	some f in fs
	f.id == "TW014"
	contains(f.message, `grants update on "secret/policies/acl/x", which reaches +/policies/acl/*`)
}

test_tw014_raw_storage_read if fires_as("TW014", "deny", policy_grants("sys/raw/core", ["read"]))

test_tw014_quiet_on_reading_policies if quiet("TW014", policy_grants("sys/policies/acl/tw-billing-config", ["read", "list"]))

test_tw014_quiet_on_harmless_sys_paths if {
	quiet("TW014", policy_grants("sys/tools/hash", ["update"]))
	quiet("TW014", policy_grants("sys/wrapping/unwrap", ["update"]))
	quiet("TW014", policy_grants("auth/token/lookup-self", ["read"]))
	quiet("TW014", policy_grants("sys/seal-status", ["read"]))
	quiet("TW014", policy_grants("sys/leases/renew", ["update"]))
}

test_tw014_revoke_by_prefix if fires_as("TW014", "deny", policy_grants("sys/leases/revoke-prefix/database/creds", ["update"]))

test_tw014_names_the_reached_paths_and_why if {
	some f in findings_for(policy_grants("sys/pol*", ["update", "read"]))
	f.id == "TW014"
	contains(f.message, `policy "tw-billing-config" grants update on "sys/pol*", which reaches sys/policies/acl/*, sys/policies/egp/*, sys/policies/rgp/*, sys/policy/*: Vault's ACL policies`)
	f.need == "billing-config"
}

test_tw014_need_paths_judged_without_a_plan if {
	doc := need_only({"access": "write", "paths": [{"path": "auth/token/create", "capabilities": ["update"]}]})
	some f in findings_for(doc)
	f.id == "TW014"
	f.field == "paths[0].path"
	startswith(f.message, `need "billing-config" asks for update on "auth/token/create"`)
}

test_tw014_admin_without_justification_still_denied if {
	doc := object.union(policy_grants("sys/policies/acl/x", ["update"]), {"needs": [object.union(vault_need, {"access": "admin", "justification": " "}), stripe_need]})
	fires_as("TW014", "deny", doc)
	quiet("TW015", doc)
}

test_tw015_admin_with_justification_is_warned if {
	doc := object.union(policy_grants("sys/policies/acl/x", ["update"]), {"needs": [object.union(vault_need, {"access": "admin", "justification": "Platform team writes policies"}), stripe_need]})
	quiet("TW014", doc)
	fires_as("TW015", "warn", doc)
}

test_tw015_quiet_without_escalation if {
	doc := with_need({"access": "admin", "justification": "Platform team"})
	quiet("TW015", doc)
}

test_tw014_policy_without_need if {
	doc := object.union(clean, {"vault": {"policies": [config_policy, stripe_policy, {"name": "ops", "source": "vault_policy.ops", "rules": [{"path": "sys/mounts/*", "capabilities": ["create"]}]}]}})
	some f in findings_for(doc)
	f.id == "TW014"
	f.source == "vault_policy.ops"
	f.remediation == "remove the grant, or give it to a need declared access: admin with a justification"
}

test_tw014_catalogue_missing_is_reported if {
	fs := data.tokenwarden.findings with input as clean with data.tokenwarden.escalation as null
	some f in fs
	f.id == "TW014"
	f.source == "policies/data.json"
}

# --- one rule repeated in many policies -------------------------------------------------------
#
# What a rule reaches is worked out once per distinct rule (path and capabilities, judged_rules),
# then every grant of that rule is reported on its own.

both_policies_grant(rule) := object.union(clean, {"vault": {"policies": [
	object.union(config_policy, {"rules": [rule]}),
	object.union(stripe_policy, {"rules": [rule]}),
]}})

test_judged_rules_are_distinct_by_path_and_capabilities if {
	rules := data.tokenwarden.judged_rules with input as both_policies_grant({"path": "sys/policies/acl/x", "capabilities": ["update"]})
	rules == {["sys/policies/acl/x", ["update"]]}
	other := data.tokenwarden.judged_rules with input as object.union(clean, {"vault": {"policies": [
		object.union(config_policy, {"rules": [{"path": "sys/policies/acl/x", "capabilities": ["update"]}]}),
		object.union(stripe_policy, {"rules": [{"path": "sys/policies/acl/x", "capabilities": ["read"]}]}),
	]}})
	other == {["sys/policies/acl/x", ["update"]], ["sys/policies/acl/x", ["read"]]}
}

test_tw014_same_rule_in_two_policies_reported_for_each if {
	fs := findings_for(both_policies_grant({"path": "sys/policies/acl/x", "capabilities": ["update"]}))
	sources := {f.source | some f in fs; f.id == "TW014"}
	sources == {"billing-config", "billing-stripe"}
	some f in fs
	f.id == "TW014"
	f.source == "billing-stripe"
	contains(f.remediation, `if need "billing-stripe" really administers Vault`)
}

test_tw014_same_path_other_capabilities_judged_apart if {
	fs := findings_for(object.union(clean, {"vault": {"policies": [
		object.union(config_policy, {"rules": [{"path": "sys/policies/acl/x", "capabilities": ["read"]}]}),
		object.union(stripe_policy, {"rules": [{"path": "sys/policies/acl/x", "capabilities": ["update"]}]}),
	]}}))
	{f.source | some f in fs; f.id == "TW014"} == {"billing-stripe"}
}

test_tw014_and_tw015_share_a_rule if {
	doc := object.union(both_policies_grant({"path": "sys/*", "capabilities": ["update"]}), {"needs": [object.union(vault_need, {"access": "admin"}), stripe_need]})
	fs := findings_for(doc)
	{f.source | some f in fs; f.id == "TW015"} == {"billing-config"}
	{f.source | some f in fs; f.id == "TW014"} == {"billing-stripe"}
}

test_tw016_same_rule_in_two_policies_reported_for_each if {
	fs := findings_for(both_policies_grant({"path": "sys/audit/file", "capabilities": ["delete"]}))
	{f.source | some f in fs; f.id == "TW016"} == {"billing-config", "billing-stripe"}
}

# --- TW016: the audit trail -----------------------------------------------------------------

admin_doc(doc) := object.union(doc, {"needs": [object.union(vault_need, {"access": "admin", "justification": "Runs the audit pipeline"}), stripe_need]})

test_tw016_disable_audit_device_even_for_admin if fires_as("TW016", "deny", admin_doc(policy_grants("sys/audit/file", ["delete"])))

test_tw016_audit_hash if fires_as("TW016", "deny", policy_grants("sys/audit-hash/file", ["update"]))

test_tw016_glob_reaching_audit if fires_as("TW016", "deny", policy_grants("sys/aud*", ["create"]))

test_tw016_quiet_on_listing_audit_devices if quiet("TW016", admin_doc(policy_grants("sys/audit", ["read", "sudo"])))

# --- TW017: Kubernetes bindings -------------------------------------------------------------

k8s_role(patch) := with_role(object.union(
	{
		"kind": "kubernetes", "token_ttl_seconds": 900, "token_max_ttl_seconds": 3600,
		"bound_service_account_names": ["billing"], "bound_service_account_namespaces": ["prod"],
	},
	patch,
))

test_tw017_any_service_account if fires("TW017", k8s_role({"bound_service_account_names": ["*"]}))

test_tw017_glob_namespace if fires("TW017", k8s_role({"bound_service_account_namespaces": ["team-*"]}))

test_tw017_quiet_on_exact_binding if quiet("TW017", k8s_role({}))

test_tw017_quiet_when_unknown if quiet("TW017", k8s_role({"bound_service_account_names": ["*"], "unknown": ["bound_service_account_names"]}))

# --- TW018–TW020: JWT/OIDC bindings ---------------------------------------------------------

# object.union merges nested objects, so the claims are given whole, not patched.
jwt_role_with(claims, patch) := with_role(object.union(
	{
		"kind": "jwt", "token_ttl_seconds": 900, "token_max_ttl_seconds": 3600,
		"bound_audiences": ["vault"], "bound_subject": null, "bound_claims_type": null,
		"bound_claims": claims,
	},
	patch,
))

good_claims := {"repository": ["org/billing"], "ref": ["refs/heads/main"]}

jwt_role(patch) := jwt_role_with(good_claims, patch)

test_tw018_no_claims if fires("TW018", jwt_role_with({}, {}))

test_tw018_only_audience if fires("TW018", jwt_role_with({"aud": ["vault"]}, {}))

test_tw018_quiet_with_subject if quiet("TW018", jwt_role_with({}, {"bound_subject": "system:serviceaccount:prod:billing"}))

test_tw018_quiet_with_identifying_claims if quiet("TW018", jwt_role({}))

test_tw019_glob_wildcard if fires("TW019", jwt_role_with({"repository": ["org/billing"], "ref": ["refs/heads/*"]}, {"bound_claims_type": "glob"}))

test_tw019_quiet_when_string_typed if quiet("TW019", jwt_role_with({"repository": ["org/billing"], "ref": ["refs/heads/*"]}, {"bound_claims_type": "string"}))

test_tw019_quiet_on_glob_without_wildcard if quiet("TW019", jwt_role({"bound_claims_type": "glob"}))

test_tw020_repository_without_ref if {
	some f in findings_for(jwt_role_with({"repository": ["org/billing"]}, {}))
	f.id == "TW020"
	contains(f.message, "does not pin the ref or environment")
}

test_tw020_owner_only if {
	some f in findings_for(jwt_role_with({"repository_owner": ["org"], "ref": ["refs/heads/main"]}, {}))
	f.id == "TW020"
	contains(f.message, "does not pin the repository,")
}

test_tw020_subject_with_wildcard_ref if fires("TW020", jwt_role_with({}, {"bound_subject": "repo:org/billing:ref:refs/heads/*"}))

test_tw020_quiet_on_repository_and_ref if quiet("TW020", jwt_role({}))

test_tw020_quiet_on_environment_subject if quiet("TW020", jwt_role_with({}, {"bound_subject": "repo:org/billing:environment:prod"}))

test_tw020_quiet_on_non_github_issuers if quiet("TW020", jwt_role_with({"project_path": ["group/billing"]}, {}))

# --- TW021–TW023: AppRole and fixed addresses -----------------------------------------------

approle(patch) := with_role(object.union(
	{
		"kind": "approle", "token_ttl_seconds": 900, "token_max_ttl_seconds": 3600,
		"secret_id_ttl_seconds": 604800, "secret_id_num_uses": 5, "secret_id_bound_cidrs": [],
	},
	patch,
))

test_tw021_secret_id_never_expires if fires("TW021", approle({"secret_id_ttl_seconds": null}))

test_tw021_quiet_with_ttl if quiet("TW021", approle({}))

test_tw021_quiet_when_unknown if quiet("TW021", approle({"secret_id_ttl_seconds": null, "unknown": ["secret_id_ttl"]}))

test_tw022_unlimited_uses_is_a_warning if fires_as("TW022", "warn", approle({"secret_id_num_uses": 0}))

test_tw022_quiet_with_limited_uses if quiet("TW022", approle({}))

test_tw022_quiet_when_bound_to_addresses if quiet("TW022", approle({"secret_id_num_uses": 0, "secret_id_bound_cidrs": ["10.0.0.0/24"]}))

with_cidrs(doc, cidrs) := object.union(doc, {"consumers": [{"name": "billing-api", "owner": "team-billing@example.com", "auth": "approle", "cidrs": cidrs}]})

test_tw023_fixed_addresses_not_bound if {
	some f in findings_for(with_cidrs(approle({}), ["10.1.2.0/24"]))
	f.id == "TW023"
	contains(f.message, "(10.1.2.0/24), does not bind its credentials to them (no secret_id_bound_cidrs)")
}

test_tw023_token_role_not_bound if fires("TW023", with_cidrs(clean, ["10.1.2.0/24"]))

test_tw023_quiet_when_bound if quiet("TW023", with_cidrs(approle({"secret_id_bound_cidrs": ["10.1.2.0/24"]}), ["10.1.2.0/24"]))

test_tw023_quiet_without_fixed_addresses if quiet("TW023", approle({}))

# --- TW024: token roles ---------------------------------------------------------------------

test_tw024_no_allowed_policies if fires("TW024", with_role({"allowed_policies": []}))

test_tw024_policy_glob if fires("TW024", with_role({"allowed_policies_glob": ["tw-*"]}))

test_tw024_unlisted_policy if {
	some f in findings_for(with_role({"allowed_policies": ["tw-billing-config", "ops-admin"]}))
	f.id == "TW024"
	contains(f.message, `allows policy "ops-admin", which no need of consumer "billing-api" generates`)
}

test_tw024_quiet_on_the_needs_policies if quiet("TW024", clean)

test_tw024_root_is_tw008s if {
	doc := with_role({"allowed_policies": ["tw-billing-config", "root"], "token_policies": ["tw-billing-config", "root"]})
	quiet("TW024", doc)
	fires("TW008", doc)
}

# --- TW025: periodic tokens -----------------------------------------------------------------

test_tw025_periodic_token_without_cap if fires("TW025", with_token({"period_seconds": 86400, "explicit_max_ttl_seconds": null}))

test_tw025_quiet_with_cap if quiet("TW025", with_token({"period_seconds": 86400}))

test_tw025_periodic_role_without_cap if fires("TW025", approle({"token_period_seconds": 3600, "token_explicit_max_ttl_seconds": null}))

test_tw025_quiet_on_role_with_cap if quiet("TW025", approle({"token_period_seconds": 3600, "token_explicit_max_ttl_seconds": 86400}))

# --- TW026: batch tokens --------------------------------------------------------------------

test_tw026_periodic_batch if fires("TW026", approle({"token_type": "batch", "token_period_seconds": 3600, "token_explicit_max_ttl_seconds": 86400}))

test_tw026_orphan_batch if fires("TW026", with_role({"token_type": "batch", "orphan": true}))

test_tw026_long_lived_batch if fires("TW026", approle({"token_type": "default-batch", "token_max_ttl_seconds": 172800}))

test_tw026_quiet_on_short_batch if quiet("TW026", approle({"token_type": "batch"}))

test_tw026_quiet_on_service if quiet("TW026", approle({"token_type": "service", "token_max_ttl_seconds": 172800}))

# --- TW027: bootstrap tokens ----------------------------------------------------------------

minting_policy := {"name": "ops-bootstrap", "source": "vault_policy.bootstrap", "rules": [{"path": "auth/approle/role/+/secret-id", "capabilities": ["update"]}]}

bootstrap_doc(token_patch) := object.union(clean, {"vault": {
	"policies": [config_policy, stripe_policy, minting_policy],
	"tokens": [object.union(config_token, object.union({"policies": ["ops-bootstrap"]}, token_patch))],
}})

test_tw027_bootstrap_token_with_unlimited_uses if {
	some f in findings_for(bootstrap_doc({}))
	f.id == "TW027"
	contains(f.message, `(it carries policy "ops-bootstrap", which can mint credentials) with unlimited uses`)
}

# Two policies with the same minting rule: each can mint, and a token carrying both names both.
test_tw027_policies_sharing_a_minting_rule if {
	second := object.union(minting_policy, {"name": "ops-bootstrap-2", "source": "vault_policy.bootstrap2"})
	doc := object.union(clean, {"vault": {
		"policies": [config_policy, stripe_policy, minting_policy, second],
		"tokens": [object.union(config_token, {"policies": ["ops-bootstrap", "ops-bootstrap-2"]})],
	}})
	minting := data.tokenwarden.minting_policies with input as doc
	minting == {"ops-bootstrap", "ops-bootstrap-2"}
	some f in findings_for(doc)
	f.id == "TW027"
	contains(f.message, `(it carries policy "ops-bootstrap", policy "ops-bootstrap-2", which can mint credentials)`)
}

test_tw027_declared_purpose if fires("TW027", with_token({"meta": {"need": "billing-config", "purpose": "bootstrap"}}))

test_tw027_quiet_with_limited_uses if quiet("TW027", bootstrap_doc({"num_uses": 1}))

test_tw027_quiet_on_ordinary_tokens if quiet("TW027", clean)

# --- TW028: audit attribution ---------------------------------------------------------------

test_tw028_no_display_name if fires_as("TW028", "warn", with_token({"display_name": null}))

test_tw028_no_need_in_meta if fires_as("TW028", "warn", object.union(clean, {"vault": {"tokens": [object.union(object.remove(config_token, ["meta"]), {"meta": {"consumer": "billing-api"}})]}}))

test_tw028_undeclared_need_in_meta if {
	some f in findings_for(with_token({"meta": {"need": "ghost"}}))
	f.id == "TW028"
	contains(f.message, `names need "ghost" in its metadata, which is not declared`)
}

test_tw028_quiet_when_attributed if quiet("TW028", clean)
