# Shared definitions for the tokenwarden rule set (DESIGN.md "Rule catalogue").
#
# Every rule file in this directory adds to the one set `data.tokenwarden.findings`; each element
# is {id, severity, message, source, remediation} plus `need` (the need it concerns) and `field`
# (the manifest field of that need, e.g. "ttl" or "paths[0].capabilities") when they are known.
# Indexes over the input are built once here so rules join by key instead of scanning.
package tokenwarden

import rego.v1

# `not` negates the whole expression, undefined operands included (OPA's future.keywords.not)
import future.keywords.not

# Organisation limits: the document's own `limits` win; policies/data.json supplies the rest.
# When the data file was not loaded (e.g. `conftest test -p policies/` without `--data`), the
# shipped defaults below apply rather than the rules going quiet.
limit(key) := input.limits[key] if {
	is_number(input.limits[key])
} else := data.tokenwarden.defaults[key] if {
	is_number(data.tokenwarden.defaults[key])
} else := shipped_defaults[key]

# The same values as policies/data.json (a unit test keeps them equal).
shipped_defaults := {
	"max_ttl_seconds": 2592000,
	"max_rotation_seconds": 7776000,
	"max_need_lifetime_seconds": 31536000,
	"long_lived_token_seconds": 86400,
}

max_ttl := limit("max_ttl_seconds")

max_rotation := limit("max_rotation_seconds")

max_need_lifetime := limit("max_need_lifetime_seconds")

long_lived_token := limit("long_lived_token_seconds")

# The limits as messages print them, formatted once.
max_ttl_text := dur(max_ttl)

max_rotation_text := dur(max_rotation)

max_need_lifetime_text := dur(max_need_lifetime)

long_lived_token_text := dur(long_lived_token)

# --- finding construction -------------------------------------------------------------------

# The message says what is wrong and how to fix it; `remediation` repeats the fix on its own.
finding(id, severity, source, problem, fix, extra) := object.union(
	{
		"id": id,
		"severity": severity,
		"message": sprintf("%s; %s", [problem, fix]),
		"source": source,
		"remediation": fix,
	},
	extra,
)

need_ref(name, field) := {"need": name, "field": field}

# A duration in seconds as a person reads it in the manifest ("720h", "90d", "15m").
dur(s) := sprintf("%dd", [s / 86400]) if {
	s > 0
	s % 86400 == 0
} else := sprintf("%dh", [s / 3600]) if {
	s > 0
	s % 3600 == 0
} else := sprintf("%dm", [s / 60]) if {
	s > 0
	s % 60 == 0
} else := sprintf("%vs", [s])

blank(s) if not is_string(s)

blank(s) if trim_space(s) == ""

# `unknown` lists the fields whose values were not known at preview.
unknown_fields(item) := {f | some f in object.get(item, "unknown", [])}

# Unknown names are the document's field names without the unit ("ttl" for ttl_seconds).
known_missing(item, key) if {
	not is_number(item[key])
	not trim_suffix(key, "_seconds") in unknown_fields(item)
}

# Rules that compare grants with declared needs (TW002, TW003, TW010) run only when the document
# carries a declaration; a bare Pulumi or Terraform document says `has_declaration: false`.
declared if not input.has_declaration == false

# --- indexes --------------------------------------------------------------------------------

needs_by_name := {n.name: n | some n in input.needs}

# The need each generated Vault policy belongs to (the grant plan names one policy per need).
need_by_policy := {n.policy_name: n | some n in input.needs}

providers_by_name := {p.name: p | some p in input.providers}

rendered_policies := {p.name | some p in input.vault.policies}

# Needs whose generated policy is not in the document (e.g. a manifest checked without its grant
# plan): their declared paths are judged directly. Found once per evaluation for the rules
# (TW001, TW002, escalation) that judge them.
unrendered_needs := [n | some n in input.needs; not n.policy_name in rendered_policies]

# "need|entry" keys of the KV entries holding each need's token: a third-party need's policy
# reaches <mount>/data/<provider>/<need>, which the need itself declares no path for.
secret_entries := {concat("|", [secret_need(s), kv_entry_path(s.path)]) | some s in input.vault.secrets}

# "need|path" keys of paths each need covers without a glob: its declared paths, and the KV v2
# paths that read or manage the entry holding its token (<mount>/data/<name>,
# <mount>/metadata/<name>, which kv_entry_path maps back to that entry). Built once per
# evaluation, so TW003 clears most rules with one lookup; need_covers decides the rest in full.
covered_need_paths contains concat("|", [n.name, p.path]) if {
	some n in input.needs
	some p in n.paths
}

covered_need_paths contains concat("|", [need, concat("", [mount, api, name])]) if {
	some s in input.vault.secrets
	i := indexof(s.path, "/") # the entry is <mount>/<name>
	i >= 0
	need := secret_need(s) # once per secret, not once per API path
	mount := substring(s.path, 0, i)
	name := kv_entry_name(substring(s.path, i + 1, -1))
	some api in ["/data/", "/metadata/"]
}

any_secret_entries := {kv_entry_path(s.path) | some s in input.vault.secrets}

# Every path some need declares, whichever need it is.
any_need_paths := {p.path | some n in input.needs; some p in n.paths}

# Declared need paths with a glob (`*` suffix or `+` segment): the only ones a lookup must scan.
wildcard_need_paths := {p.path |
	some n in input.needs
	some p in n.paths
	contains(replace(p.path, "+", "*"), "*") # `*` or `+` in it: a cheap filter, no regex
	is_pattern(p.path)
}

