# TW011 token values in plain (non-secret) config or resource inputs. Findings name the field,
# never the value.
package tokenwarden

import rego.v1

# METADATA
# title: "Token value in plain configuration"
# description: >-
#   A token value appears in plain (non-secret) configuration or resource inputs.
# custom:
#   id: TW011
#   severity: deny
#   remediation: >-
#     Remove the value from configuration; let tokenwarden write it to Vault, or pass it as a
#     secret.
#   tags: ["OWASP-NHI2:2025"]
findings contains finding(
	"TW011", "deny", secret.source,
	sprintf(`secret "%s" takes a token value in plain input "%s", which state files and plan output show in clear text`, [secret.path, field]),
	"pass the value as a secret (pulumi.secret, `pulumi config set --secret`, or a sensitive Terraform variable), or let tokenwarden procure it",
	{},
) if {
	some secret in input.vault.secrets
	some field in object.get(secret, "plain_token_fields", [])
}

findings contains finding(
	"TW011", "deny", plain.source,
	sprintf(`plain config value "%s" holds what looks like a token`, [plain.field]),
	"move the token to Vault (or a Pulumi secret / sensitive variable) and reference it instead of writing it in plain config",
	{},
) if {
	some plain in object.get(input, "plain_values", [])
}
