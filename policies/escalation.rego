# TW014 (deny) / TW015 (warn) a grant that reaches a path with power over Vault itself; TW016
# (deny, even for admin needs) a grant that can switch off, re-point or read the salts of the
# audit trail.
#
# The catalogue of such paths, with the capabilities that make each dangerous and the Vault docs
# that say so, is data: `data.tokenwarden.escalation` and `data.tokenwarden.audit_paths` in
# policies/data.json. A policy path counts when it CAN reach a catalogue path: `sys/*`,
# `auth/+/role/*` or `sys/pol*` reach `sys/policies/acl/x` as surely as the exact path does.
package tokenwarden

import rego.v1

# `not` negates the whole expression, undefined operands included (OPA's future.keywords.not)
import future.keywords.not

# --- can two Vault policy path patterns match the same path? --------------------------------
#
# Both sides are Vault policy paths: whole-segment `+` and a trailing `*` that matches any rest of
# the path (slashes included). `patterns_meet(a, b)` holds when some concrete path matches both.

# Fixed segments meet when either is `+` or they are equal.
segments_meet(x, y) if x == "+"

segments_meet(x, y) if y == "+"

segments_meet(x, y) if x == y

# A star segment `pre*` meets a fixed segment when the fixed one is `+` or starts with `pre`
# (`pre` has no slash, so a shorter fixed segment cannot continue into it).
star_meets_segment(pre, seg) if seg == "+"

star_meets_segment(pre, seg) if startswith(seg, pre)

patterns_meet(a, b) if {
	not endswith(a, "*")
	not endswith(b, "*")
	sa := split(a, "/")
	sb := split(b, "/")
	count(sa) == count(sb)
	every i, x in sa {
		segments_meet(x, sb[i])
	}
}

patterns_meet(a, b) if {
	endswith(a, "*")
	not endswith(b, "*")
	star_meets_fixed(a, b)
}

patterns_meet(a, b) if {
	not endswith(a, "*")
	endswith(b, "*")
	star_meets_fixed(b, a)
}

patterns_meet(a, b) if {
	endswith(a, "*")
	endswith(b, "*")
	stars_meet(a, b)
}

# `s` ends in a star segment at index k: `f` needs a segment there and must agree before it.
star_meets_fixed(s, f) if {
	ss := split(s, "/")
	fs := split(f, "/")
	k := count(ss) - 1
	count(fs) > k
	every i, x in array.slice(ss, 0, k) {
		segments_meet(x, fs[i])
	}
	star_meets_segment(trim_suffix(ss[k], "*"), fs[k])
}

stars_meet(a, b) if {
	sa := split(a, "/")
	sb := split(b, "/")
	ka := count(sa) - 1
	kb := count(sb) - 1
	every i, x in array.slice(sa, 0, min([ka, kb])) {
		segments_meet(x, sb[i])
	}
	star_ends_meet(sa, ka, sb, kb)
}

# Both stars at the same depth: one prefix must extend the other.
star_ends_meet(sa, ka, sb, kb) if {
	ka == kb
	pa := trim_suffix(sa[ka], "*")
	pb := trim_suffix(sb[kb], "*")
	startswith(pa, pb)
}

star_ends_meet(sa, ka, sb, kb) if {
	ka == kb
	pa := trim_suffix(sa[ka], "*")
	pb := trim_suffix(sb[kb], "*")
	startswith(pb, pa)
}

# The shallower star absorbs the rest of the deeper pattern once it meets its segment there.
star_ends_meet(sa, ka, sb, kb) if {
	ka < kb
	star_meets_segment(trim_suffix(sa[ka], "*"), sb[ka])
}

star_ends_meet(sa, ka, sb, kb) if {
	kb < ka
	star_meets_segment(trim_suffix(sb[kb], "*"), sa[kb])
}

# --- the catalogue --------------------------------------------------------------------------

escalation_catalogue := data.tokenwarden.escalation if is_array(data.tokenwarden.escalation)

audit_catalogue := data.tokenwarden.audit_paths if is_object(data.tokenwarden.audit_paths)

# The first segments of the catalogue's paths (sys, auth, identity): a policy path whose first
# segment cannot be one of them (most are secret/…, database/…) is skipped without matching.
escalation_groups := escalation_catalogue if escalation_catalogue else := []

catalogue_groups := array.concat(escalation_groups, [g | some g in [audit_catalogue, bootstrap_catalogue]]) if {
	audit_catalogue
	bootstrap_catalogue
} else := escalation_groups

reachable_roots := {split(e.path, "/")[0] | some g in catalogue_groups; some e in object.get(g, "paths", [])}

