# Unit tests for the tokenwarden rules: each rule fires on a minimal bad input and stays quiet on
# the closest good one. Run with `tokenwarden policy test policies` (or `opa test policies`).
package tokenwarden_test

import rego.v1

# `not` negates the whole expression, undefined operands included (OPA's future.keywords.not)
import future.keywords.not

# --- a clean document: one Vault-path need, one third-party need, as the grant plan renders them

vault_need := {
	"name": "billing-config", "consumer": "billing-api", "provider": "vault",
	"scopes": [], "paths": [{"path": "secret/data/billing/config", "capabilities": ["read"]}],
	"access": "read", "ttl_seconds": 900, "max_ttl_seconds": 3600, "rotation_seconds": 604800,
	"owner": "team-billing@example.com", "justification": "Read runtime config",
	"expires": "2027-06-30", "default_policy": false, "waivers": [], "policy_name": "tw-billing-config",
}

stripe_need := {
	"name": "billing-stripe", "consumer": "billing-api", "provider": "stripe",
	"scopes": ["charges:read"], "paths": [],
	"access": "read", "ttl_seconds": 3600, "max_ttl_seconds": 86400, "rotation_seconds": 2592000,
	"owner": "team-billing@example.com", "justification": "Reconcile charges nightly",
	"expires": "2027-06-30", "default_policy": false, "waivers": [], "policy_name": "tw-billing-stripe",
}

config_policy := {
	"name": "tw-billing-config", "source": "billing-config", "need": "billing-config",
	"rules": [{"path": "secret/data/billing/config", "capabilities": ["read"]}],
}

stripe_policy := {
	"name": "tw-billing-stripe", "source": "billing-stripe", "need": "billing-stripe",
	"rules": [{"path": "tokens/data/stripe/billing-stripe", "capabilities": ["read"]}],
}

config_token := {
	"name": "billing-api-billing-config", "source": "billing-config", "need": "billing-config",
	"policies": ["tw-billing-config"], "ttl_seconds": 900, "explicit_max_ttl_seconds": 3600,
	"period_seconds": null, "renewable": true, "no_parent": false, "no_default_policy": true,
	"meta": {"need": "billing-config", "consumer": "billing-api"},
	"display_name": "billing-config", "num_uses": null,
}

# A token role has no TTLs of its own: it allows the needs' policies and caps their tokens.
api_role := {
	"name": "billing-api", "kind": "token", "source": "billing-api", "consumer": "billing-api",
	"token_policies": ["tw-billing-config", "tw-billing-stripe"],
	"token_ttl_seconds": null, "token_max_ttl_seconds": null, "secret_id_ttl_seconds": null,
	"allowed_policies": ["tw-billing-config", "tw-billing-stripe"], "allowed_policies_glob": [],
	"token_explicit_max_ttl_seconds": 3600, "token_period_seconds": null, "token_type": "service",
	"token_bound_cidrs": [], "token_num_uses": null, "orphan": false,
}

stripe_secret := {
	"path": "tokens/stripe/billing-stripe", "source": "billing-stripe", "need": "billing-stripe",
	"custom_metadata": {"need": "billing-stripe", "owner": "team-billing@example.com"},
}

clean := {
	"now": "2026-11-30T12:00:00Z",
	"limits": {"max_ttl_seconds": 2592000, "max_rotation_seconds": 7776000, "max_need_lifetime_seconds": 31536000},
	"needs": [vault_need, stripe_need],
	"consumers": [{"name": "billing-api", "owner": "team-billing@example.com", "auth": "token"}],
	"providers": [
		{"name": "vault", "kind": "vault-token", "scopes": [], "max_ttl_seconds": null},
		{"name": "stripe", "kind": "static", "scopes": ["charges:read", "charges:write", "refunds:write"], "max_ttl_seconds": 86400},
	],
	"vault": {
		"policies": [config_policy, stripe_policy],
		"tokens": [config_token],
		"roles": [api_role],
		"secrets": [stripe_secret],
	},
	"has_declaration": true,
}

# --- helpers ---------------------------------------------------------------------------------

findings_for(doc) := fs if {
	fs := data.tokenwarden.findings with input as doc
}

fires(id, doc) if {
	some f in findings_for(doc)
	f.id == id
}

fires_as(id, severity, doc) if {
	some f in findings_for(doc)
	f.id == id
	f.severity == severity
}

quiet(id, doc) if not fires(id, doc)

# The vault need patched; its rendered policy patched alongside when `rules` is given.
with_need(patch) := object.union(clean, {"needs": [object.union(vault_need, patch), stripe_need]})

