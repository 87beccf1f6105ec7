/**
 * Loads tokenwarden's own Rego (policies/*.rego, optionally the *_test.rego files) and
 * policies/data.json the way `opa test policies/` sees them: data.json at the data root.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { RegoModuleSource } from "../../rego/api-types";

export const POLICY_DIR = path.resolve(__dirname, "../../policies");

export function policyModules(opts: { tests: boolean }): RegoModuleSource[] {
  return fs
    .readdirSync(POLICY_DIR)
    .filter((f) => f.endsWith(".rego") && (opts.tests || !f.endsWith("_test.rego")))
    .sort()
    .map((f) => ({
      file: `policies/${f}`,
      source: fs.readFileSync(path.join(POLICY_DIR, f), "utf8"),
    }));
}

export function policyData(): unknown {
  return JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "data.json"), "utf8")) as unknown;
}
