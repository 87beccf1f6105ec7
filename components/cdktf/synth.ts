/**
 * Synthesis of a grant plan into a Terraform working directory. The CDKTF app writes into a
 * scratch directory beside the target; only a complete `cdk.tf.json` is then moved into place by
 * rename, so an interrupted or failed synth never leaves a half-written configuration behind.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import type { GrantPlan } from "../../model/grant-plan-types";
import { AccessNeedsStack } from "./access-needs-stack";

/** The stack's name: CDKTF writes it into the JSON's metadata and names its output folder by it. */
export const STACK_NAME = "access-needs";
export const CONFIG_FILE = "cdk.tf.json";

export interface SynthOptions {
  /** The manifest's embedded declaration, written as the output `tokenwarden_declaration`. */
  readonly declaration?: unknown;
}

/** The synthesized Terraform JSON of a plan, as a string (what `cdk.tf.json` holds). */
export function synthesizeToString(plan: GrantPlan, options: SynthOptions = {}): string {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "tokenwarden-synth-"));
  try {
    return fs.readFileSync(synthesizeInto(plan, options, scratch), "utf8");
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

export interface SynthResult {
  /** Absolute path of the written configuration. */
  readonly file: string;
}

/**
 * Writes `<outDir>/cdk.tf.json`. A missing `outDir` is created whole; an existing one keeps its
 * other files (`.terraform/`, the lock file, local state) and only has the configuration replaced.
 */
export function synthesizeToDirectory(
  plan: GrantPlan,
  outDir: string,
  options: SynthOptions = {},
): SynthResult {
  const target = path.resolve(outDir);
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const scratch = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.synth-`));
  try {
    const staged = path.join(scratch, "out");
    fs.mkdirSync(staged);
    fs.renameSync(
      synthesizeInto(plan, options, path.join(scratch, "cdktf.out")),
      path.join(staged, CONFIG_FILE),
    );
    if (fs.existsSync(target)) {
      fs.renameSync(path.join(staged, CONFIG_FILE), path.join(target, CONFIG_FILE));
    } else {
      fs.renameSync(staged, target);
    }
    return { file: path.join(target, CONFIG_FILE) };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Runs a CDKTF app with the stack in `appOutDir`; returns the path of the stack's JSON. */
function synthesizeInto(plan: GrantPlan, options: SynthOptions, appOutDir: string): string {
  const app = new App({ outdir: appOutDir, stackTraces: false });
  new AccessNeedsStack(app, STACK_NAME, { plan, declaration: options.declaration });
  app.synth();
  return path.join(appOutDir, "stacks", STACK_NAME, CONFIG_FILE);
}