with_stripe_need(patch) := object.union(clean, {"needs": [vault_need, object.union(stripe_need, patch)]})

with_policy_rules(rules) := object.union(clean, {"vault": {"policies": [object.union(config_policy, {"rules": rules}), stripe_policy]}})

# A manifest checked without its grant plan: the need's own paths are judged.
need_only(patch) := object.union(with_need(patch), {"vault": {"policies": [stripe_policy], "tokens": [], "roles": []}})

with_token(patch) := object.union(clean, {"vault": {"tokens": [object.union(config_token, patch)]}})

with_role(patch) := object.union(clean, {"vault": {"roles": [object.union(api_role, patch)]}})

read_rule(path) := [{"path": path, "capabilities": ["read"]}]

# --- the clean document ----------------------------------------------------------------------

test_clean_document_has_no_findings if {
	count(findings_for(clean)) == 0
}

test_findings_have_the_contract_fields if {
	some f in findings_for(with_need({"owner": null}))
	f.id == "TW006"
	f.severity == "deny"
	f.source == "billing-config"
	f.need == "billing-config"
	f.field == "owner"
	contains(f.message, `need "billing-config" has no owner`)
	f.remediation != ""
}

# --- TW001 -----------------------------------------------------------------------------------

test_tw001_bare_star if fires("TW001", with_policy_rules(read_rule("*")))

test_tw001_mount_root_glob if fires("TW001", with_policy_rules(read_rule("secret/*")))

test_tw001_kv2_data_root_glob if fires("TW001", with_policy_rules(read_rule("secret/data/*")))

test_tw001_plus_below_mount_root if fires("TW001", with_policy_rules(read_rule("secret/data/+/config")))

test_tw001_glob_in_mount_name if fires("TW001", with_policy_rules(read_rule("sec*")))

test_tw001_auth_mount_root if fires("TW001", with_policy_rules(read_rule("auth/approle/*")))

test_tw001_on_a_need_without_rendered_policy if {
	some f in findings_for(need_only({"paths": read_rule("secret/*")}))
	f.id == "TW001"
	f.field == "paths[0].path"
}

test_tw001_quiet_below_an_app_prefix if {
	doc := object.union(
		with_need({"paths": read_rule("secret/data/billing/*")}),
		{"vault": {"policies": [object.union(config_policy, {"rules": read_rule("secret/data/billing/*")}), stripe_policy]}},
	)
	quiet("TW001", doc)
	quiet("TW003", doc)
}

test_tw001_quiet_for_plus_deeper_down if quiet("TW001", with_policy_rules(read_rule("secret/data/billing/+/config")))

# --- which need a rendered policy belongs to ------------------------------------------------
#
# A policy names its need (the normaliser sets `need`); one that names none, or names a need that
# is not declared, is found through the grant plan's policy name (a Pulumi or Terraform document).

test_linked_need_named_by_every_policy if {
	links := data.tokenwarden.linked_need with input as clean
	links == {0: vault_need, 1: stripe_need}
}

test_linked_need_through_the_policy_name if {
	doc := object.union(clean, {"vault": {"policies": [object.remove(config_policy, ["need"]), object.union(stripe_policy, {"need": "ghost"})]}})
	links := data.tokenwarden.linked_need with input as doc
	links == {0: vault_need, 1: stripe_need}
}

test_linked_need_mixed_and_unlinked if {
	stray := {"name": "hand-written", "source": "urn:stray", "rules": []}
	doc := object.union(clean, {"vault": {"policies": [config_policy, object.remove(stripe_policy, ["need"]), stray]}})
	links := data.tokenwarden.linked_need with input as doc
	links == {0: vault_need, 1: stripe_need}
}

test_linked_need_without_policies if {
	links := data.tokenwarden.linked_need with input as object.union(clean, {"vault": {"policies": []}})
	links == {}
}

# A policy found through its name is judged against that need like any other.
test_tw002_policy_linked_through_its_name if {
	policy := object.union(object.remove(config_policy, ["need"]), {"rules": [{"path": "secret/data/billing/config", "capabilities": ["read", "delete"]}]})
	some f in findings_for(object.union(clean, {"vault": {"policies": [policy, stripe_policy]}}))
	f.id == "TW002"
	f.need == "billing-config"
	f.field == "paths[0].capabilities"
}

# --- TW002 -----------------------------------------------------------------------------------

test_tw002_write_capability_on_read_need if {
	some f in findings_for(with_policy_rules([{"path": "secret/data/billing/config", "capabilities": ["read", "delete"]}]))
	f.id == "TW002"
	f.field == "paths[0].capabilities"
	contains(f.message, `"delete"`)
}