# The need a Vault object serves: named by the normaliser, else by the object's own metadata.
secret_need(s) := s.need if {
	is_string(s.need)
} else := s.custom_metadata.need if {
	is_string(s.custom_metadata.need)
} else := s.source

token_need(token) := token.need if {
	is_string(token.need)
} else := token.meta.need if {
	is_string(token.meta.need)
}

# The need of each rendered policy, by position in input.vault.policies: named by the
# normaliser (`need`), else found through the grant plan's policy name. When every policy names a
# declared need (what the normaliser gives for a manifest and its plan), the second walk over the
# policies, which would find nothing, is not made.
linked_need := named if {
	named := policy_named_needs
	count(named) == count(input.vault.policies)
} else := object.union(policy_named_needs, {i: n |
	some i, p in input.vault.policies
	not needs_by_name[p.need]
	n := need_by_policy[p.name]
})

# The policies whose `need` names a declared need, by position.
policy_named_needs := {i: n | some i, p in input.vault.policies; n := needs_by_name[p.need]}

# KV v2 puts an API prefix between the mount and the secret's name.
kv_api_prefixes := {"data", "metadata", "delete", "undelete", "destroy", "subkeys"}

# A KV v2 entry <mount>/<name> is read through <mount>/data/<name> and managed through
# <mount>/metadata/<name>: all three name the same entry. Other paths are their own entry.
# (Cut with indexof and substring, not split: no array of segments per path.)
kv_entry_path(path) := concat("/", [substring(path, 0, i), kv_entry_name(substring(path, i + 1, -1))]) if {
	i := indexof(path, "/")
	i >= 0
} else := path

# The entry's name from what follows the mount: without the data/ or metadata/ API prefix.
kv_entry_name(after) := substring(after, j + 1, -1) if {
	j := indexof(after, "/")
	j >= 0
	substring(after, 0, j) in {"data", "metadata"}
} else := after

# --- Vault path semantics -------------------------------------------------------------------

is_pattern(path) if endswith(path, "*")

is_pattern(path) if "+" in split(path, "/")

# Whether policy path `pattern` (Vault glob: trailing `*`, whole-segment `+`) reaches `path`.
covers(pattern, path) if pattern == path

covers(pattern, path) if {
	not "+" in split(pattern, "/")
	endswith(pattern, "*")
	startswith(path, trim_suffix(pattern, "*"))
}

covers(pattern, path) if {
	ps := split(pattern, "/")
	"+" in ps
	not endswith(pattern, "*")
	xs := split(path, "/")
	count(xs) == count(ps)
	every i, p in ps {
		segment_matches(p, xs[i])
	}
}

covers(pattern, path) if {
	ps := split(pattern, "/")
	"+" in ps
	endswith(pattern, "*")
	xs := split(path, "/")
	n := count(ps)
	count(xs) >= n
	every i, p in array.slice(ps, 0, n - 1) {
		segment_matches(p, xs[i])
	}
	startswith(xs[n - 1], trim_suffix(ps[n - 1], "*"))
}

segment_matches(p, _) if p == "+"

segment_matches(p, x) if p == x

# Whether a need covers `path`: one of its declared paths, the KV entry holding its token, or one
# of its globs — tried in that order, stopping at the first that does.
need_covers(need, path) if {
	some p in need.paths
	p.path == path
} else := true if {
	concat("|", [need.name, kv_entry_path(path)]) in secret_entries
} else := true if {
	some p in need.paths
	contains(replace(p.path, "+", "*"), "*")
	covers(p.path, path)
}

# Whether any declared need covers `path` (for a policy no need generated).
any_need_covers(path) if {
	path in any_need_paths
} else := true if {
	kv_entry_path(path) in any_secret_entries
} else := true if {
	some pattern in wildcard_need_paths
	covers(pattern, path)
}

# Segments that make up a mount root: `auth/<name>` for auth mounts, `<mount>/data` (and the other
# KV v2 API prefixes) for secrets engines, else the mount itself.
mount_depth(segs) := 2 if segs[0] == "auth" else := 1

root_depth(segs) := mount_depth(segs) + 1 if {
	segs[0] != "auth"
	count(segs) > mount_depth(segs)
	segs[mount_depth(segs)] in kv_api_prefixes
} else := mount_depth(segs)

wild_segment(seg) if {
	indexof(seg, "*") >= 0
}

wild_segment(seg) if seg == "+"

# A glob at the mount root or above: in the mount's own name, or standing for everything
# directly under the mount root (`secret/*`, `secret/data/*`, `secret/data/+/x`, bare `*`).
too_wide(path) if {
	segs := split(path, "/")
	d := root_depth(segs)
	some i, seg in segs
	i < d
	wild_segment(seg)
}

too_wide(path) if {
	segs := split(path, "/")
	d := root_depth(segs)
	count(segs) > d
	segs[d] in {"*", "+"}
}

# --- access levels --------------------------------------------------------------------------

# What each access level may do (model/access-levels.ts holds the same sets);
# `deny` only takes access away, so any level may carry it.
access_capabilities := {
	"read": {"read", "list", "deny"},
	"write": {"create", "read", "update", "patch", "delete", "list", "deny"},
	"admin": {"create", "read", "update", "patch", "delete", "list", "deny", "sudo"},
}

# What a level allows without conditions: `sudo` is admin-only and needs a written justification.
unconditional_capabilities := {level: caps - {"sudo"} | some level, caps in access_capabilities}

justified_sudo(need, "sudo") if {
	need.access == "admin"
	not blank(need.justification)
}

access_caps(access) := object.get(access_capabilities, access, set())

allowed_text(access) := concat(", ", sort([c | some c in access_caps(access); c != "deny"]))
