# conftest's entry points (and `opa eval 'data.main.deny'`) over the same findings `tokenwarden
# check` reports: run them on the document `tokenwarden input <file>` prints, e.g.
#   tokenwarden input access-needs.yaml > input.json && conftest test --policy policies input.json
# As in check, rules that compare grants with declared needs are skipped when the document has no
# declaration, and a deny covered by a need's unexpired waiver is not a deny (it is listed under
# `waived`); an expired waiver leaves the deny, saying so.
package main

import rego.v1

import data.tokenwarden

# Rules that are meaningless without a declaration of needs (policies/evaluate.ts keeps the same list).
declaration_rules := {"TW002", "TW003", "TW010"}

judged contains f if {
	some f in tokenwarden.findings
	not skipped_for_no_declaration(f)
}

skipped_for_no_declaration(f) if {
	input.has_declaration == false
	f.id in declaration_rules
}

# The need a finding concerns: named by the rule, or the item its source points at.
need_of(f) := f.need if is_string(f.need)

need_of(f) := name if {
	not is_string(f.need)
	names := {n.name | some n in input.needs; n.name == f.source} | {item.need |
		some kind in ["policies", "tokens", "secrets"]
		some item in input.vault[kind]
		item.source == f.source
		is_string(item.need)
	}
	count(names) > 0
	name := min(names)
}

waiver_for(f) := w if {
	f.severity == "deny"
	need := need_of(f)
	some n in input.needs
	n.name == need
	ws := [x | some x in object.get(n, "waivers", []); x.rule == f.id]
	count(ws) > 0
	w := ws[0]
}

today := substring(input.now, 0, 10)

active_waiver(f) if waiver_for(f).expires >= today

label(f) := sprintf("%s %s: %s", [f.id, f.source, f.message]) if f.source != ""

label(f) := sprintf("%s: %s", [f.id, f.message]) if f.source == ""

deny contains label(f) if {
	some f in judged
	f.severity == "deny"
	not waiver_for(f)
}

deny contains msg if {
	some f in judged
	w := waiver_for(f)
	w.expires < today
	msg := sprintf(
		`%s (the waiver for %s on need "%s" expired on %s; renew the review or fix the grant)`,
		[label(f), f.id, need_of(f), w.expires],
	)
}

warn contains label(f) if {
	some f in judged
	f.severity == "warn"
}

# Reviewed exceptions in force: not denies, but worth seeing.
waived contains sprintf("%s (waived until %s: %s)", [label(f), w.expires, w.reason]) if {
	some f in judged
	active_waiver(f)
	w := waiver_for(f)
}