test_tw002_quiet_for_list_on_read_need if {
	quiet("TW002", with_policy_rules([{"path": "secret/data/billing/config", "capabilities": ["read", "list"]}]))
}

test_tw002_sudo_needs_admin if {
	fires("TW002", need_only({"access": "write", "paths": [{"path": "sys/leases/revoke", "capabilities": ["sudo"]}]}))
}

test_tw002_sudo_on_admin_needs_justification if {
	fires("TW002", need_only({"access": "admin", "justification": "", "paths": [{"path": "sys/leases/revoke", "capabilities": ["sudo"]}]}))
}

test_tw002_quiet_for_justified_admin_sudo if {
	quiet("TW002", need_only({"access": "admin", "paths": [{"path": "sys/leases/revoke", "capabilities": ["sudo", "update"]}]}))
}

test_tw002_quiet_without_declaration if {
	doc := object.union(with_policy_rules([{"path": "secret/data/billing/config", "capabilities": ["delete"]}]), {"has_declaration": false})
	quiet("TW002", doc)
}

# --- TW003 -----------------------------------------------------------------------------------

test_tw003_policy_reaches_undeclared_path if {
	some f in findings_for(with_policy_rules(read_rule("secret/data/payroll/config")))
	f.id == "TW003"
	f.need == "billing-config"
}

test_tw003_policy_reaches_another_needs_path if {
	fires("TW003", with_policy_rules(read_rule("tokens/data/stripe/billing-stripe")))
}

test_tw003_unlinked_policy_reaching_nothing_declared if {
	stray := {"name": "hand-written", "source": "urn:pulumi:dev::app::vault:index/policy:Policy::stray", "rules": read_rule("secret/data/payroll/x")}
	fires("TW003", object.union(clean, {"vault": {"policies": [config_policy, stripe_policy, stray]}}))
}

test_tw003_quiet_for_unlinked_policy_within_a_need_glob if {
	stray := {"name": "hand-written", "source": "urn:stray", "rules": read_rule("secret/data/billing/app/x")}
	doc := object.union(with_need({"paths": read_rule("secret/data/billing/app/*")}), {"vault": {"policies": [object.union(config_policy, {"rules": read_rule("secret/data/billing/app/*")}), stripe_policy, stray]}})
	quiet("TW003", doc)
}

test_tw003_quiet_for_kv_entry_of_third_party_need if quiet("TW003", clean)

# Every path that names the need's own KV entry is covered: read, manage, or the entry itself.
test_tw003_quiet_for_each_path_of_the_needs_kv_entry if {
	every path in ["tokens/data/stripe/billing-stripe", "tokens/metadata/stripe/billing-stripe", "tokens/stripe/billing-stripe"] {
		policy := object.union(stripe_policy, {"rules": read_rule(path)})
		quiet("TW003", object.union(clean, {"vault": {"policies": [config_policy, policy]}}))
	}
}

# The entry a path names: the data/ or metadata/ prefix counts only right after the mount.
test_kv_entry_path if {
	data.tokenwarden.kv_entry_path("tokens/data/stripe/x") == "tokens/stripe/x"
	data.tokenwarden.kv_entry_path("tokens/metadata/stripe/x") == "tokens/stripe/x"
	data.tokenwarden.kv_entry_path("tokens/stripe/x") == "tokens/stripe/x"
	data.tokenwarden.kv_entry_path("tokens/data") == "tokens/data"
	data.tokenwarden.kv_entry_path("tokens/data/") == "tokens/"
	data.tokenwarden.kv_entry_path("tokens") == "tokens"
	data.tokenwarden.kv_entry_path("tokens/destroy/x") == "tokens/destroy/x"
	data.tokenwarden.kv_entry_path("x/y/data/z") == "x/y/data/z"
	data.tokenwarden.kv_entry_path("tökens/data/😀/x") == "tökens/😀/x"
}

test_tw003_other_api_paths_of_the_needs_kv_mount if {
	every path in ["tokens/destroy/stripe/billing-stripe", "tokens/data/stripe", "tokens/data/stripe/billing-stripe/x"] {
		policy := object.union(stripe_policy, {"rules": read_rule(path)})
		fires("TW003", object.union(clean, {"vault": {"policies": [config_policy, policy]}}))
	}
}

test_tw003_quiet_for_a_rule_within_the_needs_glob if {
	doc := object.union(with_need({"paths": read_rule("secret/data/billing/+/config*")}), {"vault": {"policies": [object.union(config_policy, {"rules": read_rule("secret/data/billing/eu/config-v2")}), stripe_policy]}})
	quiet("TW003", doc)
}