# A catalogue path with a pattern in its first segment could be reached from anywhere. Decided
# once per evaluation (a rule's value is computed once), not again for every path looked at.
catalogue_root_is_pattern if {
	some root in reachable_roots
	contains(replace(root, "+", "*"), "*")
}

# The first segments a path may start with and still reach a catalogue path: a root itself, `+`,
# or `pre*` for every prefix `pre` of a root (`*`, `s*`, `sy*`, `sys*` for sys). When a root is
# itself a pattern any path may reach it, so every first segment in the document counts. Built
# once per evaluation: each of the thousands of paths judged then costs one split and one set
# lookup, not a function call.
reaching_first_segments := document_first_segments if {
	catalogue_root_is_pattern
} else := reachable_roots | {"+"} | {concat("", [substring(root, 0, n), "*"]) |
	some root in reachable_roots
	some n in numbers.range(0, count(root))
}

document_first_segments := {split(rule.path, "/")[0] | some p in input.vault.policies; some rule in p.rules} | {split(p.path, "/")[0] | some n in input.needs; some p in n.paths}

# The dangerous capabilities a rule grants on the entries of one catalogue group, and which of
# the group's paths it reaches: {"caps": [...], "paths": [...]} (both sorted), when any.
reach(rule, group) := {"caps": sort(caps), "paths": sort(paths)} if {
	granted := {c | some c in rule.capabilities}
	hits := [[e.path, bad] |
		some e in group.paths
		bad := granted & {c | some c in e.capabilities}
		count(bad) > 0
		patterns_meet(rule.path, e.path)
	]
	count(hits) > 0
	caps := {c | some h in hits; some c in h[1]}
	paths := {h[0] | some h in hits}
}

# A need may hold power over Vault only when declared admin with a written justification.
admin_justified(need) if {
	need.access == "admin"
	not blank(need.justification)
}

# Every (source, rule, need) the escalation rules judge: rendered policies' rules (with their need
# when known) and, for needs whose policy is not in the document, the need's declared paths.
judged_grants contains {"source": policy.source, "who": sprintf(`policy "%s"`, [policy.name]), "rule": rule, "i": i, "policy": true} if {
	some i, policy in input.vault.policies
	not is_string(policy.parse_error)
	some rule in policy.rules
	substring(rule.path, 0, indexof(rule.path, "/")) in reaching_first_segments # first segment: most (secret/…) cannot reach
}

judged_grants contains {"source": need.name, "who": sprintf(`need "%s"`, [need.name]), "rule": p, "need": need, "field": sprintf("paths[%d].path", [j])} if {
	some need in unrendered_needs
	some j, p in need.paths
	substring(p.path, 0, indexof(p.path, "/")) in reaching_first_segments
}

# The distinct rules judged, by value ([path, capabilities]): a generated document repeats the same
# rule in many policies (every need's `*` or `+/data/app`), and what a rule reaches depends on its
# path and capabilities alone. `reach` is then computed once per distinct rule and catalogue group
# instead of once per grant (`reach` keeps its values by argument identity, and every grant's rule
# is its own object).
judged_rules := {judged_rule_key(g) | some g in judged_grants}

judged_rule_key(g) := [g.rule.path, g.rule.capabilities]

# For each distinct judged rule: what it reaches in each escalation group, by the group's position
# in the catalogue (only the groups it reaches).
escalation_reach := {key: {k: r | some k, group in escalation_catalogue; r := reach(rule, group)} |
	some key in judged_rules
	rule := {"path": key[0], "capabilities": key[1]}
}

# For each distinct judged rule that reaches an audit path: what it reaches.
audit_reach := {key: r |
	catalogue := audit_catalogue
	some key in judged_rules
	r := reach({"path": key[0], "capabilities": key[1]}, catalogue)
}

grant_need(g) := linked_need[g.i] if g.policy

grant_need(g) := g.need if not g.policy

grant_extra(g) := policy_extra(g.i, g.rule.path, "path") if g.policy

grant_extra(g) := need_ref(g.need.name, g.field) if not g.policy

# --- TW014 / TW015 --------------------------------------------------------------------------

escalation_verb(g) := "grants" if g.policy

escalation_verb(g) := "asks for" if not g.policy

# `<who> grants <caps> on "<path>", which reaches <catalogue paths>: <what> (<why>)`
reach_problem(g, group, r) := sprintf(`%s %s %s on "%s", which reaches %s: %s (%s)`, [
	g.who, escalation_verb(g), concat(", ", r.caps), g.rule.path,
	concat(", ", r.paths), group.title, group.why,
])

