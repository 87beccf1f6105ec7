/**
 * The root Pulumi program (`pulumi up` from the repository root runs its compiled form,
 * dist/index.js): provisions the manifest named by `tokenwarden:manifest` into the Vault the
 * `vault` provider is configured for (`vault:address`/`vault:token` or VAULT_ADDR/VAULT_TOKEN).
 *
 * Its exports are this stack's outputs (`pulumi stack output`), not a library API. What the
 * package offers to code is named in package.json `exports`: `tokenwarden` (components/index.ts:
 * AccessNeeds and the components under it), `tokenwarden/cdktf` (the CDKTF constructs),
 * `tokenwarden/policies/*` (the Rego rules, conftest entry points and the Pulumi policy pack) and
 * `tokenwarden/schema/*` (the manifest's JSON Schema); bin/ holds the `tokenwarden` command.
 */
import * as pulumi from "@pulumi/pulumi";
import { AccessNeeds } from "./components";
import { childTokenWarning, readProgramConfig } from "./components/pulumi-program/config";

const config = readProgramConfig();
const needs = new AccessNeeds("access-needs", {
  manifest: config.manifestPath,
  thirdPartyTokens: config.thirdPartyTokens,
});

const warning = childTokenWarning([...needs.grants.values()].some((g) => g.token !== undefined));
if (warning) pulumi.log.warn(warning, needs);

/** What was granted, to whom, until when — no secret values in it. */
export const inventory = needs.inventory;
/** Accessors of the issued Vault tokens (look up or revoke; cannot authenticate). */
export const tokenAccessors = pulumi
  .all(
    [...needs.grants].flatMap(([need, g]) =>
      g.token ? [g.tokenAccessor.apply((a) => [need, a ?? ""] as const)] : [],
    ),
  )
  .apply((pairs) => Object.fromEntries(pairs));
/**
 * AppRole consumers' role IDs and response-wrapped SecretIDs (a secret output): hand each
 * consumer its entry; it unwraps the SecretID once (`vault unwrap`) and logs in.
 */
export const approleLogins = needs.approleLogins;
