/**
 * Names that exist only on the Terraform side. Manifest names are `[a-z0-9][a-z0-9._-]*`; Terraform
 * identifiers must start with a letter or `_`, and a variable is set through `TF_VAR_<name>`,
 * which shells only accept as `[A-Za-z0-9_]`. Both mappings must stay one-to-one, or two needs
 * would share one variable or one address.
 */

/**
 * `billing-stripe-charges` → `tw_token_billing_stripe_charges`. `-` becomes `_`; `_` and `.`
 * become `_U` and `_D` — manifest names have no capitals, so no two names can meet.
 */
export function tokenVariableName(need: string): string {
  const escaped = need.replace(/[^a-z0-9]/g, (c) => (c === "-" ? "_" : c === "_" ? "_U" : "_D"));
  return `tw_token_${escaped}`;
}

/** A CDKTF logical id made a valid Terraform resource name (ids may start with a digit). */
export function terraformIdentifier(logicalId: string): string {
  return /^[A-Za-z_]/.test(logicalId) ? logicalId : `_${logicalId}`;
}

/** The sensitive output carrying an AppRole consumer's wrapped SecretID (`terraform output -raw`). */
export function secretIdOutputName(consumer: string): string {
  return tokenVariableName(consumer).replace(/^tw_token_/, "tw_secret_id_");
}