test_tw003_a_glob_rule_wider_than_the_needs_glob if {
	doc := object.union(with_need({"paths": read_rule("secret/data/billing/eu/*")}), {"vault": {"policies": [object.union(config_policy, {"rules": read_rule("secret/data/billing/*")}), stripe_policy]}})
	fires("TW003", doc)
}

# --- TW004 -----------------------------------------------------------------------------------

test_tw004_missing_ttl if {
	some f in findings_for(with_need({"ttl_seconds": null}))
	f.id == "TW004"
	f.field == "ttl"
}

test_tw004_missing_max_ttl if fires("TW004", with_need({"max_ttl_seconds": null}))

test_tw004_max_ttl_above_limit if fires("TW004", with_need({"max_ttl_seconds": 2595600, "ttl_seconds": 600}))

test_tw004_quiet_at_the_limit if quiet("TW004", with_need({"max_ttl_seconds": 2592000}))

test_tw004_above_provider_ceiling if fires("TW004", with_stripe_need({"max_ttl_seconds": 90000}))

test_tw004_quiet_at_provider_ceiling if quiet("TW004", with_stripe_need({"max_ttl_seconds": 86400}))

test_tw004_limits_from_the_input_win if {
	doc := object.union(with_need({"max_ttl_seconds": 7200}), {"limits": {"max_ttl_seconds": 3600}})
	some f in findings_for(doc)
	f.id == "TW004"
	contains(f.message, "above the organisation limit of 1h")
}

test_shipped_defaults_match_data_json if {
	data.tokenwarden.defaults == data.tokenwarden.shipped_defaults
}

test_tw004_limits_default_without_data_json if {
	doc := object.remove(with_need({"max_ttl_seconds": 2595600}), ["limits"])
	fs := data.tokenwarden.findings with input as doc with data.tokenwarden.defaults as {}
	some f in fs
	f.id == "TW004"
	contains(f.message, "above the organisation limit of 30d")
}

test_tw004_limits_default_from_data if {
	doc := object.remove(with_need({"max_ttl_seconds": 2595600}), ["limits"])
	fires("TW004", doc)
}

test_tw004_token_without_explicit_max_ttl if fires("TW004", with_token({"explicit_max_ttl_seconds": null}))

test_tw004_token_ttl_unknown_is_not_missing if {
	doc := with_token({"ttl_seconds": null, "unknown": ["ttl"]})
	not tw004_on_token(doc)
	fires("TW012", doc)
}

tw004_on_token(doc) if {
	some f in findings_for(doc)
	f.id == "TW004"
	contains(f.message, "token ")
}

test_tw004_role_ttl_above_limit if fires("TW004", with_role({"token_explicit_max_ttl_seconds": 2595600}))

# A token role is judged by the cap it puts on its tokens; a login role by its own token TTLs.
test_tw004_token_role_without_explicit_max_ttl if fires("TW004", with_role({"token_explicit_max_ttl_seconds": null}))

test_tw004_token_role_quiet_without_login_ttls if quiet("TW004", with_role({"token_ttl_seconds": null, "token_max_ttl_seconds": null}))

test_tw004_login_role_max_ttl_above_limit if fires("TW004", with_role({"kind": "approle", "secret_id_ttl_seconds": 3600, "secret_id_num_uses": 1, "token_ttl_seconds": 900, "token_max_ttl_seconds": 2595600}))

# --- TW005 -----------------------------------------------------------------------------------

test_tw005_missing_rotation if fires("TW005", with_need({"rotation_seconds": null}))

test_tw005_rotation_above_limit if fires("TW005", with_need({"rotation_seconds": 7862400}))

test_tw005_quiet_at_rotation_limit if quiet("TW005", with_need({"rotation_seconds": 7776000}))

test_tw005_ttl_longer_than_rotation if fires("TW005", with_need({"ttl_seconds": 3600, "rotation_seconds": 1800, "max_ttl_seconds": 3600}))

test_tw005_quiet_when_ttl_equals_rotation if quiet("TW005", with_need({"ttl_seconds": 1800, "rotation_seconds": 1800}))

# --- TW006 -----------------------------------------------------------------------------------

test_tw006_blank_owner if fires("TW006", with_need({"owner": "  "}))

test_tw006_consumer_without_owner if fires("TW006", object.union(clean, {"consumers": [{"name": "billing-api", "owner": null, "auth": "token"}]}))

# --- TW007 -----------------------------------------------------------------------------------

test_tw007_no_justification_warns if fires_as("TW007", "warn", with_need({"justification": null}))

test_tw007_no_review_date_warns if fires_as("TW007", "warn", with_need({"expires": null}))

test_tw007_review_date_too_far_warns if fires_as("TW007", "warn", with_need({"expires": "2027-12-01"}))