escalation_fix(g) := sprintf(`remove the grant; if need "%s" really administers Vault, declare it access: admin with a justification (it is then still reported, as a warning)`, [grant_need(g).name])

escalation_fix(g) := "remove the grant, or give it to a need declared access: admin with a justification" if not grant_need(g)

# METADATA
# title: "Grant reaches a path with power over Vault itself"
# description: >-
#   A policy path (exact, or a `*`/`+` pattern that can reach one) grants a dangerous capability on
#   a path from the escalation catalogue in policies/data.json: ACL policies, token creation and
#   token roles, auth method roles and configuration, identity entities and groups, mounts, lease
#   revocation by prefix, replication, raw storage, seal and root-key operations, namespaces, the
#   plugin catalog. The need is not `access: admin` with a justification.
# custom:
#   id: TW014
#   severity: deny
#   remediation: >-
#     Why: whoever holds such a grant can give itself more access than its need declares (rewrite
#     its own policy, mint tokens, add policies to its own login role). Fix: remove the grant; if
#     the need really administers Vault, declare it `access: admin` with a justification (it is then
#     reported as TW015, a warning).
#   tags: ["OWASP-NHI5:2025"]
findings contains finding("TW014", "deny", g.source, reach_problem(g, group, r), escalation_fix(g), grant_extra(g)) if {
	groups := escalation_catalogue
	reaches := escalation_reach
	some g in judged_grants
	not admin_justified(grant_need(g))
	some k, r in reaches[judged_rule_key(g)]
	group := groups[k]
}

# METADATA
# title: "Admin need with power over Vault itself"
# description: >-
#   An `access: admin` need with a justification is granted a path from the escalation catalogue.
#   Allowed, and reported so a reviewer sees every standing grant of that power.
# custom:
#   id: TW015
#   severity: warn
#   remediation: >-
#     Why: a standing grant over Vault's own controls is the first thing an attacker with the token
#     uses. Fix: keep it only while the justification holds; prefer a short-lived break-glass token,
#     and review it by the need's review date.
#   tags: ["OWASP-NHI5:2025"]
findings contains finding(
	"TW015", "warn", g.source,
	reach_problem(g, group, r),
	sprintf(`keep it only while need "%s"'s justification holds: prefer a short-lived break-glass token to a standing grant, and review it by the need's review date`, [grant_need(g).name]),
	grant_extra(g),
) if {
	groups := escalation_catalogue
	reaches := escalation_reach
	some g in judged_grants
	admin_justified(grant_need(g))
	some k, r in reaches[judged_rule_key(g)]
	group := groups[k]
}

# Without the catalogue (policies/data.json not loaded) the escalation rules would go quiet:
# say so instead.
findings contains finding(
	"TW014", "deny", "policies/data.json",
	"the escalation and audit path catalogue (data.tokenwarden.escalation, data.tokenwarden.audit_paths) is not loaded, so no grant was checked for power over Vault",
	"load policies/data.json as data (opa -d policies/data.json, conftest --data policies/data.json)",
	{},
) if {
	not escalation_catalogue
}

findings contains finding(
	"TW014", "deny", "policies/data.json",
	"the escalation and audit path catalogue (data.tokenwarden.escalation, data.tokenwarden.audit_paths) is not loaded, so no grant was checked for power over Vault",
	"load policies/data.json as data (opa -d policies/data.json, conftest --data policies/data.json)",
	{},
) if {
	not audit_catalogue
}

# --- TW016 ----------------------------------------------------------------------------------

# METADATA
# title: "Grant can tamper with the audit trail"
# description: >-
#   A grant can enable, disable or re-point an audit device (`sys/audit/*`), change audited request
#   headers (`sys/config/auditing/request-headers/*`) or hash values with an audit device's salt
#   (`sys/audit-hash/*`). Denied whatever the need's access level.
# custom:
#   id: TW016
#   severity: deny
#   remediation: >-
#     Why: the audit log is how every other misuse is found; a token that can switch it off or read
#     its HMACs back erases its own tracks. Fix: remove the grant; operators change audit devices
#     with a break-glass token, outside tokenwarden.
#   tags: ["OWASP-NHI5:2025"]
findings contains finding(
	"TW016", "deny", g.source,
	reach_problem(g, audit, r),
	"remove the grant: no need may change audit devices or hash with their salts, whatever its access level; operators do that with a break-glass token, outside tokenwarden",
	grant_extra(g),
) if {
	audit := audit_catalogue
	reaches := audit_reach
	some g in judged_grants
	r := reaches[judged_rule_key(g)]
}
