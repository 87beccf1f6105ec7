/**
 * The root program's configuration: which manifest to provision, and the third-party token values
 * (a secret config object, never plain). Kept out of index.ts so it can be tested under mocks.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

export const DEFAULT_MANIFEST = "examples/access-needs.yaml";
export const THIRD_PARTY_TOKENS_KEY = "tokenwarden:thirdPartyTokens";

export interface ProgramConfig {
  /** Absolute path of the manifest (config `tokenwarden:manifest`, relative to the project). */
  readonly manifestPath: string;
  /** Third-party token values by need name, each a Pulumi secret. */
  readonly thirdPartyTokens: Readonly<Record<string, pulumi.Output<string>>>;
}

/** Reads the program's config; `projectDir` is where `pulumi up` runs (Pulumi.yaml's directory). */
export function readProgramConfig(projectDir: string = process.cwd()): ProgramConfig {
  const config = new pulumi.Config("tokenwarden");
  const manifestPath = path.resolve(projectDir, config.get("manifest") ?? DEFAULT_MANIFEST);
  return { manifestPath, thirdPartyTokens: readThirdPartyTokens() };
}

/**
 * The need names must be plain (a missing token fails the preview by name), so the secret object
 * is read raw and every value is wrapped as a secret at once; it is refused unless it was stored
 * with `--secret`, because a plain config value sits in clear text in Pulumi.<stack>.yaml.
 */
function readThirdPartyTokens(): Record<string, pulumi.Output<string>> {
  const raw = pulumi.runtime.getConfig(THIRD_PARTY_TOKENS_KEY);
  if (raw === undefined) return {};
  const isSecret = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean })
    .isConfigSecret;
  if (isSecret && !isSecret(THIRD_PARTY_TOKENS_KEY)) {
    throw new pulumi.RunError(
      `${THIRD_PARTY_TOKENS_KEY} is stored in plain text; remove it (pulumi config rm ` +
        `${THIRD_PARTY_TOKENS_KEY}), rotate those tokens, and set them again with --secret`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    // Never echo the value: it is a secret even when malformed.
    throw new pulumi.RunError(
      `${THIRD_PARTY_TOKENS_KEY} must be an object of need name → token (set each with ` +
        `pulumi config set --secret --path '${THIRD_PARTY_TOKENS_KEY}["<need>"]')`,
    );
  }
  const tokens: Record<string, pulumi.Output<string>> = {};
  for (const [need, value] of Object.entries(parsed)) {
    if (typeof value !== "string" || value === "") {
      throw new pulumi.RunError(`${THIRD_PARTY_TOKENS_KEY}["${need}"] must be a non-empty string`);
    }
    tokens[need] = pulumi.secret(value);
  }
  return tokens;
}

/**
 * The Vault provider by default works through a 20-minute child token, and tokens created under it
 * die with it. Token-auth consumers need `vault:skipChildToken` so their tokens outlive the run.
 */
export function childTokenWarning(issuesTokens: boolean): string | undefined {
  if (!issuesTokens) return undefined;
  const configured =
    pulumi.runtime.getConfig("vault:skipChildToken") ??
    process.env.TERRAFORM_VAULT_SKIP_CHILD_TOKEN;
  if (configured === "true") return undefined;
  return (
    "this manifest issues Vault tokens, and the Vault provider creates them under its own " +
    "short-lived child token, which revokes them when it expires; set " +
    "`pulumi config set vault:skipChildToken true` (see docs/pulumi.md)"
  );
}