test_tw007_quiet_at_lifetime_limit if quiet("TW007", with_need({"expires": "2027-11-30"}))

test_tw007_not_a_calendar_date_warns if fires_as("TW007", "warn", with_need({"expires": "2027-02-30"}))

test_tw007_past_review_date_denies if fires_as("TW007", "deny", with_need({"expires": "2026-11-29"}))

test_tw007_review_today_is_not_past if quiet("TW007", with_need({"expires": "2026-11-30"}))

test_tw007_now_comes_from_input if {
	doc := object.union(with_need({"expires": "2026-11-29"}), {"now": "2026-11-29T23:59:59Z"})
	quiet("TW007", doc)
}

# --- TW008 -----------------------------------------------------------------------------------

test_tw008_root_on_token if fires("TW008", with_token({"policies": ["tw-billing-config", "root"]}))

test_tw008_root_on_role if fires("TW008", with_role({"token_policies": ["root"]}))

test_tw008_default_policy_not_asked_for if {
	some f in findings_for(with_token({"no_default_policy": false}))
	f.id == "TW008"
	f.need == "billing-config"
}

test_tw008_quiet_when_need_asked_for_default if {
	doc := object.union(with_need({"default_policy": true}), {"vault": {"tokens": [object.union(config_token, {"no_default_policy": false})]}})
	quiet("TW008", doc)
}

# --- TW009 -----------------------------------------------------------------------------------

test_tw009_orphan_warns if fires_as("TW009", "warn", with_token({"no_parent": true}))

test_tw009_non_renewable_long_lived_warns if fires_as("TW009", "warn", with_token({"renewable": false, "ttl_seconds": 172800, "explicit_max_ttl_seconds": 172800}))

test_tw009_quiet_for_short_non_renewable if quiet("TW009", with_token({"renewable": false}))

# --- TW010 -----------------------------------------------------------------------------------

test_tw010_scope_not_offered if {
	some f in findings_for(with_stripe_need({"scopes": ["charges:read", "payouts:read"]}))
	f.id == "TW010"
	f.field == "scopes[1]"
}

test_tw010_write_scope_on_read_need if fires("TW010", with_stripe_need({"scopes": ["charges:write"]}))

# A scope is judged once; every read need asking for it is reported, a write need is not.
test_tw010_write_scope_shared_by_needs if {
	second := object.union(stripe_need, {"name": "billing-stripe-2", "policy_name": "tw-billing-stripe-2", "scopes": ["charges:read", "Charges:Write"]})
	writer := object.union(stripe_need, {"name": "billing-stripe-3", "policy_name": "tw-billing-stripe-3", "access": "write", "scopes": ["refunds:write"]})
	doc := object.union(clean, {"needs": [vault_need, object.union(stripe_need, {"scopes": ["Charges:Write"]}), second, writer]})
	got := {[f.need, f.field] | some f in findings_for(doc); f.id == "TW010"; contains(f.message, "write-level scope")}
	got == {["billing-stripe", "scopes[0]"], ["billing-stripe-2", "scopes[1]"]}
	write_level := data.tokenwarden.write_level_scopes with input as doc
	write_level == {"Charges:Write"}
}

test_tw010_quiet_for_write_scope_on_write_need if quiet("TW010", with_stripe_need({"scopes": ["charges:write"], "access": "write"}))

test_tw010_undeclared_provider if fires("TW010", with_stripe_need({"provider": "paypal"}))

# --- TW011 -----------------------------------------------------------------------------------

test_tw011_plain_token_field if fires("TW011", object.union(clean, {"vault": {"secrets": [object.union(stripe_secret, {"plain_token_fields": ["data_json"]})]}}))

test_tw011_plain_config_value if fires("TW011", object.union(clean, {"plain_values": [{"source": "Pulumi.dev.yaml", "field": "app:stripeKey"}]}))

test_tw011_quiet_without_plain_values if quiet("TW011", object.union(clean, {"plain_values": []}))

# --- TW012, TW013 ----------------------------------------------------------------------------

test_tw012_unknown_policy_document if fires("TW012", object.union(clean, {"vault": {"policies": [object.union(config_policy, {"unknown": ["policy"], "rules": []}), stripe_policy]}}))

test_tw013_policy_that_did_not_parse if {
	bad := object.union(config_policy, {"parse_error": "policy.hcl:3,1-2: Argument or block definition required", "rules": []})
	some f in findings_for(object.union(clean, {"vault": {"policies": [bad, stripe_policy]}}))
	f.id == "TW013"
	contains(f.message, "policy.hcl:3,1-2")
}
