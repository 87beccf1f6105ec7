import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ManifestError, formatIssue, parseManifestText } from "../../model";

export const REPO = path.resolve(__dirname, "../..");
export const EXAMPLE = path.join(REPO, "examples/access-needs.yaml");

/** The issues a manifest text gets, formatted as the CLI prints them; [] when it loads. */
export function issuesOf(text: string, file = "m.yaml"): string[] {
  try {
    parseManifestText(text, file);
    return [];
  } catch (err) {
    if (err instanceof ManifestError) return err.issues.map(formatIssue);
    throw err;
  }
}

/** A small valid manifest body that cases extend: one consumer of each kind, vault + static providers. */
export const BASE = `version: 1
consumers:
  - name: app
    owner: team@example.com
    auth: approle
providers:
  - name: vault
    kind: vault-token
  - name: stripe
    kind: static
    scopes: [charges:read, charges:write]
needs:
  - name: app-config
    consumer: app
    provider: vault
    paths:
      - path: secret/data/app/config
        capabilities: [read]
    access: read
    ttl: 1h
`;

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "tw-model-"));
}
