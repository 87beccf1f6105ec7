/**
 * Test support: load a configuration directory with the real `terraform` binary, offline. `init`
 * with an empty filesystem mirror parses and checks the whole configuration (syntax, references,
 * meta-arguments, variable declarations), then stops at installing providers.
 */
import * as cp from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const hasTerraform =
  cp.spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;

export interface InitResult {
  /** The headline of each `Error:` Terraform printed. */
  readonly errors: string[];
  readonly text: string;
}

export function terraformInitOffline(configDir: string): InitResult {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "tw-tf-init-"));
  try {
    const mirror = path.join(scratch, "mirror");
    fs.mkdirSync(mirror);
    const rc = path.join(scratch, "terraformrc");
    fs.writeFileSync(
      rc,
      `provider_installation {\n  filesystem_mirror {\n    path = "${mirror}"\n  }\n}\n`,
    );
    const r = cp.spawnSync(
      "terraform",
      [`-chdir=${configDir}`, "init", "-backend=false", "-input=false", "-no-color"],
      {
        encoding: "utf8",
        env: { ...process.env, TF_CLI_CONFIG_FILE: rc, TF_DATA_DIR: path.join(scratch, "data") },
        timeout: 120_000,
      },
    );
    const text = `${r.stdout}\n${r.stderr}`;
    return { errors: [...text.matchAll(/^Error: (.*)$/gm)].map((m) => m[1]), text };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** The only failure an accepted configuration may have here: no provider packages offline. */
export const PROVIDERS_UNAVAILABLE = "Failed to query available provider packages";
