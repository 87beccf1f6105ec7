# TW006 no owner; TW007 no justification, review date missing or too far out (warn), review date
# past (deny). "Now" is input.now, never the wall clock, so a check is reproducible.
package tokenwarden

import rego.v1

# `not` negates the whole expression, undefined operands included (OPA's future.keywords.not)
import future.keywords.not

# Needs with a non-blank owner / justification, collected in one pass each. (The type checks
# first: a built-in's type error is undefined in Rego but costs an exception in an engine.)
owned_needs := {n.name | some n in input.needs; is_string(n.owner); trim_space(n.owner) != ""}

justified_needs := {n.name | some n in input.needs; is_string(n.justification); trim_space(n.justification) != ""}

# --- TW006 ----------------------------------------------------------------------------------

# METADATA
# title: "No owner"
# description: >-
#   A need or consumer has no owner to answer for the token.
# custom:
#   id: TW006
#   severity: deny
#   remediation: >-
#     Add `owner:` with a team or person's address.
#   tags: ["OWASP-NHI1:2025"]
findings contains finding(
	"TW006", "deny", need.name,
	sprintf(`need "%s" has no owner`, [need.name]),
	"set owner to the team or person answerable for this token (e.g. team-billing@example.com)",
	need_ref(need.name, "owner"),
) if {
	owned := owned_needs
	some need in input.needs
	not need.name in owned
}

findings contains finding(
	"TW006", "deny", consumer.name,
	sprintf(`consumer "%s" has no owner`, [consumer.name]),
	"set owner on the consumer to the team that runs it",
	{},
) if {
	some consumer in input.consumers
	blank(consumer.owner)
}

# --- TW007 ----------------------------------------------------------------------------------

# Dates compare as YYYY-MM-DD strings: "past" is before today (UTC), "too far" is after the
# day `max_need_lifetime` from now falls on.
now_ns := time.parse_rfc3339_ns(input.now)

date_text(ns) := sprintf("%04d-%02d-%02d", time.date(ns))

today := date_text(now_ns)

review_horizon := date_text(now_ns + (max_need_lifetime * 1000000000))

# Review dates that are real YYYY-MM-DD calendar days (Go's parser also bounds the year).
valid_review_dates := {n.name | some n in input.needs; is_string(n.expires); time.parse_ns("2006-01-02", n.expires)}

# METADATA
# title: "Justification or review date missing or too far out"
# description: >-
#   A need has no justification, or its review date (`expires`) is missing or beyond
#   `limits.maxNeedLifetime` (warn); a review date in the past is a deny.
# custom:
#   id: TW007
#   severity: warn
#   remediation: >-
#     Write why the need exists in `justification`, and set `expires` to a review date within the
#     allowed lifetime.
#   tags: ["OWASP-NHI1:2025"]
findings contains finding(
	"TW007", "warn", need.name,
	sprintf(`need "%s" has no justification`, [need.name]),
	"add a justification saying what the token is used for, so reviewers can judge the grant",
	need_ref(need.name, "justification"),
) if {
	justified := justified_needs
	some need in input.needs
	not need.name in justified
}

findings contains finding(
	"TW007", "warn", need.name,
	sprintf(`need "%s" has no review date`, [need.name]),
	sprintf("set expires to a review date within %s", [max_need_lifetime_text]),
	need_ref(need.name, "expires"),
) if {
	some need in input.needs
	not is_string(need.expires)
}

findings contains finding(
	"TW007", "warn", need.name,
	sprintf(`need "%s" has review date "%s", which is not a YYYY-MM-DD calendar date`, [need.name, need.expires]),
	sprintf("set expires to a review date within %s, as YYYY-MM-DD", [max_need_lifetime_text]),
	need_ref(need.name, "expires"),
) if {
	valid := valid_review_dates
	some need in input.needs
	is_string(need.expires)
	not need.name in valid
}

findings contains finding(
	"TW007", "deny", need.name,
	sprintf(`need "%s" was due for review on %s and the date has passed`, [need.name, need.expires]),
	"review the grant: remove the need if it is no longer used, or renew it with a new expires date",
	need_ref(need.name, "expires"),
) if {
	valid := valid_review_dates
	first_open_day := today
	some need in input.needs
	need.name in valid
	need.expires < first_open_day
}

findings contains finding(
	"TW007", "warn", need.name,
	sprintf(`need "%s" has review date %s, more than %s from now`, [need.name, need.expires, max_need_lifetime_text]),
	sprintf("set expires to a review date within %s", [max_need_lifetime_text]),
	need_ref(need.name, "expires"),
) if {
	valid := valid_review_dates
	horizon := review_horizon
	some need in input.needs
	need.name in valid
	need.expires > horizon
}
